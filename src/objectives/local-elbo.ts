/**
 * The ELBO of one image as a function of its posterior parameters λ, with the decoder held fixed:
 *   L(λ; x) = (1/k) Σ_i log p(x|z_i) − KL(q_λ ‖ p),  z_i ~ q_λ by reparameterisation,
 * the KL in closed form where the family has one (else the Monte-Carlo estimate at the same z_i).
 * Each image's value depends on its own row of λ alone, so the gradient of their sum is, row by row,
 * each image's own gradient: one backward pass serves a whole batch of independent optimisations.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../core/trainable.js';
import type { LocalLatentModel } from './latent.js';

export interface LocalSampling {
  /** Samples of z per image. */
  k: number;
  seed: number;
  /** Networks in training mode (batch-norm statistics of the batch) or not. */
  training?: boolean;
  /** The batch's images repeated k times, sample-major, when the caller has them already. */
  tiledX?: tf.Tensor4D;
}

/** L(λ; x) per image: [B]. */
export function localElbo(
  model: LocalLatentModel,
  params: tf.Tensor2D,
  batch: Batch,
  s: LocalSampling,
): tf.Tensor1D {
  return tf.tidy(() => {
    const b = params.shape[0];
    const t = model.latentTermsAt(params, batch, {
      k: s.k,
      seed: s.seed,
      training: s.training ?? false,
      tiledX: s.tiledX,
    });
    const kl = tf.addN(t.groups.map((g) => g.klPerDim().sum(1)));
    return t.logPx.sub(kl).reshape([s.k, b]).mean(0) as tf.Tensor1D;
  });
}

/** L(λ; x) per image and its gradient ∂L/∂λ per row: [B] and [B, P]. */
export function localElboAndGradient(
  model: LocalLatentModel,
  params: tf.Tensor2D,
  batch: Batch,
  s: LocalSampling,
): { value: tf.Tensor1D; gradient: tf.Tensor2D } {
  let kept: tf.Tensor1D | undefined;
  const gradient = tf.grad((p: tf.Tensor) => {
    const v = localElbo(model, p as tf.Tensor2D, batch, s);
    kept = tf.keep(v);
    return v.sum();
  })(params) as tf.Tensor2D;
  // a kept tensor outlives every scope: hand back a copy that the caller's scope owns
  const value = kept!.clone();
  kept!.dispose();
  return { value, gradient };
}

/** A copy of `t` with no history: gradients do not flow through it (PyTorch's `.detach()`). */
export function detached<T extends tf.Tensor>(t: T): T {
  return tf.tensor(t.dataSync(), t.shape, t.dtype) as T;
}
