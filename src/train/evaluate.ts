import { Rng } from '../core/random.js';
import { imageSize } from '../data/dataset.js';
import type { Images } from '../data/source.js';
import { forEachBatch } from '../data/tensor-batches.js';
import type { GenerativeModel } from '../models/model.js';

/** nats per example → bits per dimension: nats / (D · ln 2). */
export function bitsPerDim(nats: number, dims: number): number {
  return nats / (dims * Math.LN2);
}

/**
 * Mean of the model's evaluation metrics over a whole dataset, in batches (memory stays bounded), and
 * `bitsPerDim` of the metric its capabilities name as the bound on −log p(x), when it has one.
 * The noise seeds come from `seed` alone, so two evaluations of the same weights agree exactly.
 */
export function evaluateDataset(
  model: GenerativeModel,
  ds: Images,
  seed: number,
  batchSize = 500,
): Record<string, number> {
  const rng = new Rng(seed);
  const sums: Record<string, number> = {};
  forEachBatch(ds, batchSize, (batch) => {
    for (const [k, v] of Object.entries(model.evalBatch(batch, rng.seed()))) sums[k] = (sums[k] ?? 0) + v;
  });
  const means = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / ds.count]));
  const bound = model.capabilities.bound;
  if (bound !== undefined && means[bound] !== undefined)
    means.bitsPerDim = bitsPerDim(means[bound], imageSize(ds));
  return means;
}
