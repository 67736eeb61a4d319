import * as tf from '@tensorflow/tfjs';
import { globalNorm } from '../backend/wasm/norm.js';
import type { StepResult } from '../core/trainable.js';

export interface LossWithMetrics {
  loss: tf.Scalar;
  metrics: Record<string, tf.Tensor>;
}

/** The gradient of a loss, not yet applied: what data-parallel replicas exchange. */
export interface Gradients {
  /** The loss's value (NaN/Inf makes the step non-finite). */
  loss: number;
  /** d loss / d vars[i], aligned with the variables; null where the loss does not depend on one. */
  grads: (tf.Tensor | null)[];
  /** The loss's metrics, read back as numbers. */
  metrics: Record<string, number>;
}

/** First half of a step: the gradient of `f()`'s loss for `vars`, and its metrics read back. */
export function computeGradients(vars: tf.Variable[], f: () => LossWithMetrics): Gradients {
  let kept: Record<string, tf.Tensor> = {};
  const { value, grads } = tf.variableGrads(() => {
    const r = f();
    kept = Object.fromEntries(Object.entries(r.metrics).map(([k, t]) => [k, tf.keep(t)]));
    return r.loss;
  }, vars);
  const metrics: Record<string, number> = {};
  for (const [k, t] of Object.entries(kept)) metrics[k] = t.dataSync()[0];
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(kept)]);
  return { loss, grads: vars.map((v) => grads[v.name] ?? null), metrics };
}

/**
 * Second half: one optimiser step with `g` on `vars` (and disposes its gradients). Refuses the update
 * when the loss or the gradient norm is not finite (the NaN guard: a non-finite step changes nothing,
 * and the caller sees `finite: false`). Optional clipping by global norm.
 */
export function applyGradients(
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  g: Gradients,
  clipNorm = 0,
): StepResult {
  const named: tf.NamedTensorMap = {};
  g.grads.forEach((t, i) => {
    if (t) named[vars[i].name] = t;
  });
  const normValue = globalNorm(Object.values(named));
  const finite = Number.isFinite(g.loss) && Number.isFinite(normValue);
  if (finite) {
    if (clipNorm > 0 && normValue > clipNorm) {
      const scale = clipNorm / normValue;
      const clipped = Object.fromEntries(Object.entries(named).map(([k, t]) => [k, t.mul(scale)]));
      optimizer.applyGradients(clipped);
      tf.dispose(clipped);
    } else {
      optimizer.applyGradients(named);
    }
  }
  tf.dispose(Object.values(named));
  return { metrics: { gradNorm: normValue, ...g.metrics }, finite };
}

/** One optimiser step on `vars` for the loss `f()`: computeGradients, then applyGradients. */
export function gradientStep(
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  f: () => LossWithMetrics,
  clipNorm = 0,
): StepResult {
  return applyGradients(optimizer, vars, computeGradients(vars, f), clipNorm);
}
