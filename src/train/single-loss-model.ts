import type * as tf from '@tensorflow/tfjs';
import type { GradientContext, StepContext, StepResult } from '../core/trainable.js';
import { computeGradients, type Gradients, gradientStep, type LossWithMetrics } from './gradient-step.js';

/**
 * A model trained by one optimiser ("model") on one loss: its training step and its gradients (for
 * data-parallel training) both follow from `objective`, so each such model only writes its loss.
 */
export abstract class SingleLossModel {
  abstract variableGroups(): Record<string, tf.Variable[]>;

  /** The batch's loss and the metrics to log, as a closure for tf.variableGrads. */
  protected abstract objective(x: tf.Tensor, ctx: GradientContext): () => LossWithMetrics;

  trainStep(x: tf.Tensor, ctx: StepContext): StepResult {
    return gradientStep(
      ctx.optimizers.model,
      this.variableGroups().model,
      this.objective(x, ctx),
      ctx.clipNorm,
    );
  }

  computeGradients(x: tf.Tensor, ctx: GradientContext): Gradients {
    return computeGradients(this.variableGroups().model, this.objective(x, ctx));
  }
}
