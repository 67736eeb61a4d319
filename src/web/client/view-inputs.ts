import { byId } from './context.js';
import type { ViewState } from './view-state.js';

/** The inputs whose values a link keeps: the samples' temperature and seed, the interpolation pair. */
const inputs = () => ({
  temperature: byId<HTMLInputElement>('samples-temperature'),
  seed: byId<HTMLInputElement>('samples-seed'),
  from: byId<HTMLInputElement>('interp-from'),
  to: byId<HTMLInputElement>('interp-to'),
  steps: byId<HTMLInputElement>('interp-steps'),
});

/** Puts a link's values into the inputs before the panels first read them (the panels clamp them). */
export function restoreInputs(state: ViewState): void {
  const el = inputs();
  for (const key of ['temperature', 'from', 'to', 'steps'] as const) {
    const v = state[key];
    if (v !== undefined) el[key].value = String(v);
  }
}

/**
 * Writes the inputs' values to the URL after each change (after the panels' own handlers ran); the
 * returned function writes them all, e.g. once the panels have clamped a link's values.
 */
export function keepInputsInUrl(update: (change: Partial<ViewState>) => void): () => void {
  const el = inputs();
  const whole = (input: HTMLInputElement) => Math.trunc(Number(input.value)) || 0;
  const samples = () => update({ temperature: Number(el.temperature.value), seed: whole(el.seed) });
  const pair = () => update({ from: whole(el.from), to: whole(el.to), steps: whole(el.steps) });
  el.temperature.addEventListener('input', samples);
  el.seed.addEventListener('change', samples);
  byId('samples-new').addEventListener('click', samples);
  for (const input of [el.from, el.to, el.steps]) input.addEventListener('change', pair);
  for (const id of ['interp-run', 'interp-random']) byId(id).addEventListener('click', pair);
  return () => {
    samples();
    pair();
  };
}
