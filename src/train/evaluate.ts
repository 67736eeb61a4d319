import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random.js';
import type { Trainable } from '../core/trainable.js';
import { type Dataset, imageSize } from '../data/dataset.js';

/** nats per example → bits per dimension: nats / (D · ln 2). */
export function bitsPerDim(nats: number, dims: number): number {
  return nats / (dims * Math.LN2);
}

/**
 * Mean of the model's evaluation metrics over a whole dataset, in batches (memory stays bounded).
 * The noise seeds come from `seed` alone, so two evaluations of the same weights agree exactly.
 */
export function evaluateDataset(
  model: Trainable,
  ds: Dataset,
  seed: number,
  batchSize = 500,
): Record<string, number> {
  const size = imageSize(ds);
  const rng = new Rng(seed);
  const sums: Record<string, number> = {};
  for (let start = 0; start < ds.count; start += batchSize) {
    const n = Math.min(batchSize, ds.count - start);
    const x = tf.tensor4d(ds.images.subarray(start * size, (start + n) * size), [n, ...ds.shape]);
    const m = model.evalBatch(x, rng.seed());
    x.dispose();
    for (const [k, v] of Object.entries(m)) sums[k] = (sums[k] ?? 0) + v;
  }
  const means = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / ds.count]));
  if (means.loss !== undefined) means.bitsPerDim = bitsPerDim(means.loss, size);
  return means;
}
