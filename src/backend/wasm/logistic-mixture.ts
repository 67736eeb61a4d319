/**
 * The native kernels of the discretised logistic mixture's log-likelihood (native/logistic-mixture.cc), run
 * by fused/logistic-mixture.ts: params [B, h, w, c·3K] and x [B, h, w, c] → log p(x) [B, h, w, c], and its
 * gradient for the parameters, dparams [B, h, w, c·3K], and for x, dx [B, h, w, c], for an upstream dy
 * [B, h, w, c]. K is the attribute `mixtures`.
 */
import { util } from '@tensorflow/tfjs';
import { fusedKernelConfig } from './fused-kernel.js';

export const LOGISTIC_MIXTURE = 'VaekitLogisticMixture';
export const LOGISTIC_MIXTURE_GRAD = 'VaekitLogisticMixtureGrad';

export const logisticMixtureConfigs = [
  fusedKernelConfig({
    name: LOGISTIC_MIXTURE,
    inputs: ['params', 'x'],
    outputs: ([, x]) => [x.shape],
    run: (n, heap, [params, x, out], [, input], attrs) =>
      n.logisticMixtureLogProb(
        heap,
        params,
        x,
        out,
        util.sizeFromShape(input.shape),
        attrs.mixtures as number,
      ),
  }),
  fusedKernelConfig({
    name: LOGISTIC_MIXTURE_GRAD,
    inputs: ['params', 'x', 'dy'],
    outputs: ([params, x]) => [params.shape, x.shape],
    run: (n, heap, [params, x, dy, dparams, dx], [, input], attrs) =>
      n.logisticMixtureLogProbGrad(
        heap,
        params,
        x,
        dy,
        dparams,
        dx,
        util.sizeFromShape(input.shape),
        attrs.mixtures as number,
      ),
  }),
];
