import * as tf from '@tensorflow/tfjs';
import { toBatch } from '../../data/tensor-batches.js';
import type { GaussianLatent, GenerativeModel } from '../../models/model.js';
import { buildModel, modelConfigSchema } from '../../models/registry.js';
import type { ImageShape } from '../../nn/networks.js';
import type { CheckpointSpecs, RunApi } from '../protocol.js';
import type { RunInfo, TestImages } from './api.js';
import { fetchWeights } from './api.js';
import type { Rows } from './latent-math.js';

/** Images as plain numbers for drawing: count·h·w·c values in [0, 1]. */
export interface Pixels {
  data: Float32Array;
  count: number;
  shape: ImageShape;
}

/**
 * The run's model rebuilt in the browser by the same code that trained it (`buildModel` from the
 * run's config), with the current checkpoint's weights (of the run `api` names; default the main run).
 */
export async function loadModel(
  run: RunInfo,
  api?: Pick<RunApi, 'checkpointSpecs' | 'checkpointWeights'>,
): Promise<{ model: GenerativeModel; specs: CheckpointSpecs }> {
  if (!run.inputShape) throw new Error('config.json has no inputShape: the run was never started');
  const config = modelConfigSchema.parse(run.model);
  const model = buildModel(config, { inputShape: run.inputShape, classes: run.classes }, run.seed);
  const { specs, weights } = await fetchWeights(api);
  model.setWeights(weights);
  tf.dispose([...weights.values()]);
  return { model, specs };
}

const ENCODE_BATCH = 250;

/** What the encoder makes of the test images: latent means μ(x) and the mean KL of each dimension. */
export interface Encoded {
  means: Rows;
  /** (1/n) Σₓ ½ (μ² + σ² − 1 − log σ²) per latent dimension, nats. */
  klPerDim: Float32Array;
}

/** Latent means and KL per dimension of the test images (with their labels, for a conditional model). */
export function encodeImages(model: GaussianLatent, images: TestImages): Encoded {
  const m = model.latentDim;
  const size = images.shape[0] * images.shape[1] * images.shape[2];
  const means = new Float32Array(images.count * m);
  const klSum = new Float64Array(m);
  for (let start = 0; start < images.count; start += ENCODE_BATCH) {
    const n = Math.min(ENCODE_BATCH, images.count - start);
    const [mu, kl] = tf.tidy(() => {
      const pixels = images.pixels.subarray(start * size, (start + n) * size);
      const labels = images.labels ? Int32Array.from(images.labels.slice(start, start + n)) : undefined;
      const q = model.posterior(toBatch(pixels, n, images.shape, labels));
      return [q.mean.dataSync(), q.klToStandardNormalPerDim().sum(0).dataSync()];
    });
    means.set(mu, start * m);
    for (let j = 0; j < m; j++) klSum[j] += kl[j];
  }
  return {
    means: { data: means, n: images.count, m },
    klPerDim: Float32Array.from(klSum, (s) => s / images.count),
  };
}

/** `n` copies of a class label, for a conditional model (undefined for the others). */
const labelsOf = (n: number, label?: number) =>
  label === undefined ? undefined : new Int32Array(n).fill(label);

/** E[x|z] for each latent vector (of class `label`, for a conditional model). */
export function decodeLatents(
  model: GaussianLatent & GenerativeModel,
  zs: Float32Array[],
  label?: number,
): Pixels {
  const m = model.latentDim;
  const flat = new Float32Array(zs.length * m);
  for (const [i, z] of zs.entries()) flat.set(z, i * m);
  const data = tf.tidy(() => {
    const labels = labelsOf(zs.length, label);
    return model
      .decodeMean(tf.tensor2d(flat, [zs.length, m]), labels && tf.tensor1d(labels, 'int32'))
      .dataSync() as Float32Array;
  });
  return { data, count: zs.length, shape: model.inputShape };
}

/** n samples of the model's prior at temperature t (of class `label`, for a conditional model). */
export function samplePixels(
  model: GenerativeModel,
  n: number,
  seed: number,
  temperature: number,
  label?: number,
): Pixels {
  const labels = labelsOf(n, label);
  const data = tf.tidy(() => model.sample(n, seed, { temperature, labels }).dataSync() as Float32Array);
  return { data, count: n, shape: model.inputShape };
}
