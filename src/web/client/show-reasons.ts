import type { ModelCapabilities } from '../../models/model.js';
import { type Need, panelReason } from './panel-reasons.js';

/**
 * Shows on every `.needs-encoder` element of the page the reason it cannot be drawn (a `.why-not` line in
 * place of its contents), or its contents when it can.
 */
export function showPanelReasons(caps: ModelCapabilities, name: string): void {
  for (const el of document.querySelectorAll<HTMLElement>('.needs-encoder')) {
    const need: Need = el.dataset.needs === 'encoder' ? 'encoder' : 'gaussian';
    const id = el.id || el.querySelector('canvas')?.id || '';
    const why = panelReason(id, need, caps, name);
    let line = el.querySelector<HTMLElement>(':scope > .why-not');
    if (!line) {
      line = document.createElement('p');
      line.className = 'note why-not';
      const heading = el.querySelector(':scope > h2');
      if (heading) heading.after(line);
      else el.prepend(line);
    }
    line.textContent = why;
    line.hidden = why === '';
    el.classList.toggle('has-reason', why !== '');
  }
}
