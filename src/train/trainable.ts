import type * as tf from '@tensorflow/tfjs';

export interface NamedWeight {
  name: string;
  tensor: tf.Tensor;
}

/** What the training loop hands a model for one step. */
export interface StepContext {
  step: number;
  epoch: number;
  /** Seed for this step's random numbers (derived from the run's seed and the step). */
  seed: number;
  /** KL weight at this step (after warm-up schedules). */
  beta: number;
  /** Free-bits floor λ per latent dimension, in nats. */
  freeBits: number;
  /** One optimiser per variable group the model declared in variableGroups(). */
  optimizers: Record<string, tf.Optimizer>;
}

export interface StepResult {
  /** Scalars to log (per example, nats for likelihood terms). */
  metrics: Record<string, number>;
  /** False when the loss or a gradient was NaN/Inf: the update was skipped. */
  finite: boolean;
}

/**
 * A model the training loop can train: VAE, hierarchical VAE and GANs all implement it, so the loop,
 * its progress bars, checkpoints and NaN guard are written once.
 */
export interface Trainable {
  readonly kind: string;
  /** Named groups of trainable variables; the loop creates one optimiser per group. */
  variableGroups(): Record<string, tf.Variable[]>;
  trainStep(x: tf.Tensor, ctx: StepContext): StepResult;
  /** Sums over the batch's examples of each metric (the loop divides by the number of examples). */
  evalBatch(x: tf.Tensor, seed: number): Record<string, number>;
  weights(): NamedWeight[];
  setWeights(weights: Map<string, tf.Tensor>): void;
  dispose(): void;
}
