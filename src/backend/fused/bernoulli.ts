/**
 * log p(x | l) of a Bernoulli with logits l, summed over every axis but the first, as one op:
 *   log p = Σ x·l − softplus(l),  softplus(l) = max(l, 0) + log1p(e^{−|l|})  (stable for any l),
 *   ∂/∂l = x − σ(l),  ∂/∂x = l.
 * Natively one kernel each way (native/elementwise.cc); elsewhere the same formulas in tf ops.
 */
import * as tf from '@tensorflow/tfjs';
import { BERNOULLI_LOG_PROB, BERNOULLI_LOG_PROB_GRAD } from '../wasm/vae-loss.js';
import { nativeFor, runNative, withGradient } from './run.js';

/** Σ over every axis but the first: [B, …] → [B]. */
function perRow(t: tf.Tensor): tf.Tensor1D {
  return (t.rank > 1 ? tf.sum(t, [...Array(t.rank).keys()].slice(1)) : t) as tf.Tensor1D;
}

function elementwise(l: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(x, l), tf.add(tf.relu(l), tf.log1p(tf.exp(tf.neg(tf.abs(l))))));
}

/** Per-example Bernoulli log-likelihood of x (any values in [0, 1]) under logits of the same shape: [B]. */
export function bernoulliLogProb(logits: tf.Tensor, x: tf.Tensor): tf.Tensor1D {
  if (!tf.util.arraysEqual(logits.shape, x.shape) || logits.rank === 0) return perRow(elementwise(logits, x));
  const native = nativeFor(BERNOULLI_LOG_PROB, logits, x);
  return withGradient(
    [logits, x],
    [logits, x],
    () =>
      native ? runNative<tf.Tensor1D>(BERNOULLI_LOG_PROB, { logits, x }) : perRow(elementwise(logits, x)),
    (dy, [l, xs]) => {
      if (native) return runNative<tf.Tensor[]>(BERNOULLI_LOG_PROB_GRAD, { logits: l, x: xs, dy });
      const g = tf.reshape(dy, [dy.shape[0], ...Array(l.rank - 1).fill(1)]);
      return [tf.mul(g, tf.sub(xs, tf.sigmoid(l))), tf.mul(g, l)];
    },
  );
}
