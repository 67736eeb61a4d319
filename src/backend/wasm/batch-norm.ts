/**
 * The native kernels of batch normalisation in training mode (native/norm.cc), run by fused/batch-norm.ts,
 * on x seen as [rows, C] (rows = B·h·w in NHWC): the statistics stats = [μ; v] ([2, C], v biased), the
 * normalisation y = γ·(x − μ)/√(v + ε) + β, and its gradient (dx, dγ, dβ) with μ and v functions of x;
 * with the attribute `swish`, swish(y) and its gradient in the same passes.
 */
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { util } from '@tensorflow/tfjs';
import { fusedKernelConfig } from './fused-kernel.js';

export const BATCH_NORM_STATS = 'VaekitBatchNormStats';
export const BATCH_NORM = 'VaekitBatchNorm';
export const BATCH_NORM_GRAD = 'VaekitBatchNormGrad';

/** Rows (every axis but the last) and channels (the last). */
function rowsC(t: TensorInfo): [number, number] {
  const C = t.shape[t.shape.length - 1] ?? 1;
  return [C === 0 ? 0 : util.sizeFromShape(t.shape) / C, C];
}
const epsilon = (attrs: NamedAttrMap) => attrs.epsilon as number;
const swish = (attrs: NamedAttrMap) => attrs.swish === true;

export const batchNormConfigs = [
  fusedKernelConfig({
    name: BATCH_NORM_STATS,
    inputs: ['x'],
    outputs: ([x]) => [[2, rowsC(x)[1]]],
    run: (n, heap, [x, stats], [input]) => n.batchNormStats(heap, x, stats, ...rowsC(input)),
  }),
  fusedKernelConfig({
    name: BATCH_NORM,
    inputs: ['x', 'gamma', 'beta', 'stats'],
    outputs: ([x]) => [x.shape],
    run: (n, heap, [x, gamma, beta, stats, y], [input], attrs) =>
      n.batchNormApply(heap, x, gamma, beta, stats, y, ...rowsC(input), epsilon(attrs), swish(attrs)),
  }),
  fusedKernelConfig({
    name: BATCH_NORM_GRAD,
    inputs: ['x', 'gamma', 'beta', 'stats', 'dy'],
    outputs: ([x, gamma]) => [x.shape, gamma.shape, gamma.shape],
    run: (n, heap, [x, gamma, beta, stats, dy, dx, dgamma, dbeta], [input], attrs) =>
      n.batchNormGrad(
        heap,
        x,
        gamma,
        beta,
        stats,
        dy,
        dx,
        dgamma,
        dbeta,
        ...rowsC(input),
        epsilon(attrs),
        swish(attrs),
      ),
  }),
];
