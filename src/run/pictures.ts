import * as tf from '@tensorflow/tfjs';
import { type Dataset, imageSize } from '../data/dataset.js';
import { toBatch } from '../data/tensor-batches.js';
import { writeImageGrid } from '../io/png.js';
import { asConditional, type GenerativeModel, type Reconstructing } from '../models/model.js';

/**
 * An n-image grid from the prior, z ~ N(0, t²I). A conditional model draws `labels` (one per image);
 * without them, column c shows class c, so every class is seen side by side.
 */
export function writeSampleGrid(
  model: GenerativeModel,
  path: string,
  opts: { count?: number; seed?: number; temperature?: number; scale?: number; labels?: Int32Array } = {},
): void {
  const n = opts.count ?? 64;
  const conditional = asConditional(model);
  const byClass = conditional !== null && opts.labels === undefined;
  const cols = byClass ? Math.min(n, conditional.classes) : Math.ceil(Math.sqrt(n));
  const labels = byClass ? Int32Array.from({ length: n }, (_, i) => i % conditional.classes) : opts.labels;
  const images = model.sample(n, opts.seed ?? 0, { temperature: opts.temperature ?? 1, labels });
  writeImageGrid(path, images.dataSync() as Float32Array, n, model.inputShape, {
    cols,
    scale: opts.scale ?? 2,
  });
  images.dispose();
}

/**
 * The first `count` images of `ds` next to their reconstructions E[x | z = μ_φ(x)]:
 * each row holds `perRow` pairs (original, reconstruction).
 */
export function writeReconstructionGrid(
  model: Reconstructing,
  ds: Dataset,
  path: string,
  opts: { count?: number; perRow?: number; scale?: number } = {},
): void {
  const n = Math.min(opts.count ?? 32, ds.count);
  const size = imageSize(ds);
  const originals = ds.images.subarray(0, n * size);
  const recon = tf.tidy(
    () =>
      model
        .reconstruct(toBatch(originals, n, ds.shape, ds.labels?.subarray(0, n)))
        .dataSync() as Float32Array,
  );
  const pairs = new Float32Array(2 * n * size);
  for (let i = 0; i < n; i++) {
    pairs.set(originals.subarray(i * size, (i + 1) * size), 2 * i * size);
    pairs.set(recon.subarray(i * size, (i + 1) * size), (2 * i + 1) * size);
  }
  writeImageGrid(path, pairs, 2 * n, ds.shape, { cols: 2 * (opts.perRow ?? 8), scale: opts.scale ?? 2 });
}
