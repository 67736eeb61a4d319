import * as tf from '@tensorflow/tfjs';
import type { LatentVariableModel } from '../models/latent-model.js';

export interface ElboOptions {
  /** Weight of the KL term (β-VAE, Higgins et al. 2017); 1 gives the true ELBO. Warm-up schedules set it. */
  beta: number;
  /** Free bits λ (Kingma et al. 2016): each latent dimension's batch-mean KL counts at least λ nats in the loss. */
  freeBits: number;
  /** Seed of the reparameterisation noise ε. */
  seed?: number;
  training?: boolean;
}

export interface ElboTerms {
  /** The scalar to minimise: mean_b[−log p(x|z)] + β·Σ_j max(λ, mean_b KL_j). */
  loss: tf.Scalar;
  /** −log p_θ(x|z) per example, z ~ q_φ(z|x) (one sample): [B]. */
  recon: tf.Tensor1D;
  /** KL(q_φ(z|x) ‖ p(z)) per example, closed form: [B]. */
  kl: tf.Tensor1D;
  /** Batch-mean KL of each latent dimension: [m]. */
  klPerDim: tf.Tensor1D;
  /** The evidence lower bound per example, log p(x|z) − KL (β = 1, no free bits): [B]. */
  elbo: tf.Tensor1D;
}

/**
 * ELBO(x) = E_{q_φ(z|x)}[log p_θ(x|z)] − KL(q_φ(z|x) ‖ N(0, I)),
 * the expectation estimated with one reparameterised sample z = μ + σ·ε, the KL in closed form.
 */
export function elboTerms(model: LatentVariableModel, x: tf.Tensor, opts: ElboOptions): ElboTerms {
  const q = model.encode(x, opts.training);
  const z = q.sample(opts.seed);
  const recon = model.decode(z, opts.training).logProb(x).neg();
  const klDims = q.klToStandardNormalPerDim();
  const kl = klDims.sum(1) as tf.Tensor1D;
  const klPerDim = klDims.mean(0) as tf.Tensor1D;
  const klForLoss = opts.freeBits > 0 ? tf.maximum(klPerDim, opts.freeBits).sum() : kl.mean();
  const loss = recon.mean().add(klForLoss.mul(opts.beta)) as tf.Scalar;
  return { loss, recon, kl, klPerDim, elbo: recon.add(kl).neg() as tf.Tensor1D };
}
