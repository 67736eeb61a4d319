/**
 * How a step is taken, for every model: each of the model's training stages is one optimiser update of
 * its variable group — gradient, NaN guard, clipping by global norm, update — then the stage's
 * `afterUpdate`. Optimisers come from the backend (fused Adam where it can run).
 */
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, globalNorm, updateLeftNonFinite } from '../backend/index.js';
import type {
  Batch,
  LossWithMetrics,
  OptimizerSpec,
  StepContext,
  StepResult,
  Trainable,
} from '../core/trainable.js';
import type { TrainConfig } from './config.js';

/** The gradient of a loss, not yet applied: what data-parallel replicas exchange. */
export interface Gradients {
  /** The loss's value (NaN/Inf makes the step non-finite). */
  loss: number;
  /** d loss / d vars[i], aligned with the variables; null where the loss does not depend on one. */
  grads: (tf.Tensor | null)[];
  /** The loss's metrics, read back as numbers. */
  metrics: Record<string, number>;
}

/** First half of an update: the gradient of `f()`'s loss for `vars`, and its metrics read back. */
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
 * Second half: one optimiser update with `g` on `vars` (and disposes its gradients). Refuses the update
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
  const poisoned = finite && updateLeftNonFinite(optimizer);
  return { metrics: { gradNorm: normValue, ...g.metrics }, finite: finite && !poisoned, poisoned };
}

/** One optimiser update on `vars` for the loss `f()`: computeGradients, then applyGradients. */
export function gradientStep(
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  f: () => LossWithMetrics,
  clipNorm = 0,
): StepResult {
  return applyGradients(optimizer, vars, computeGradients(vars, f), clipNorm);
}

/** One training step of `model` on `batch`: its stages in order, each through its group's optimiser. */
export function trainStep(
  model: Trainable,
  batch: Batch,
  ctx: StepContext,
  optimizers: Record<string, tf.Optimizer>,
  clipNorm = 0,
): StepResult {
  const groups = model.variableGroups();
  let metrics: Record<string, number> = {};
  let finite = true;
  let poisoned = false;
  for (const stage of model.trainingStages(batch, ctx)) {
    const r = gradientStep(optimizers[stage.group], groups[stage.group], stage.loss, clipNorm);
    if (r.finite) stage.afterUpdate?.();
    // the first stage's metrics are the step's (a GAN's critic stage logs the generator's loss too)
    metrics = { ...r.metrics, ...metrics };
    finite &&= r.finite;
    poisoned ||= r.poisoned === true;
  }
  return { metrics, finite, poisoned };
}

/**
 * The gradient of a one-stage model's loss for its group `model`, not applied (data-parallel
 * replicas average it). Only for models whose capabilities declare `dataParallel`.
 */
export function stepGradients(model: Trainable, batch: Batch, ctx: StepContext): Gradients {
  const [stage, ...rest] = model.trainingStages(batch, ctx);
  if (stage.group !== 'model' || rest.length > 0) {
    throw new Error(`${model.kind}: data-parallel training needs one stage on the group 'model'`);
  }
  return computeGradients(model.variableGroups().model, stage.loss);
}

/**
 * What each variable group of a model is trained with at `lrScale` times its learning rate (1, halved by
 * each NaN roll-back): the model's own settings per group, or Adam with the run's settings.
 */
export function optimizerSpecsOf(
  model: Trainable,
  config: Pick<TrainConfig, 'learningRate' | 'adamBeta1' | 'adamBeta2'>,
  lrScale: number,
): Record<string, OptimizerSpec> {
  const own = model.optimizerSpecs?.() ?? {};
  const adam: OptimizerSpec = {
    kind: 'adam',
    learningRate: config.learningRate,
    beta1: config.adamBeta1,
    beta2: config.adamBeta2,
  };
  return Object.fromEntries(
    Object.keys(model.variableGroups()).map((g) => {
      const spec = own[g] ?? adam;
      return [g, { ...spec, learningRate: spec.learningRate * lrScale }];
    }),
  );
}

/** The optimisers of one model at `lrScale` times their learning rate (see optimizerSpecsOf). */
export function makeOptimizers(
  model: Trainable,
  config: Pick<TrainConfig, 'learningRate' | 'adamBeta1' | 'adamBeta2'>,
  lrScale: number,
): Record<string, tf.Optimizer> {
  const specs = optimizerSpecsOf(model, config, lrScale);
  return Object.fromEntries(Object.entries(specs).map(([g, spec]) => [g, createOptimizer(spec)]));
}
