import * as tf from '@tensorflow/tfjs';
import type { StepResult } from './trainable.js';

export interface LossWithMetrics {
  loss: tf.Scalar;
  metrics: Record<string, tf.Tensor>;
}

/**
 * One optimiser step on `vars` for the loss `f()`. Reads the metrics back as numbers and refuses
 * the update when the loss or the gradient norm is not finite (the NaN guard: a non-finite step
 * changes nothing, and the caller sees `finite: false`). Optional clipping by global norm.
 */
export function gradientStep(
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  f: () => LossWithMetrics,
  clipNorm = 0,
): StepResult {
  let kept: Record<string, tf.Tensor> = {};
  const { value, grads } = tf.variableGrads(() => {
    const r = f();
    kept = Object.fromEntries(Object.entries(r.metrics).map(([k, t]) => [k, tf.keep(t)]));
    return r.loss;
  }, vars);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => g.square().sum()))));
  const normValue = norm.dataSync()[0];
  const metrics: Record<string, number> = { gradNorm: normValue };
  for (const [k, t] of Object.entries(kept)) metrics[k] = t.dataSync()[0];
  const finite = Number.isFinite(value.dataSync()[0]) && Number.isFinite(normValue);
  if (finite) {
    if (clipNorm > 0 && normValue > clipNorm) {
      const scale = clipNorm / normValue;
      const clipped = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.mul(scale)]));
      optimizer.applyGradients(clipped);
      tf.dispose(clipped);
    } else {
      optimizer.applyGradients(grads);
    }
  }
  tf.dispose([value, norm, ...Object.values(grads), ...Object.values(kept)]);
  return { metrics, finite };
}
