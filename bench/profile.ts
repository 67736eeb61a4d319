/**
 * Where one training step of vaekit's own VAE spends its time: tf.profile of the trainer's step (the
 * `vaekit W=1` row of the throughput bench, or bench/nvae.ts's NVAE step), kernels grouped by name,
 * slowest first.
 *   npm run bench:profile -- [mlp|conv|nvae]
 * PROFILE_SHAPES=N also lists the slowest input/output shapes of the N slowest kernels (PROFILE_TOP of them
 * each, default 3). Only registered kernels are counted (customGrad ops would time their kernels twice).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.js';
import { type CONFIGS, withVaeSteps } from './data-parallel.js';
import { withNvaeSteps } from './nvae.js';

const name = (process.argv[2] ?? 'mlp') as keyof typeof CONFIGS | 'nvae';
await initBackend('wasm');
type Use = (step: (i: number) => number) => Promise<void>;
const withSteps = (use: Use) => (name === 'nvae' ? withNvaeSteps(use) : withVaeSteps(name, 1, use));
await withSteps(async (step) => {
  for (let i = 0; i < 5; i++) step(i);
  const t0 = performance.now();
  const info = await tf.profile(() => void step(5));
  const wall = performance.now() - t0;
  // customGrad ops (tf.fused.conv2d's, vaekit's fused ops) appear as entries of their own that time
  // the kernels inside them again: only registered kernels are counted
  const kernels = info.kernels.filter((k) => tf.getKernel(k.name, tf.getBackend()) != null);
  const byName = new Map<string, { n: number; ms: number }>();
  for (const k of kernels) {
    const e = byName.get(k.name) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += k.kernelTimeMs as number;
    byName.set(k.name, e);
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0);
  console.log(
    `${name}: ${kernels.length} kernels, ${total.toFixed(2)} ms in kernels, ${wall.toFixed(1)} ms wall (profiled)`,
  );
  const shapes = new Map<string, Map<string, { n: number; ms: number }>>();
  for (const k of kernels) {
    const key = `${k.inputShapes.map((s) => `[${s}]`).join(' ')} → ${k.outputShapes.map((s) => `[${s}]`).join(' ')}`;
    const m = shapes.get(k.name) ?? new Map<string, { n: number; ms: number }>();
    const e = m.get(key) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += k.kernelTimeMs as number;
    m.set(key, e);
    shapes.set(k.name, m);
  }
  for (const [k, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms))
    console.log(
      `${k.padEnd(28)} ×${String(e.n).padEnd(4)} ${e.ms.toFixed(3).padStart(9)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)} %`,
    );
  if (process.env.PROFILE_SHAPES) {
    console.log('\nslowest shapes of the slowest kernels:');
    for (const [k] of [...byName]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, Number(process.env.PROFILE_SHAPES))) {
      for (const [key, e] of [...shapes.get(k)!]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, Number(process.env.PROFILE_TOP ?? 3)))
        console.log(`  ${k.padEnd(26)} ×${String(e.n).padEnd(4)} ${e.ms.toFixed(2).padStart(8)} ms  ${key}`);
    }
  }
});
