import * as tf from '@tensorflow/tfjs';
import type { Batch, StepContext, StepResult, Trainable } from '../../core/trainable.js';
import { applyGradients, type Gradients, stepGradients } from '../step.js';
import type { GradientExchange } from './exchange.js';
import { shardSeeds } from './shards.js';

/** What a replica computed on its own shard: its metrics and examples, or the error that stopped it. */
export interface Contribution {
  count: number;
  metrics: Record<string, number>;
  error: Error | null;
}

/**
 * One copy of the model in a data-parallel group — the main thread's or a worker's; both run this code.
 * A step has two halves: `contribute` (this shard's gradient into shared memory) and `finish`
 * (barrier, then the same averaged gradient applied by this replica's own optimiser).
 */
export class Replica {
  private steps = 0;

  constructor(
    readonly model: Trainable,
    readonly exchange: GradientExchange,
    readonly shard: number,
  ) {}

  private get vars(): tf.Variable[] {
    return this.model.variableGroups().model;
  }

  /** `shard`: this shard's examples (null when the batch has fewer examples than shards); `failure`: an earlier error to report. */
  contribute(shard: Batch | null, ctx: StepContext, failure: Error | null = null): Contribution {
    const parity = this.steps % 2;
    const seed = shardSeeds(ctx.seed, this.exchange.shards)[this.shard];
    let g: Gradients | null = null;
    let error = failure;
    try {
      if (!error && shard) g = stepGradients(this.model, shard, { ...ctx, seed });
      this.exchange.write(parity, this.shard, shard?.x.shape[0] ?? 0, error ? null : g, error != null);
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
      this.exchange.write(parity, this.shard, 0, null, true);
    } finally {
      if (g) tf.dispose(g.grads.filter((t) => t != null));
    }
    return { count: g ? shard!.x.shape[0] : 0, metrics: g?.metrics ?? {}, error };
  }

  /**
   * Waits for every shard, then applies ḡ with the NaN guard (a non-finite shard makes ḡ non-finite,
   * so every replica skips the step). Returns null when a replica failed: nothing is applied anywhere.
   */
  finish(optimizer: tf.Optimizer, clipNorm: number): StepResult | null {
    const parity = this.steps++ % 2;
    this.exchange.barrier.arriveAndWait();
    if (this.exchange.anyFailed(parity)) return null;
    const avg = this.exchange.average(parity);
    const vars = this.vars;
    const grads = avg.grads.map((g, i) => (g ? tf.tensor(g, vars[i].shape) : null));
    return applyGradients(optimizer, vars, { loss: avg.loss, grads, metrics: {} }, clipNorm);
  }
}
