import type * as tf from '@tensorflow/tfjs';
import type { Objective } from '../train/config.js';
import type { Gradients } from '../train/gradient-step.js';

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
  /** Clip each update's gradient to this global norm (0: no clipping). */
  clipNorm: number;
  /** The training objective of likelihood models: the ELBO, or the k-sample IWAE bound. */
  objective: Objective;
  /** One optimiser per variable group the model declared in variableGroups(). */
  optimizers: Record<string, tf.Optimizer>;
}

/** A step's context without the optimisers: what computing a gradient needs. */
export type GradientContext = Omit<StepContext, 'optimizers'>;

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
  /**
   * The model's own optimisers, one per variable group (GANs: RMSProp / Adam with their own rates).
   * `lrScale` is 1, halved by each NaN roll-back. Without it the loop uses Adam with the run's settings.
   */
  createOptimizers?(lrScale: number): Record<string, tf.Optimizer>;
  trainStep(x: tf.Tensor, ctx: StepContext): StepResult;
  /**
   * The gradient of trainStep's loss for the variables of the one group `model`, not applied
   * (data-parallel training averages it over replicas). Models with several groups (GANs) omit it.
   */
  computeGradients?(x: tf.Tensor, ctx: GradientContext): Gradients;
  /** Sums over the batch's examples of each metric (the loop divides by the number of examples). */
  evalBatch(x: tf.Tensor, seed: number): Record<string, number>;
  weights(): NamedWeight[];
  setWeights(weights: Map<string, tf.Tensor>): void;
  dispose(): void;
}
