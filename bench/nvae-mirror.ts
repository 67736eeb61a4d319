/**
 * Writes what bench/reference/check_nvae_mirror.py compares the PyTorch reference with: the bench NVAE's
 * weights (weights() order), a small batch, and vaekit's log p(x|z), per-group KLs (batch-norm on batch
 * statistics, z at the posterior means) and Σ σ_max for them.
 *   node --import tsx bench/nvae-mirror.ts <out.json>
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.js';
import type { DiagGaussian, Likelihood } from '../src/distributions/index.js';
import { NVAE } from '../src/models/nvae/nvae.js';
import type { NormMode } from '../src/nn/nvae/batch-norm.js';
import type { SpectralNorms } from '../src/nn/nvae/spectral.js';
import { NVAE_SHAPE, nvaeBenchConfig } from './nvae.js';

interface Internals {
  forward(
    x: tf.Tensor4D,
    o: { seed: number; mode: NormMode; useMeans: boolean },
  ): { q: DiagGaussian[]; p: DiagGaussian[]; px: Likelihood };
  spectral: SpectralNorms;
}

await initBackend(process.env.VAEKIT_BACKEND === 'cpu' ? 'cpu' : 'wasm');
const model = new NVAE(nvaeBenchConfig(), NVAE_SHAPE, 7);
const x = tf.tidy(() =>
  tf
    .randomUniform([8, ...NVAE_SHAPE], 0, 256, 'float32', 3)
    .floor()
    .div(255),
) as tf.Tensor4D;
const out = tf.tidy(() => {
  const m = model as unknown as Internals;
  const pass = m.forward(x, { seed: 1, mode: { kind: 'batch' }, useMeans: true });
  const perImage = (t: tf.Tensor) => Array.from(t.reshape([x.shape[0], -1]).sum(1).dataSync());
  return {
    logPx: Array.from(pass.px.logProb(x).dataSync()),
    kls: pass.q.map((q, i) => perImage(i === 0 ? q.klToStandardNormalPerDim() : q.klToPerDim(pass.p[i]))),
    spectral: m.spectral.sum().dataSync()[0],
  };
});
const weights = model.weights().map((w) => ({
  name: w.name,
  shape: w.tensor.shape,
  values: Array.from(w.tensor.dataSync()),
}));
writeFileSync(
  process.argv[2],
  JSON.stringify({ x: { shape: x.shape, values: Array.from(x.dataSync()) }, weights, ...out }),
);
console.log(
  `wrote ${process.argv[2]}: ${weights.length} tensors, logPx[0] ${out.logPx[0]}, spectral ${out.spectral}`,
);
