/**
 * The native kernels of Swish (native/elementwise.cc), run by fused/swish.ts:
 * y = x·σ(x) and its gradient dx = dy·σ(x)·(1 + x·(1 − σ(x))).
 */
import { util } from '@tensorflow/tfjs';
import { fusedKernelConfig } from './fused-kernel.js';

export const SWISH = 'VaekitSwish';
export const SWISH_GRAD = 'VaekitSwishGrad';

export const swishConfigs = [
  fusedKernelConfig({
    name: SWISH,
    inputs: ['x'],
    outputs: ([x]) => [x.shape],
    run: (n, heap, [x, y], [input]) => n.swish(heap, x, y, util.sizeFromShape(input.shape)),
  }),
  fusedKernelConfig({
    name: SWISH_GRAD,
    inputs: ['x', 'dy'],
    outputs: ([x]) => [x.shape],
    run: (n, heap, [x, dy, dx], [input]) => n.swishGrad(heap, x, dy, dx, util.sizeFromShape(input.shape)),
  }),
];
