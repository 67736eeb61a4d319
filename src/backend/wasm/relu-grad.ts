/** The native kernel of relu's gradient, dx = dy·step(x) (native/elementwise.cc), run by fused/relu-grad.ts. */
import { util } from '@tensorflow/tfjs';
import { fusedKernelConfig } from './fused-kernel.js';

export const RELU_GRAD = 'VaekitReluGrad';

export const reluGradKernelConfig = fusedKernelConfig({
  name: RELU_GRAD,
  inputs: ['x', 'dy'],
  outputs: ([x]) => [x.shape],
  run: (n, heap, [x, dy, dx], [input]) => n.reluGrad(heap, x, dy, dx, util.sizeFromShape(input.shape)),
});
