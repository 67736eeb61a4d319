/**
 * What the training loop and every model agree on. Models say *what* to minimise (their training
 * stages, one loss per variable group); `train/` says *how* (optimisers, gradients, clipping, the NaN
 * guard, data-parallel replicas). Nothing here knows a backend, a file or a particular model.
 */
import type * as tf from '@tensorflow/tfjs';

export interface NamedWeight {
  name: string;
  tensor: tf.Tensor;
}

/** A mini-batch as models see it: images [B, h, w, c] in [0, 1] and, where the data has them, class labels [B]. */
export interface Batch {
  x: tf.Tensor4D;
  labels?: tf.Tensor1D;
}

/** ELBO (one-sample), or the importance-weighted bound of Burda et al. 2015 with k samples. */
export type Objective = { kind: 'elbo' } | { kind: 'iwae'; k: number };

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
  /** The training objective of likelihood models: the ELBO, or the k-sample IWAE bound. */
  objective: Objective;
}

/** A loss to minimise and the scalars to log with it (per example; nats for likelihood terms). */
export interface LossWithMetrics {
  loss: tf.Scalar;
  metrics: Record<string, tf.Tensor>;
}

/**
 * One optimiser update within a step: the loss of the variable group `group`, and what to do to the
 * model after the update (WGAN: clip the critic's weights). A GAN's step is a critic stage and, every
 * n-th step, a generator stage; a VAE's is one stage.
 */
export interface TrainingStage {
  group: string;
  loss(): LossWithMetrics;
  afterUpdate?(): void;
}

/** How a model wants a variable group optimised (its paper's settings); without one the run's Adam is used. */
export type OptimizerSpec =
  | { kind: 'adam'; learningRate: number; beta1: number; beta2: number }
  | { kind: 'rmsprop'; learningRate: number; decay: number };

export interface StepResult {
  /** Scalars to log (per example, nats for likelihood terms). */
  metrics: Record<string, number>;
  /** False when the loss or a gradient was NaN/Inf: the update was skipped. */
  finite: boolean;
  /** True when an update was made and left NaN/Inf in the weights or the optimiser's state. */
  poisoned?: boolean;
}

/**
 * A model the training loop can train: VAE, hierarchical VAE, conditional VAE and GANs all implement
 * it, so the loop, its progress bars, checkpoints and NaN guard are written once.
 */
export interface Trainable {
  readonly kind: string;
  /** Named groups of trainable variables; the loop creates one optimiser per group. */
  variableGroups(): Record<string, tf.Variable[]>;
  /** The model's own optimiser settings per group (GANs); groups not named get the run's Adam. */
  optimizerSpecs?(): Record<string, OptimizerSpec>;
  /** The updates of one step on `batch`, in order. */
  trainingStages(batch: Batch, ctx: StepContext): TrainingStage[];
  /**
   * Sums over the batch's examples of each metric the model declares (the loop divides by the number
   * of examples); what each metric means and its unit are declared in the model's capabilities.
   */
  evalBatch(batch: Batch, seed: number): Record<string, number>;
  weights(): NamedWeight[];
  setWeights(weights: Map<string, tf.Tensor>): void;
  dispose(): void;
}
