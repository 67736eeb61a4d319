/**
 * Writes what bench/reference/check_nvae_mirror.py compares the PyTorch reference with: the bench NVAE's
 * weights (weights() order), a small batch, and vaekit's log p(x|z), per-group KLs (batch-norm on batch
 * statistics, z at the posterior means) and Σ σ_max for them, and the gradient of
 * −mean log p(x|z) + Σ_j mean KL_j + 0.01·Σ σ_max with respect to every trained tensor (as the training
 * loss at β = 1, but with z at the posterior means instead of sampled).
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
const m = model as unknown as Internals;
const out = tf.tidy(() => {
  const pass = m.forward(x, { seed: 1, mode: { kind: 'batch' }, useMeans: true });
  const perImage = (t: tf.Tensor) => Array.from(t.reshape([x.shape[0], -1]).sum(1).dataSync());
  return {
    logPx: Array.from(pass.px.logProb(x).dataSync()),
    kls: pass.q.map((q, i) => perImage(i === 0 ? q.klToStandardNormalPerDim() : q.klToPerDim(pass.p[i]))),
    spectral: m.spectral.sum().dataSync()[0],
  };
});
const trained = model.variableGroups().model;
const { grads } = tf.variableGrads(() => {
  const pass = m.forward(x, { seed: 1, mode: { kind: 'batch' }, useMeans: true });
  const kl = pass.q.map((q, i) =>
    (i === 0 ? q.klToStandardNormalPerDim() : q.klToPerDim(pass.p[i])).sum().div(x.shape[0]),
  );
  return pass.px.logProb(x).mean().neg().add(tf.addN(kl)).add(m.spectral.sum().mul(0.01)) as tf.Scalar;
}, trained);
const gradients = Object.fromEntries(
  model.weights().flatMap((w) => {
    const v = trained.find((t) => t === w.tensor);
    return v ? [[w.name, Array.from(grads[v.name].dataSync())]] : [];
  }),
);
const weights = model.weights().map((w) => ({
  name: w.name,
  shape: w.tensor.shape,
  values: Array.from(w.tensor.dataSync()),
}));
writeFileSync(
  process.argv[2],
  JSON.stringify({ x: { shape: x.shape, values: Array.from(x.dataSync()) }, weights, gradients, ...out }),
);
console.log(
  `wrote ${process.argv[2]}: ${weights.length} tensors, logPx[0] ${out.logPx[0]}, spectral ${out.spectral}`,
);
