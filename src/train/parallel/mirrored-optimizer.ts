import * as tf from '@tensorflow/tfjs';
import type { NamedWeight } from '../../core/trainable.js';

/**
 * The main thread's optimiser of a data-parallel group: it is the real one, and when the loop restores
 * its state (resume, NaN roll-back) it hands the same state to the workers' copies.
 */
export class MirroredOptimizer extends tf.Optimizer {
  constructor(
    private readonly inner: tf.Optimizer,
    private readonly mirror: (weights: NamedWeight[]) => void,
  ) {
    super();
  }

  applyGradients(grads: tf.NamedTensorMap | NamedWeight[]): void {
    this.inner.applyGradients(grads);
  }

  /** What the fused Adam inside saw in its last update (backend's updateLeftNonFinite reads it). */
  get lastNonFinite(): number {
    return (this.inner as { lastNonFinite?: number }).lastNonFinite ?? 0;
  }

  override get iterations(): number {
    return this.inner.iterations;
  }

  override getWeights(): Promise<NamedWeight[]> {
    return this.inner.getWeights();
  }

  override async setWeights(weights: NamedWeight[]): Promise<void> {
    this.mirror(weights);
    await this.inner.setWeights(weights);
  }

  getConfig(): tf.serialization.ConfigDict {
    return this.inner.getConfig();
  }

  override dispose(): void {
    this.inner.dispose();
  }
}
