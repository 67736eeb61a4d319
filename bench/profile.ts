/**
 * Where one training step of vaekit's own VAE spends its time: tf.profile of the trainer's step (the
 * `vaekit W=1` row of the throughput bench), kernels grouped by name, slowest first.
 *   npm run bench:profile -- [mlp|conv]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.js';
import { vaeConfigSchema } from '../src/models/vae/config.js';
import { VAE } from '../src/models/vae/vae.js';
import { trainConfigSchema } from '../src/train/config.js';
import { withWorkers } from '../src/train/parallel/data-parallel.js';
import { CONFIGS } from './data-parallel.js';
import { BATCH } from './measure.js';

const name = (process.argv[2] ?? 'mlp') as keyof typeof CONFIGS;
await initBackend('wasm');
const config = vaeConfigSchema.parse(CONFIGS[name]);
const shape: [number, number, number] = [28, 28, 1];
const model = new VAE(config, shape, 1);
const train = trainConfigSchema.parse({ batchSize: BATCH, workers: 1 });
await withWorkers(
  model,
  { workers: 1, replica: { model: config, data: { inputShape: shape }, seed: 1 }, train },
  async (trainer) => {
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
    const step = (i: number) => trainer.step({ x }, ctx(i), optimizers, 0).metrics.loss;
    for (let i = 0; i < 5; i++) step(i);
    const t0 = performance.now();
    const info = await tf.profile(() => void step(5));
    const wall = performance.now() - t0;
    const byName = new Map<string, { n: number; ms: number }>();
    for (const k of info.kernels) {
      const e = byName.get(k.name) ?? { n: 0, ms: 0 };
      e.n++;
      e.ms += k.kernelTimeMs as number;
      byName.set(k.name, e);
    }
    const total = [...byName.values()].reduce((s, e) => s + e.ms, 0);
    console.log(
      `${name}: ${info.kernels.length} kernels, ${total.toFixed(2)} ms in kernels, ${wall.toFixed(1)} ms wall (profiled)`,
    );
    for (const [k, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms))
      console.log(`${k.padEnd(28)} ×${String(e.n).padEnd(4)} ${e.ms.toFixed(3)} ms`);
    x.dispose();
  },
);
model.dispose();
