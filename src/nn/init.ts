import * as tf from '@tensorflow/tfjs';
import { type Rng, tfSeed } from '../core/random.js';

/**
 * PyTorch's default initialisation for Linear / Conv layers (kaiming_uniform with a = √5):
 * weights and biases ~ U(−1/√fan_in, 1/√fan_in). Using it makes our runs comparable with
 * pytorch/examples. Each initializer gets its own seed from the model's Rng.
 */
export function torchUniform(fanIn: number, rng: Rng): ReturnType<typeof tf.initializers.randomUniform> {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: tfSeed(rng.seed()) });
}
