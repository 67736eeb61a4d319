import * as tf from '@tensorflow/tfjs';
import { tfSeed } from '../core/random.js';
import { ensureSecondOrderGradients } from '../nn/second-order.js';

/**
 * The adversarial objectives, per example (shape [B]); D(·) is the raw score of the discriminator or
 * critic (a logit for the GAN).
 *
 * GAN (Goodfellow et al. 2014), discriminator: −log σ(D(x)) − log(1 − σ(D(G(z))))
 *   = softplus(−D(x)) + softplus(D(G(z)))            (log σ(a) = −softplus(−a), log(1 − σ(a)) = −softplus(a))
 */
export function discriminatorLoss(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.softplus(realScores.neg()).add(tf.softplus(fakeScores)).reshape([-1]));
}

/**
 * GAN, non-saturating generator loss: −log σ(D(G(z))) = softplus(−D(G(z))). Unlike the minimax
 * log(1 − σ(D(G(z)))), its gradient does not vanish while the discriminator rejects every sample.
 */
export function nonSaturatingGeneratorLoss(fakeScores: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.softplus(fakeScores.neg()).reshape([-1]));
}

/**
 * Wasserstein critic (Arjovsky et al. 2017): the critic maximises E[D(x)] − E[D(G(z))], which for a
 * 1-Lipschitz D estimates the Wasserstein-1 distance; as a loss to minimise, per pair of examples:
 *   D(G(z)) − D(x).
 */
export function wassersteinCriticLoss(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => fakeScores.sub(realScores).reshape([-1]));
}

/** Wasserstein generator loss: −D(G(z)) (the generator raises the critic's score of its samples). */
export function wassersteinGeneratorLoss(fakeScores: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => fakeScores.neg().reshape([-1]));
}

/**
 * The gradient penalty of WGAN-GP (Gulrajani et al. 2017), per example, before the weight λ:
 *   (‖∇_x̂ D(x̂)‖₂ − 1)²  at  x̂ = εx + (1 − ε)G(z),  ε ~ U[0, 1] per example.
 * The loss uses λ·mean of it. The critic must treat examples independently (no batch norm): then the
 * gradient of ΣD(x̂ᵢ) with respect to x̂ holds each example's own gradient. Differentiating this with
 * respect to the critic's weights is a gradient of a gradient (see nn/second-order.ts).
 */
export function gradientPenalty(
  critic: (x: tf.Tensor) => tf.Tensor,
  real: tf.Tensor,
  fake: tf.Tensor,
  seed: number,
): tf.Tensor1D {
  ensureSecondOrderGradients();
  return tf.tidy(() => {
    const n = real.shape[0];
    const eps = tf.randomUniform([n, ...real.shape.slice(1).map(() => 1)], 0, 1, 'float32', tfSeed(seed));
    const xHat = eps.mul(real).add(tf.onesLike(eps).sub(eps).mul(fake));
    const grad = tf.grad((x: tf.Tensor) => critic(x).sum())(xHat);
    const axes = grad.shape.slice(1).map((_, i) => i + 1);
    // a tiny floor under the square root keeps its derivative finite if a gradient is exactly 0
    const norm = grad.square().sum(axes).add(1e-12).sqrt();
    return norm.sub(1).square() as tf.Tensor1D;
  });
}
