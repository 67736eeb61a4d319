import * as tf from '@tensorflow/tfjs';
import { batchNormTraining, swish } from '../../backend/index.js';

/** Batch statistics of one BatchNorm, per channel. */
export interface ChannelStatistics {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * How the batch norms of one pass normalise:
 * - `running`: by their stored running statistics (evaluation);
 * - `batch`: by the batch's own statistics, each handed to `record` (training, and the re-estimation of
 *   NVAE's sampling);
 * - `given`: by the statistics in `statistics` (sampling after re-estimation); a layer not in the map uses
 *   its running statistics.
 */
export type NormMode =
  | { kind: 'running' }
  | { kind: 'batch'; record?: (bn: BatchNorm, s: ChannelStatistics) => void }
  | { kind: 'given'; statistics: Map<BatchNorm, ChannelStatistics> };

export const RUNNING: NormMode = { kind: 'running' };

/** PyTorch's BatchNorm2d defaults as NVAE uses them: ε = 10⁻⁵, running averages with momentum 0.05. */
const EPSILON = 1e-5;
export const BN_MOMENTUM = 0.05;

/**
 * Batch normalisation over [B, h, w] per channel: y = γ·(x − μ)/√(v + ε) + β, with μ and v (biased) the
 * batch's statistics or stored ones as the pass's NormMode says. γ and β are trained; the running mean and
 * variance are moved toward each training batch's by `update` (m ← (1 − 0.05)·m + 0.05·batch), which the
 * model calls only after an update was made, so a skipped (non-finite) step leaves them as they were.
 */
export class BatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVariance: tf.Variable;

  constructor(readonly channels: number) {
    // made in a tidy, so each variable alone holds its memory (the fused Adam then updates it in place)
    const variable = (make: () => tf.Tensor, trainable: boolean) =>
      tf.tidy(() => tf.variable(make(), trainable));
    this.gamma = variable(() => tf.ones([channels]), true);
    this.beta = variable(() => tf.zeros([channels]), true);
    this.runningMean = variable(() => tf.zeros([channels]), false);
    this.runningVariance = variable(() => tf.ones([channels]), false);
  }

  /** The norm, and with `withSwish` swish after it (in the same kernels when training natively). */
  apply(x: tf.Tensor4D, mode: NormMode, withSwish = false): tf.Tensor4D {
    if (mode.kind === 'batch') {
      const { y, mean, variance } = batchNormTraining(
        x,
        this.gamma as tf.Tensor1D,
        this.beta as tf.Tensor1D,
        EPSILON,
        { swish: withSwish },
      );
      mode.record?.(this, { mean, variance });
      return y;
    }
    const s = (mode.kind === 'given' ? mode.statistics.get(this) : undefined) ?? {
      mean: this.runningMean as tf.Tensor1D,
      variance: this.runningVariance as tf.Tensor1D,
    };
    const scale = tf.rsqrt(s.variance.add(EPSILON)).mul(this.gamma);
    const y = x.sub(s.mean).mul(scale).add(this.beta) as tf.Tensor4D;
    return withSwish ? swish(y) : y;
  }

  /** Moves the running statistics toward a batch's: r ← (1 − momentum)·r + momentum·s. */
  update(s: ChannelStatistics, momentum = BN_MOMENTUM): void {
    tf.tidy(() => {
      this.runningMean.assign(this.runningMean.mul(1 - momentum).add(s.mean.mul(momentum)));
      this.runningVariance.assign(this.runningVariance.mul(1 - momentum).add(s.variance.mul(momentum)));
    });
  }

  /** γ, β, then the running mean and variance (what a checkpoint stores). */
  get variables(): tf.Variable[] {
    return [this.gamma, this.beta, this.runningMean, this.runningVariance];
  }

  get trainableVariables(): tf.Variable[] {
    return [this.gamma, this.beta];
  }
}
