import * as tf from '@tensorflow/tfjs';
import { type Rng, tfSeed } from '../core/random.js';
import { dense } from './layers.js';

/**
 * A dense residual cell, the fully connected analogue of NVAE's cells: y = x + W₂·swish(W₁·x + b₁) + b₂.
 * W₂ starts at a tenth of the usual scale, so a deep stack starts close to the identity.
 */
export class ResidualCell {
  readonly inner: tf.layers.Layer;
  readonly outer: tf.layers.Layer;

  constructor(width: number, rng: Rng, name: string) {
    this.inner = dense(width, width, 'swish', rng, `${name}_in`);
    const bound = 0.1 / Math.sqrt(width);
    this.outer = tf.layers.dense({
      units: width,
      kernelInitializer: tf.initializers.randomUniform({
        minval: -bound,
        maxval: bound,
        seed: tfSeed(rng.seed()),
      }),
      name: `${name}_out`,
    });
  }

  apply(x: tf.Tensor): tf.Tensor {
    return x.add(this.outer.apply(this.inner.apply(x)) as tf.Tensor);
  }

  get layers(): tf.layers.Layer[] {
    return [this.inner, this.outer];
  }
}

/** `count` residual cells applied in turn. */
export function residualStack(count: number, width: number, rng: Rng, name: string): ResidualCell[] {
  return Array.from({ length: count }, (_, i) => new ResidualCell(width, rng, `${name}_cell${i}`));
}

export const applyStack = (cells: ResidualCell[], x: tf.Tensor): tf.Tensor =>
  cells.reduce((h, c) => c.apply(h), x);

/** NVAE's soft clamp, c·tanh(x / c): keeps Gaussian parameters in a safe range with a smooth gradient. */
export function softClamp(x: tf.Tensor, c: number): tf.Tensor {
  return tf.tanh(x.div(c)).mul(c);
}
