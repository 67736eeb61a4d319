/**
 * Training throughput of vaekit's own VAE (the same two reference architectures) through
 * the trainer's step — on the main thread (1 worker) or data-parallel over worker threads.
 */
import * as tf from '@tensorflow/tfjs';
import { vaeConfigSchema } from '../src/models/vae/config.js';
import { VAE } from '../src/models/vae/vae.js';
import { trainConfigSchema } from '../src/train/config.js';
import { withWorkers } from '../src/train/parallel/data-parallel.js';
import { BATCH } from './measure.js';

/** vaekit configs of the two models of bench/models.ts (784-400-20 MLP; conv 32,64 with z = 16). */
export const CONFIGS = {
  mlp: { latentDim: 20, network: { type: 'mlp', hidden: [400] } },
  conv: { latentDim: 16, network: { type: 'conv', filters: [32, 64] } },
} as const;

export interface ParallelResult {
  msPerStep: number;
  imgPerSec: number;
  loss: number;
}

/**
 * vaekit's VAE of `CONFIGS[name]` on `workers` threads, handed to `use` as one step function on one fixed
 * binary batch of 128 (Adam; step i draws its noise with seed i + 1); everything is freed afterwards.
 */
export async function withVaeSteps<T>(
  name: keyof typeof CONFIGS,
  workers: number,
  use: (step: (i: number) => number) => Promise<T> | T,
): Promise<T> {
  const config = vaeConfigSchema.parse(CONFIGS[name]);
  const shape: [number, number, number] = [28, 28, 1];
  const model = new VAE(config, shape, 1);
  const train = trainConfigSchema.parse({ batchSize: BATCH, workers });
  const replica = { model: config, data: { inputShape: shape }, seed: 1 };
  try {
    return await withWorkers(model, { workers, replica, train }, async (trainer) => {
      const optimizers = trainer.createOptimizers(1);
      const x = tf.tidy(() =>
        tf
          .randomUniform([BATCH, ...shape])
          .greater(0.5)
          .cast('float32'),
      ) as tf.Tensor4D;
      const ctx = (i: number) => ({
        step: i,
        epoch: 0,
        seed: i + 1,
        beta: 1,
        freeBits: 0,
        objective: { kind: 'elbo' } as const,
      });
      try {
        return await use((i) => trainer.step({ x }, ctx(i), optimizers, 0).metrics.loss);
      } finally {
        x.dispose();
        for (const o of Object.values(optimizers)) o.dispose();
      }
    });
  } finally {
    model.dispose();
  }
}

/** `steps` timed Adam steps on one fixed binary batch of 128 after `warmup` untimed ones. */
export async function trainStepsParallel(
  name: keyof typeof CONFIGS,
  workers: number,
  steps: number,
  warmup: number,
): Promise<ParallelResult> {
  return withVaeSteps(name, workers, (step) => {
    for (let i = 0; i < warmup; i++) step(i);
    let loss = Number.NaN;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) loss = step(warmup + i);
    const ms = (performance.now() - t0) / steps;
    return { msPerStep: ms, imgPerSec: (BATCH * 1000) / ms, loss };
  });
}
