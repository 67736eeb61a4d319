/**
 * The controls of the step chart: which metric, how much smoothing (an exponential moving average with
 * weight 0 … 0.99, as TensorBoard's slider), a log-scale y axis, and a button that undoes the zoom.
 */
import { byId } from './context.js';

export function curvesControls(onChange: () => void, onReset: () => void) {
  const metric = byId<HTMLSelectElement>('steps-metric');
  const smoothing = byId<HTMLInputElement>('steps-smoothing');
  const shown = byId('steps-smoothing-value');
  const log = byId<HTMLInputElement>('steps-log');
  const reset = byId<HTMLButtonElement>('steps-reset');
  let keys = '';

  const show = () => {
    shown.textContent = Number(smoothing.value).toFixed(2);
  };
  show();
  metric.addEventListener('change', onChange);
  smoothing.addEventListener('input', () => {
    show();
    onChange();
  });
  log.addEventListener('change', onChange);
  reset.addEventListener('click', onReset);

  return {
    /**
     * Offers these metrics (label of each from `labelOf`), keeping the one chosen while it is offered;
     * returns the metric to chart (undefined when there is none yet).
     */
    metrics(available: string[], labelOf: (k: string) => string, preferred: string | undefined) {
      const joined = available.join('\n');
      if (joined !== keys) {
        const chosen = metric.value;
        metric.replaceChildren(...available.map((k) => new Option(labelOf(k), k)));
        metric.value = available.includes(chosen) ? chosen : (preferred ?? available[0] ?? '');
        keys = joined;
      }
      return available.length ? metric.value : undefined;
    },
    current() {
      return { smoothing: Number(smoothing.value), log: log.checked };
    },
    zoomed(zoomed: boolean) {
      reset.disabled = !zoomed;
    },
  };
}
