import type { GenerativeModel } from '../../models/model.js';
import { byId } from './context.js';
import { drawImageGrid } from './draw.js';
import { samplePixels } from './model.js';

const COLS = 8;
const ROWS = 4;

/** Images decoded from z ~ N(0, t²I); t < 1 trades variety for sharper, more typical images. */
export function samplesPanel(firstSeed: number, label: () => number | undefined) {
  const canvas = byId<HTMLCanvasElement>('samples-canvas');
  const temperature = byId<HTMLInputElement>('samples-temperature');
  const shown = byId('samples-temperature-value');
  const seed = byId<HTMLInputElement>('samples-seed');
  let model: GenerativeModel | undefined;
  seed.value = String(firstSeed);
  /** The seed typed, made a whole number in [0, 2³¹ − 1] (what a link can carry) and shown as such. */
  const seedValue = () => {
    const v = Math.min(2147483647, Math.max(0, Math.trunc(Number(seed.value)) || 0));
    seed.value = String(v);
    return v;
  };

  const render = () => {
    if (!model) return;
    const t = Number(temperature.value);
    shown.textContent = t.toFixed(2);
    const pixels = samplePixels(model, COLS * ROWS, seedValue(), t, label());
    drawImageGrid(canvas, pixels, COLS, 2);
  };

  temperature.addEventListener('input', render);
  seed.addEventListener('change', render);
  byId('samples-new').addEventListener('click', () => {
    seed.value = String(seedValue() + 1);
    render();
  });

  return {
    show(m: GenerativeModel) {
      model = m;
      render();
    },
  };
}
