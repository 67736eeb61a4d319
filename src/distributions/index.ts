import type * as tf from '@tensorflow/tfjs';

export { Bernoulli } from './bernoulli.js';
export {
  DiagGaussian,
  standardNormalLogProb,
  standardNormalLogProbElementwise,
  sumPerExample,
} from './gaussian.js';
export { GaussianLikelihood } from './gaussian-likelihood.js';
export { LogisticMixture } from './logistic-mixture.js';

/** What a decoder returns: a distribution over x that can score data and show its mean. */
export interface Likelihood {
  /** log p(x|z) summed over pixels: shape [B]. */
  logProb(x: tf.Tensor): tf.Tensor1D;
  /** E[x|z], the image we display. */
  mean(): tf.Tensor;
}
