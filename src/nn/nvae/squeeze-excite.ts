import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/random.js';
import { torchUniform } from '../init.js';

/** Width of the squeeze-and-excitation bottleneck for C channels: max(C/16, 4), as in NVAE. */
export const squeezeWidth = (channels: number): number => Math.max(Math.floor(channels / 16), 4);

/**
 * Squeeze-and-excitation (Hu et al. 2018): each channel scaled by a gate computed from the whole map,
 *   s = mean_{h,w} x,  g = sigmoid(W₂·relu(W₁·s + b₁) + b₂),  y = x ⊙ g (broadcast over h, w).
 */
export class SqueezeExcite {
  readonly variables: tf.Variable[];

  constructor(channels: number, rng: Rng) {
    const r = squeezeWidth(channels);
    const v = (shape: number[], fanIn: number) =>
      tf.tidy(() => tf.variable(torchUniform(fanIn, rng).apply(shape)));
    this.variables = [v([channels, r], channels), v([r], channels), v([r, channels], r), v([channels], r)];
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const [n, , , c] = x.shape;
    return x.mul(this.gate(x).reshape([n, 1, 1, c]));
  }

  /** g = sigmoid(W₂·relu(W₁·mean_{h,w} x + b₁) + b₂): one gate per image and channel, [B, C]. */
  gate(x: tf.Tensor4D): tf.Tensor2D {
    const [w1, b1, w2, b2] = this.variables as tf.Tensor2D[];
    const s = x.mean([1, 2]) as tf.Tensor2D;
    const hidden = tf.relu(tf.matMul(s, w1).add(b1)) as tf.Tensor2D;
    return tf.sigmoid(tf.matMul(hidden, w2).add(b2)) as tf.Tensor2D;
  }
}

/** Parameters of a SqueezeExcite over C channels. */
export const squeezeExciteParameters = (channels: number): number => {
  const r = squeezeWidth(channels);
  return 2 * channels * r + r + channels;
};
