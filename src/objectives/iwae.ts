import * as tf from '@tensorflow/tfjs';
import { standardNormalLogProb } from '../distributions/index.js';
import type { LatentVariableModel } from '../models/latent-model.js';

export interface IwaeOptions {
  /** Number of importance samples k per example (k = 1 gives the one-sample ELBO). */
  k: number;
  /**
   * Weight of the prior-to-posterior log-ratio: log w = log p(x|z) + β·(log p(z) − log q(z|x)).
   * 1 gives the true bound; a KL warm-up sets it below 1 early in training.
   */
  beta?: number;
  /** Seed of the noise ε of the k reparameterised samples. */
  seed?: number;
  training?: boolean;
  /**
   * x repeated k times, sample-major ([k·B, ...]: all of x, then all of x again, …), when the caller has it
   * already (evaluation builds it with typed-array copies).
   */
  tiled?: tf.Tensor;
}

/**
 * Log importance weights log w_i = log p_θ(x|z_i) + log p(z_i) − log q_φ(z_i|x), z_i ~ q_φ(z|x),
 * i = 1..k: shape [k, B]. The encoder runs once; the decoder runs on all k·B samples in one batch.
 */
export function logImportanceWeights(
  model: LatentVariableModel,
  x: tf.Tensor,
  opts: IwaeOptions,
): tf.Tensor2D {
  return tf.tidy(() => {
    const b = x.shape[0];
    const m = model.latentDim;
    const q = model.encode(x, opts.training);
    const eps = tf.randomNormal([opts.k, b, m], 0, 1, 'float32', opts.seed);
    const z = q.mean.add(q.std.mul(eps)); // z_i = μ + σ·ε_i, [k, B, m]
    const flatZ = z.reshape([opts.k * b, m]);
    // k copies of x, sample-major (concat: several times faster than tf.tile on wasm)
    const xs = opts.tiled ?? tf.concat(new Array<tf.Tensor>(opts.k).fill(x), 0);
    const logPxz = model.decode(flatZ, opts.training).logProb(xs).reshape([opts.k, b]);
    const logPz = standardNormalLogProb(flatZ).reshape([opts.k, b]);
    const logQzx = q.logProbElementwise(z).sum(-1); // [k, B]
    return logPxz.add(logPz.sub(logQzx).mul(opts.beta ?? 1)) as tf.Tensor2D;
  });
}

/** log (1/k) Σ_i exp(a_i) over axis 0, stable (tf.logSumExp subtracts the maximum): [k, B] → [B]. */
export function logMeanExp(logW: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.logSumExp(logW, 0).sub(Math.log(logW.shape[0])) as tf.Tensor1D);
}

/**
 * The importance-weighted bound of Burda et al. (2015), per example:
 *   L_k(x) = E_{z_1..z_k ~ q}[ log (1/k) Σ_i p_θ(x, z_i) / q_φ(z_i|x) ]  ≤ log p_θ(x),
 * one draw of the k samples. L_1 is the ELBO; L_k rises with k and tends to log p(x) as k → ∞
 * (so with a large k it is the importance-sampled estimate of the log-likelihood).
 */
export function iwaeBound(model: LatentVariableModel, x: tf.Tensor, opts: IwaeOptions): tf.Tensor1D {
  return tf.tidy(() => logMeanExp(logImportanceWeights(model, x, opts)));
}
