/**
 * Binarisation of images in [0, 1] for Bernoulli decoders.
 * - `static`: sample x ~ Bernoulli(pixel) once for the whole dataset, with a seeded Rng
 *   (the fixed binarised MNIST of the IWAE paper);
 * - `dynamic`: a fresh Bernoulli sample every time a batch is drawn (see `batches.ts`);
 * - `threshold`: pixel > 0.5 → 1, else 0;
 * - `none`: the grey values as they are.
 */
import type { Rng } from '../core/random.js';
import type { Dataset } from './dataset.js';

export type Binarization = 'none' | 'static' | 'dynamic' | 'threshold';

export const BINARIZATIONS: readonly Binarization[] = ['none', 'static', 'dynamic', 'threshold'];

/** x_i ~ Bernoulli(p_i) for every value; writes into `out` (default: a new array). */
export function bernoulliSample(
  p: Float32Array,
  rng: Rng,
  out: Float32Array = new Float32Array(p.length),
): Float32Array {
  for (let i = 0; i < p.length; i++) out[i] = rng.next() < p[i] ? 1 : 0;
  return out;
}

/** 1 where the value exceeds `level` (default 0.5), else 0; writes into `out` (default: a new array). */
export function threshold(
  p: Float32Array,
  level = 0.5,
  out: Float32Array = new Float32Array(p.length),
): Float32Array {
  for (let i = 0; i < p.length; i++) out[i] = p[i] > level ? 1 : 0;
  return out;
}

/**
 * Apply the once-per-dataset binarisations: `static` samples with `rng`, `threshold` thresholds.
 * `none` and `dynamic` return the dataset unchanged (dynamic sampling happens per batch).
 */
export function binarizeDataset(ds: Dataset, mode: Binarization, rng: Rng): Dataset {
  if (mode === 'static') return { ...ds, images: bernoulliSample(ds.images, rng) };
  if (mode === 'threshold') return { ...ds, images: threshold(ds.images) };
  return ds;
}
