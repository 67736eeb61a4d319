/** Timing and memory of training steps and of decoding, for one backend and model. */
import * as tf from '@tensorflow/tfjs';
import { createOptimizer } from '../src/backend/index.js';
import type { BenchModel } from './models.js';

export const BATCH = 128;

export interface TrainResult {
  msPerStep: number;
  imgPerSec: number;
  peakRssMiB: number;
  peakTfMiB: number;
  tensorsBefore: number;
  tensorsAfter: number;
  loss: number;
}

/** Random binary input as in the PyTorch script: x = (U(0,1) > 0.5). */
export function binaryBatch(): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([BATCH, 784]), 0.5), 'float32') as tf.Tensor2D);
}

const MiB = 2 ** 20;

/** Trains `steps` Adam steps after `warmup` untimed ones; reads the loss each step (like loss.item()). */
export async function trainSteps(model: BenchModel, steps: number, warmup: number): Promise<TrainResult> {
  const x = binaryBatch();
  const opt = createOptimizer({ kind: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999 }); // vaekit's Adam: fused on wasm with the native addon, tfjs's otherwise
  const step = () => {
    const cost = opt.minimize(() => model.loss(x), true, model.params);
    const value = cost!.dataSync()[0];
    cost!.dispose();
    return value;
  };
  for (let i = 0; i < warmup; i++) step();
  // One profiled step for the peak bytes held by tensors inside a step.
  const peakTfMiB = (await tf.profile(() => void step())).peakBytes / MiB;
  const tensorsBefore = tf.memory().numTensors;
  let peakRss = process.memoryUsage().rss;
  let loss = Number.NaN;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    loss = step();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const ms = (performance.now() - t0) / steps;
  const tensorsAfter = tf.memory().numTensors;
  opt.dispose();
  x.dispose();
  return {
    msPerStep: ms,
    imgPerSec: (BATCH * 1000) / ms,
    peakRssMiB: peakRss / MiB,
    peakTfMiB,
    tensorsBefore,
    tensorsAfter,
    loss,
  };
}

/** Decodes `count` prior samples z ~ N(0, I) in chunks; returns images per second. */
export function sampleRate(model: BenchModel, count: number, chunk = 1000): number {
  const run = () => {
    for (let done = 0; done < count; done += chunk) {
      const n = Math.min(chunk, count - done);
      const img = tf.tidy(() => model.decode(tf.randomNormal([n, model.latent])));
      img.dataSync();
      img.dispose();
    }
  };
  run(); // warm-up (XNNPACK operator creation, heap growth)
  const t0 = performance.now();
  run();
  return (count * 1000) / (performance.now() - t0);
}
