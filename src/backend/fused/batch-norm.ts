/**
 * Batch normalisation in training mode over [B, h, w] per channel (NHWC), as one op: natively one kernel for
 * the statistics, one to normalise and one for the gradient (native/norm.cc); elsewhere the tf-op chain on
 * tf.moments and its autodiff.
 *   μ = mean over [B, h, w],  v = the biased variance,  x̂ = (x − μ)/√(v + ε),  y = γ·x̂ + β;
 *   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/√(v + ε)·(dy − mean(dy) − x̂·mean(dy·x̂))   (μ and v depend on x).
 * The μ and v returned (for running statistics) carry no gradient. Swish after the norm (NVAE's cells) can
 * be taken into the same op: natively its kernels then compute swish and its gradient in their own passes.
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM, BATCH_NORM_GRAD, BATCH_NORM_STATS } from '../wasm/batch-norm.js';
import { nativeFor, runNative, withGradient } from './run.js';
import { swish } from './swish.js';

export interface BatchNormTraining {
  y: tf.Tensor4D;
  /** μ per channel, without gradient. */
  mean: tf.Tensor1D;
  /** The biased variance per channel, without gradient. */
  variance: tf.Tensor1D;
}

/** `value()`, a function of `input` through which backpropagation passes nothing (a zero gradient). */
function withoutGradient<T extends tf.Tensor>(input: tf.Tensor, value: () => T): T {
  return withGradient([input], [], value, () => [tf.zerosLike(input)]);
}

/**
 * y = γ·(x − μ)/√(v + ε) + β with the batch's own μ and v per channel, and those μ and v. With `swish`,
 * y = swish(γ·x̂ + β): natively in the same passes (the norm's output is never stored), elsewhere swish().
 */
export function batchNormTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  { swish: withSwish = false }: { swish?: boolean } = {},
): BatchNormTraining {
  const C = x.shape[3];
  const native =
    nativeFor(BATCH_NORM_STATS, x) &&
    gamma.dtype === 'float32' &&
    beta.dtype === 'float32' &&
    tf.util.arraysEqual(gamma.shape, [C]) &&
    tf.util.arraysEqual(beta.shape, [C]);
  if (!native) {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const y = tf.add(tf.mul(gamma, tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon)))), beta);
    return {
      y: (withSwish ? swish(y) : y) as tf.Tensor4D,
      mean: withoutGradient(x, () => tf.clone(mean as tf.Tensor1D)),
      variance: withoutGradient(x, () => tf.clone(variance as tf.Tensor1D)),
    };
  }
  // the statistics, computed once, go to the normalisation as saved values, not as inputs: the op's own
  // gradient accounts for their dependence on x, and the returned ones stop the gradient
  const stats = withoutGradient(x, () => runNative<tf.Tensor2D>(BATCH_NORM_STATS, { x }));
  const attrs = { epsilon, swish: withSwish };
  const y = withGradient(
    [x, gamma, beta],
    [x, gamma, beta, stats],
    () => runNative<tf.Tensor4D>(BATCH_NORM, { x, gamma, beta, stats }, attrs),
    (dy, [xs, g, b, s]) =>
      runNative<tf.Tensor[]>(BATCH_NORM_GRAD, { x: xs, gamma: g, beta: b, stats: s, dy }, attrs),
  );
  const [mean, variance] = tf.unstack(stats) as [tf.Tensor1D, tf.Tensor1D];
  return { y, mean, variance };
}
