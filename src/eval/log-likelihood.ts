import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random.js';
import { type Dataset, imageSize } from '../data/dataset.js';
import { toBatch } from '../data/tensor-batches.js';
import { type LatentModel, logImportanceWeights } from '../objectives/latent.js';
import { bitsPerDim } from '../train/evaluate.js';

/** `times` copies of `values` one after another. */
function repeat(values: Float32Array, times: number): Float32Array {
  const out = new Float32Array(values.length * times);
  for (let i = 0; i < times; i++) out.set(values, i * values.length);
  return out;
}

export interface ImportanceSamplingOptions {
  /** Importance samples per image. */
  k: number;
  seed?: number;
  /** Only the first `limit` images of the dataset. */
  limit?: number;
  /**
   * Most decoder rows (samples × images) in one tensor op: memory stays bounded whatever k is.
   * k ≥ rows: one image at a time, its k samples in chunks of `rows`; k < rows: ⌊rows / k⌋ images at once.
   */
  rows?: number;
  /** Called after each chunk with the images finished so far. */
  onProgress?(done: number, total: number): void;
}

export interface LogLikelihoodEstimate {
  k: number;
  count: number;
  /** log p̂(x) per image, nats. */
  perImage: Float64Array;
  /** Mean of −log p̂(x), nats per image, and the same in bits per dimension. */
  nll: number;
  bitsPerDim: number;
}

/** log(e^a + e^b) without overflow. */
export const logAddExp = (a: number, b: number) =>
  a === Number.NEGATIVE_INFINITY ? b : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));

/**
 * The importance-sampled estimate of log p(x) (Rezende et al. 2014; Burda et al. 2015):
 *   log p̂(x) = log (1/k) Σ_{i=1..k} p_θ(x|z_i) p(z_i) / q_φ(z_i|x),  z_i ~ q_φ(z|x),
 * which is also the k-sample IWAE bound: it is ≤ log p(x) in expectation and tends to it as k grows.
 * The k samples are processed in chunks and combined with a running log-sum-exp in float64.
 */
export function importanceSampledLogLikelihood(
  model: LatentModel,
  ds: Dataset,
  opts: ImportanceSamplingOptions,
): LogLikelihoodEstimate {
  const { k } = opts;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, found ${k}`);
  const n = Math.min(opts.limit ?? ds.count, ds.count);
  const rows = opts.rows ?? 5000;
  const perChunk = Math.min(k, rows);
  const imagesPerOp = Math.max(1, Math.floor(rows / perChunk));
  const size = imageSize(ds);
  const rng = new Rng(opts.seed ?? 0);
  const perImage = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  for (let start = 0; start < n; start += imagesPerOp) {
    const b = Math.min(imagesPerOp, n - start);
    const images = ds.images.subarray(start * size, (start + b) * size);
    const labels = ds.labels?.subarray(start, start + b);
    for (let done = 0; done < k; done += perChunk) {
      const s = Math.min(perChunk, k - done);
      // x repeated s times by typed-array copies (much faster than tf.tile on wasm)
      const lse = tf.tidy(() => {
        const tiledX = tf.tensor4d(repeat(images, s), [s * b, ...ds.shape]);
        const sampling = { k: s, seed: rng.seed(), training: false, tiledX };
        return tf.logSumExp(logImportanceWeights(model, toBatch(images, b, ds.shape, labels), sampling), 0);
      });
      const values = lse.dataSync();
      lse.dispose();
      for (let i = 0; i < b; i++) perImage[start + i] = logAddExp(perImage[start + i], values[i]);
    }
    opts.onProgress?.(start + b, n);
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    perImage[i] -= Math.log(k);
    sum += perImage[i];
  }
  const nll = -sum / n;
  return { k, count: n, perImage, nll, bitsPerDim: bitsPerDim(nll, size) };
}
