import * as tf from '@tensorflow/tfjs';
import { type Dataset, imageSize } from '../data/dataset.js';
import type { LatentVariableModel } from '../models/latent-model.js';

/** μ_φ(x) for every image of `ds`, in batches: a flat [count, m] Float32Array. */
export function encodeMeans(model: LatentVariableModel, ds: Dataset, batchSize = 500): Float32Array {
  const size = imageSize(ds);
  const out = new Float32Array(ds.count * model.latentDim);
  for (let start = 0; start < ds.count; start += batchSize) {
    const n = Math.min(batchSize, ds.count - start);
    const mu = tf.tidy(() => {
      const x = tf.tensor4d(ds.images.subarray(start * size, (start + n) * size), [n, ...ds.shape]);
      return model.encode(x).mean.dataSync() as Float32Array;
    });
    out.set(mu, start * model.latentDim);
  }
  return out;
}
