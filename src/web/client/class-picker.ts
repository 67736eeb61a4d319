import { asConditional, type GenerativeModel } from '../../models/model.js';
import { byId } from './context.js';

/**
 * The class a conditional model samples and decodes (models whose capabilities declare `conditional`);
 * hidden for every other model. A change redraws every panel. `linked`: the class a link chose.
 */
export function classPicker(onChange: () => void, linked?: number) {
  const wrap = byId('class-picker-wrap');
  const select = byId<HTMLSelectElement>('class-picker');
  let classes = 0;
  select.addEventListener('change', onChange);
  return {
    show(model: GenerativeModel) {
      const conditional = asConditional(model);
      wrap.hidden = conditional === null;
      const n = conditional?.classes ?? 0;
      if (n !== classes) {
        select.replaceChildren(...Array.from({ length: n }, (_, y) => new Option(String(y), String(y))));
        // the class a link names, when the model has it
        if (linked !== undefined && linked < n) select.value = String(linked);
        classes = n;
      }
    },
    /** The chosen class, or undefined when the model is not conditional. */
    current(): number | undefined {
      return classes > 0 ? Number(select.value) : undefined;
    },
  };
}
