import * as tf from '@tensorflow/tfjs';
import { type Dataset, imageSize } from '../data/dataset.js';
import { writeImageGrid } from '../io/png.js';
import type { GenerativeModel, ReconstructingModel } from '../models/generative.js';

/** An n-image grid decoded from the prior, z ~ N(0, t²I); returns the image values. */
export function writeSampleGrid(
  model: GenerativeModel,
  path: string,
  opts: { count?: number; seed?: number; temperature?: number; scale?: number } = {},
): void {
  const n = opts.count ?? 64;
  const images = model.sample(n, opts.seed ?? 0, opts.temperature ?? 1);
  writeImageGrid(path, images.dataSync() as Float32Array, n, model.inputShape, {
    cols: Math.ceil(Math.sqrt(n)),
    scale: opts.scale ?? 2,
  });
  images.dispose();
}

/**
 * The first `count` images of `ds` next to their reconstructions E[x | z = μ_φ(x)]:
 * each row holds `perRow` pairs (original, reconstruction).
 */
export function writeReconstructionGrid(
  model: ReconstructingModel,
  ds: Dataset,
  path: string,
  opts: { count?: number; perRow?: number; scale?: number } = {},
): void {
  const n = Math.min(opts.count ?? 32, ds.count);
  const size = imageSize(ds);
  const originals = ds.images.subarray(0, n * size);
  const recon = tf.tidy(
    () => model.reconstruct(tf.tensor4d(originals, [n, ...ds.shape])).dataSync() as Float32Array,
  );
  const pairs = new Float32Array(2 * n * size);
  for (let i = 0; i < n; i++) {
    pairs.set(originals.subarray(i * size, (i + 1) * size), 2 * i * size);
    pairs.set(recon.subarray(i * size, (i + 1) * size), (2 * i + 1) * size);
  }
  writeImageGrid(path, pairs, 2 * n, ds.shape, { cols: 2 * (opts.perRow ?? 8), scale: opts.scale ?? 2 });
}
