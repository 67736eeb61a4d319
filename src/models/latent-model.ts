import type * as tf from '@tensorflow/tfjs';
import type { DiagGaussian, Likelihood } from '../distributions/index.js';

/** What objectives and metrics need from a single-latent-layer model: q(z|x), p(x|z), the prior. */
export interface LatentVariableModel {
  readonly latentDim: number;
  encode(x: tf.Tensor, training?: boolean): DiagGaussian;
  decode(z: tf.Tensor, training?: boolean): Likelihood;
}
