import * as tf from '@tensorflow/tfjs';
import { toBatch } from '../../data/tensor-batches.js';
import { asReconstructing, type GenerativeModel } from '../../models/model.js';
import type { TestImages } from './api.js';
import { byId } from './context.js';
import { drawImageGrid } from './draw.js';

/** Test images shown, and pairs per row. */
const COUNT = 16;
const PAIRS_PER_ROW = 4;

/**
 * Test images beside their reconstructions, by the model's own `reconstruct` (what `vaekit reconstruct`
 * draws: E[x|z] at the posterior mean(s)), for every model with an encoder; the others get the reason line
 * of panel-reasons.ts. Drawn once per checkpoint, after the page has painted.
 */
export function reconstructionsPanel() {
  const panel = byId('recon-panel');
  const canvas = byId<HTMLCanvasElement>('recon-canvas');
  const status = byId('recon-status');
  let shown: GenerativeModel | undefined;

  const draw = (model: GenerativeModel, images: TestImages) => {
    const m = asReconstructing(model);
    if (!m || model !== shown) return;
    const n = Math.min(COUNT, images.count);
    const [h, w, c] = images.shape;
    const size = h * w * c;
    const originals = images.pixels.subarray(0, n * size);
    try {
      const recon = tf.tidy(() => {
        const labels = images.labels ? Int32Array.from(images.labels.slice(0, n)) : undefined;
        return m.reconstruct(toBatch(originals, n, images.shape, labels)).dataSync() as Float32Array;
      });
      const pairs = new Float32Array(2 * n * size);
      for (let i = 0; i < n; i++) {
        pairs.set(originals.subarray(i * size, (i + 1) * size), 2 * i * size);
        pairs.set(recon.subarray(i * size, (i + 1) * size), (2 * i + 1) * size);
      }
      const scale = Math.max(1, Math.round(56 / Math.max(h, w)));
      drawImageGrid(canvas, { data: pairs, count: 2 * n, shape: images.shape }, 2 * PAIRS_PER_ROW, scale);
      status.textContent = `the first ${n} test images, each beside its reconstruction`;
      panel.dataset.state = 'done';
    } catch (e) {
      status.textContent = `Could not reconstruct: ${(e as Error).message}`;
      panel.dataset.state = 'error';
    }
  };

  return {
    show(model: GenerativeModel, images: TestImages | undefined) {
      if (model === shown || !images || !asReconstructing(model)) return;
      shown = model;
      panel.dataset.state = 'computing';
      status.textContent = 'reconstructing…';
      requestAnimationFrame(() => setTimeout(() => draw(model, images)));
    },
  };
}
