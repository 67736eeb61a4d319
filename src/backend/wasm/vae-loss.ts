/**
 * The native kernels of the VAE loss's fused ops (native/elementwise.cc; formulas in native/kernels.h):
 * the Bernoulli log-likelihood from logits per row, the Gaussian KL to N(0, 1) per element, the
 * reparameterised sample, and their gradients. backend/fused/ runs them through tf.customGrad.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { util } from '@tensorflow/tfjs';
import { type FusedKernel, fusedKernelConfig } from './fused-kernel.js';

/** Rows (the leading axis) and the elements of each row. */
function rowsCols(t: TensorInfo): [number, number] {
  const rows = t.shape[0] ?? 1;
  return [rows, rows === 0 ? 0 : util.sizeFromShape(t.shape) / rows];
}
const size = (t: TensorInfo) => util.sizeFromShape(t.shape);

export const BERNOULLI_LOG_PROB = 'VaekitBernoulliLogProb';
export const BERNOULLI_LOG_PROB_GRAD = 'VaekitBernoulliLogProbGrad';
export const GAUSSIAN_KL = 'VaekitGaussianKl';
export const GAUSSIAN_KL_GRAD = 'VaekitGaussianKlGrad';
export const REPARAMETERISE = 'VaekitReparameterise';
export const REPARAMETERISE_GRAD = 'VaekitReparameteriseGrad';

const KERNELS: FusedKernel[] = [
  {
    name: BERNOULLI_LOG_PROB,
    inputs: ['logits', 'x'],
    outputs: ([l]) => [[rowsCols(l)[0]]],
    run: (n, heap, [l, x, out], [logits]) => n.bernoulliLogProb(heap, l, x, out, ...rowsCols(logits)),
  },
  {
    name: BERNOULLI_LOG_PROB_GRAD,
    inputs: ['logits', 'x', 'dy'],
    outputs: ([l]) => [l.shape, l.shape],
    run: (n, heap, [l, x, dy, dl, dx], [logits]) =>
      n.bernoulliLogProbGrad(heap, l, x, dy, dl, dx, ...rowsCols(logits)),
  },
  {
    name: GAUSSIAN_KL,
    inputs: ['mean', 'logVar'],
    outputs: ([mu]) => [mu.shape],
    run: (n, heap, [mu, lv, out], [mean]) => n.gaussianKl(heap, mu, lv, out, size(mean)),
  },
  {
    name: GAUSSIAN_KL_GRAD,
    inputs: ['mean', 'logVar', 'dy'],
    outputs: ([mu]) => [mu.shape, mu.shape],
    run: (n, heap, [mu, lv, dy, dmu, dlv], [mean]) =>
      n.gaussianKlGrad(heap, mu, lv, dy, dmu, dlv, size(mean)),
  },
  {
    name: REPARAMETERISE,
    inputs: ['mean', 'logVar', 'eps'],
    outputs: ([mu]) => [mu.shape],
    run: (n, heap, [mu, lv, eps, z], [mean]) => n.reparameterise(heap, mu, lv, eps, z, size(mean)),
  },
  {
    name: REPARAMETERISE_GRAD,
    inputs: ['logVar', 'eps', 'dy'],
    outputs: ([lv]) => [lv.shape],
    run: (n, heap, [lv, eps, dy, dlv], [logVar]) =>
      n.reparameteriseGrad(heap, lv, eps, dy, dlv, size(logVar)),
  },
];

export const vaeLossConfigs = KERNELS.map(fusedKernelConfig);
