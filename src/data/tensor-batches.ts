import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import type { Batch } from '../core/trainable.js';
import { type Images, readImages } from './source.js';

/** A batch of images (and their labels, when the data has them) as tensors. */
export function toBatch(
  images: Float32Array,
  count: number,
  shape: [number, number, number],
  labels?: Int32Array,
): Batch {
  return { x: tf.tensor4d(images, [count, ...shape]), labels: labels && tf.tensor1d(labels, 'int32') };
}

/**
 * Runs `f` on the first `limit` images of `ds` in order, `batchSize` at a time, as tensors that live only
 * for the call (inside tf.tidy): the one way vaekit runs a model over a dataset.
 */
export function forEachBatch(
  ds: Images,
  batchSize: number,
  f: (batch: Batch, start: number, n: number) => void,
  limit = ds.count,
): void {
  const total = Math.min(limit, ds.count);
  for (let start = 0; start < total; start += batchSize) {
    const n = Math.min(batchSize, total - start);
    const read = readImages(
      ds,
      Int32Array.from({ length: n }, (_, i) => start + i),
    );
    if (read.count !== n) {
      throw new InputError({ where: ds.name, expected: `${n} decodable images`, found: `${read.count}` });
    }
    tf.tidy(() => f(toBatch(read.images, n, ds.shape, read.labels), start, n));
  }
}
