import * as tf from '@tensorflow/tfjs';
import { sumPerExample } from './gaussian.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Gaussian likelihood p(x|z) = N(μ_θ(z), σ² I) with one σ shared by every pixel,
 * either fixed or learned (log σ is then a trainable scalar).
 * log p(x) = −½ Σ_i [ (x_i − μ_i)² / σ² + log 2π + 2 log σ ].
 */
export class GaussianLikelihood {
  constructor(
    readonly mu: tf.Tensor,
    readonly logSigma: tf.Scalar,
  ) {}

  logProbElementwise(x: tf.Tensor): tf.Tensor {
    const invVar = tf.exp(this.logSigma.mul(-2));
    return x.sub(this.mu).square().mul(invVar).add(this.logSigma.mul(2)).add(LOG_2PI).mul(-0.5);
  }

  logProb(x: tf.Tensor): tf.Tensor1D {
    return sumPerExample(this.logProbElementwise(x));
  }

  mean(): tf.Tensor {
    return this.mu;
  }
}
