/**
 * The discretised logistic mixture's log-likelihood (distributions/logistic-mixture.ts) as one op where the
 * native addon runs: one kernel each way (native/logistic-mixture.cc, formulas in native/kernels.h) in place
 * of the ~100 tf ops over [K, N] of the tf-op formula, and one node on the gradient tape. Differentiated for
 * the parameters and for x, as the tf-op formula is (its branch masks held constant).
 */
import * as tf from '@tensorflow/tfjs';
import { fusedKernelAvailable } from '../wasm/fused-kernel.js';
import { LOGISTIC_MIXTURE, LOGISTIC_MIXTURE_GRAD } from '../wasm/logistic-mixture.js';
import { runNative, withGradient } from './run.js';

/**
 * log p(x) [B, h, w, c] of x [B, h, w, c] in [0, 1] under params [B, h, w, c·3K] (each channel's K logits,
 * K pre-tanh locations, K pre-clamp log scales), natively; null where the native kernels do not run here
 * (cpu, wasm without the addon, not float32, other shapes): the caller then runs the tf-op formula.
 */
export function logisticMixtureLogProb(params: tf.Tensor, x: tf.Tensor, mixtures: number): tf.Tensor | null {
  const ps = params.shape;
  const fits =
    params.dtype === 'float32' &&
    x.dtype === 'float32' &&
    Number.isInteger(mixtures) &&
    mixtures >= 1 &&
    ps.length === x.rank &&
    x.rank >= 1 &&
    tf.util.arraysEqual(ps.slice(0, -1), x.shape.slice(0, -1)) &&
    ps[ps.length - 1] === 3 * mixtures * x.shape[x.rank - 1];
  if (!fits || !fusedKernelAvailable(LOGISTIC_MIXTURE)) return null;
  const attrs = { mixtures };
  return withGradient(
    [params, x],
    [params, x],
    () => runNative<tf.Tensor>(LOGISTIC_MIXTURE, { params, x }, attrs),
    (dy, [p, xs]) => runNative<tf.Tensor[]>(LOGISTIC_MIXTURE_GRAD, { params: p, x: xs, dy }, attrs),
  );
}
