import * as tf from '@tensorflow/tfjs';
import { buildModel, modelConfigSchema } from '../../models/build.js';
import { type AutoencodingModel, type GenerativeModel, isAutoencoding } from '../../models/generative.js';
import type { ImageShape } from '../../nn/networks.js';
import type { CheckpointSpecs } from '../protocol.js';
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
 * run's config), with the current checkpoint's weights.
 */
export async function loadModel(run: RunInfo): Promise<{ model: GenerativeModel; specs: CheckpointSpecs }> {
  if (!run.inputShape) throw new Error('config.json has no inputShape: the run was never started');
  const config = modelConfigSchema.parse(run.model);
  const model = buildModel(config, run.inputShape, run.seed);
  const { specs, weights } = await fetchWeights();
  model.setWeights(weights);
  tf.dispose([...weights.values()]);
  return { model, specs };
}

/**
 * Whether the latent-space panels can work with the model: they need one latent vector per image,
 * q(z|x) from `encode` and p(x|z) from `decode` (a VAE; not a GAN, nor the hierarchical VAE's stack of groups).
 */
export function hasLatentSpace(model: GenerativeModel): model is AutoencodingModel {
  return isAutoencoding(model);
}

const ENCODE_BATCH = 250;

/** What the encoder makes of the test images: latent means μ(x) and the mean KL of each dimension. */
export interface Encoded {
  means: Rows;
  /** (1/n) Σₓ ½ (μ² + σ² − 1 − log σ²) per latent dimension, nats. */
  klPerDim: Float32Array;
}

export function encodeImages(model: AutoencodingModel, images: TestImages): Encoded {
  const m = model.latentDim;
  const size = images.shape[0] * images.shape[1] * images.shape[2];
  const means = new Float32Array(images.count * m);
  const klSum = new Float64Array(m);
  for (let start = 0; start < images.count; start += ENCODE_BATCH) {
    const n = Math.min(ENCODE_BATCH, images.count - start);
    const [mu, kl] = tf.tidy(() => {
      const x = tf.tensor4d(images.pixels.subarray(start * size, (start + n) * size), [n, ...images.shape]);
      const q = model.encode(x);
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

/** E[x|z] for each latent vector. */
export function decodeLatents(model: AutoencodingModel, zs: Float32Array[]): Pixels {
  const m = model.latentDim;
  const flat = new Float32Array(zs.length * m);
  for (const [i, z] of zs.entries()) flat.set(z, i * m);
  const data = tf.tidy(
    () =>
      model
        .decode(tf.tensor2d(flat, [zs.length, m]))
        .mean()
        .dataSync() as Float32Array,
  );
  return { data, count: zs.length, shape: model.inputShape };
}

/** n samples of the model's prior at temperature t. */
export function samplePixels(model: GenerativeModel, n: number, seed: number, temperature: number): Pixels {
  const data = tf.tidy(() => model.sample(n, seed, temperature).dataSync() as Float32Array);
  return { data, count: n, shape: model.inputShape };
}
