import type * as tf from '@tensorflow/tfjs';
import type { Batch, StepContext, StepResult } from '../core/trainable.js';
import type { GenerativeModel } from '../models/model.js';
import type { TrainConfig } from './config.js';
import { makeOptimizers, trainStep } from './step.js';

/**
 * What the loop trains through: the model on this thread, or a data-parallel group of replicas
 * (train/parallel) that must see every new optimiser and every restored weight.
 */
export interface Trainer {
  /** The model the loop evaluates, checkpoints and samples. */
  readonly model: GenerativeModel;
  /** Fresh optimisers at `lrScale` times the learning rate (on every replica). */
  createOptimizers(lrScale: number): Record<string, tf.Optimizer>;
  step(
    batch: Batch,
    ctx: StepContext,
    optimizers: Record<string, tf.Optimizer>,
    clipNorm: number,
  ): StepResult;
  /** Restores weights (on every replica). */
  setWeights(weights: Map<string, tf.Tensor>): void;
}

/** Training on this thread. */
export function localTrainer(model: GenerativeModel, config: TrainConfig): Trainer {
  return {
    model,
    createOptimizers: (lrScale) => makeOptimizers(model, config, lrScale),
    step: (batch, ctx, optimizers, clipNorm) => trainStep(model, batch, ctx, optimizers, clipNorm),
    setWeights: (weights) => model.setWeights(weights),
  };
}
