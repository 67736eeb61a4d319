import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import { type Images, readImages } from '../data/source.js';
import type { LatentVariableModel } from '../models/latent-model.js';

/** μ_φ(x) for every image of `ds`, in batches: a flat [count, m] Float32Array. */
export function encodeMeans(model: LatentVariableModel, ds: Images, batchSize = 500): Float32Array {
  const out = new Float32Array(ds.count * model.latentDim);
  for (let start = 0; start < ds.count; start += batchSize) {
    const n = Math.min(batchSize, ds.count - start);
    const mu = tf.tidy(() => {
      const { images, count } = readImages(
        ds,
        Int32Array.from({ length: n }, (_, i) => start + i),
      );
      if (count !== n)
        throw new InputError({ where: ds.name, expected: `${n} decodable images`, found: `${count}` });
      const x = tf.tensor4d(images, [n, ...ds.shape]);
      return model.encode(x).mean.dataSync() as Float32Array;
    });
    out.set(mu, start * model.latentDim);
  }
  return out;
}
