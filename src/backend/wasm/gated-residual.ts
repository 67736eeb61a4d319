/**
 * The native kernels of the gated residual sum (native/elementwise.cc), run by fused/gated-residual.ts:
 * y = skip + s·x·gate for x, skip [B, h, w, C] and gate [B, C], and its gradient (dx, dgate).
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { fusedKernelConfig } from './fused-kernel.js';

export const GATED_RESIDUAL = 'VaekitGatedResidual';
export const GATED_RESIDUAL_GRAD = 'VaekitGatedResidualGrad';

/** [B, P, C] of an NHWC map: images, pixels, channels. */
const dims = (x: TensorInfo): [number, number, number] => {
  const [b, h, w, c] = x.shape;
  return [b, h * w, c];
};

export const gatedResidualConfigs = [
  fusedKernelConfig({
    name: GATED_RESIDUAL,
    inputs: ['skip', 'x', 'gate'],
    outputs: ([, x]) => [x.shape],
    run: (n, heap, [skip, x, gate, y], [, input], attrs) =>
      n.gatedResidual(heap, skip, x, gate, y, ...dims(input), attrs.scale as number),
  }),
  fusedKernelConfig({
    name: GATED_RESIDUAL_GRAD,
    inputs: ['x', 'gate', 'dy'],
    outputs: ([x, gate]) => [x.shape, gate.shape],
    run: (n, heap, [x, gate, dy, dx, dgate], [input], attrs) =>
      n.gatedResidualGrad(heap, x, gate, dy, dx, dgate, ...dims(input), attrs.scale as number),
  }),
];
