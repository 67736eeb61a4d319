/**
 * The diagonal Gaussian's hot elementwise ops, each one op (natively one kernel each way,
 * native/elementwise.cc; elsewhere the same formulas in tf ops). lv = log σ².
 */
import * as tf from '@tensorflow/tfjs';
import { GAUSSIAN_KL, GAUSSIAN_KL_GRAD, REPARAMETERISE, REPARAMETERISE_GRAD } from '../wasm/vae-loss.js';
import { nativeFor, runNative, withGradient } from './run.js';

/**
 * KL(N(μ, σ²) ‖ N(0, 1)) per element: ½ (μ² + e^lv − 1 − lv);
 * ∂/∂μ = μ, ∂/∂lv = ½ (e^lv − 1).
 */
export function gaussianKlToStandard(mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor {
  const plain = () => tf.mul(0.5, tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), tf.add(1, logVar)));
  if (!tf.util.arraysEqual(mean.shape, logVar.shape)) return plain();
  const native = nativeFor(GAUSSIAN_KL, mean, logVar);
  return withGradient(
    [mean, logVar],
    [mean, logVar],
    () => (native ? runNative<tf.Tensor>(GAUSSIAN_KL, { mean, logVar }) : plain()),
    (dy, [mu, lv]) =>
      native
        ? runNative<tf.Tensor[]>(GAUSSIAN_KL_GRAD, { mean: mu, logVar: lv, dy })
        : [tf.mul(dy, mu), tf.mul(tf.mul(0.5, dy), tf.sub(tf.exp(lv), 1))],
  );
}

/**
 * The reparameterised sample z = μ + e^{lv/2}·ε for a draw ε ~ N(0, I) (not differentiated);
 * ∂/∂μ = 1, ∂/∂lv = ½ e^{lv/2}·ε.
 */
export function reparameterise(mean: tf.Tensor, logVar: tf.Tensor, eps: tf.Tensor): tf.Tensor {
  const std = (lv: tf.Tensor) => tf.exp(tf.mul(0.5, lv));
  if (!tf.util.arraysEqual(mean.shape, logVar.shape) || !tf.util.arraysEqual(mean.shape, eps.shape))
    return tf.add(mean, tf.mul(std(logVar), eps));
  const native = nativeFor(REPARAMETERISE, mean, logVar, eps);
  return withGradient(
    [mean, logVar],
    [logVar, eps],
    () =>
      native
        ? runNative<tf.Tensor>(REPARAMETERISE, { mean, logVar, eps })
        : tf.add(mean, tf.mul(std(logVar), eps)),
    (dy, [lv, e]) => [
      dy,
      native
        ? runNative<tf.Tensor>(REPARAMETERISE_GRAD, { logVar: lv, eps: e, dy })
        : tf.mul(tf.mul(0.5, dy), tf.mul(std(lv), e)),
    ],
  );
}
