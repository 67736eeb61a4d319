import type * as tf from '@tensorflow/tfjs';
import type { Trainable } from '../core/trainable.js';
import type { ImageShape } from '../nn/networks.js';
import type { LatentVariableModel } from './latent-model.js';

/** Every model vaekit trains: it can be trained by the one loop and it can generate images. */
export interface GenerativeModel extends Trainable {
  readonly inputShape: ImageShape;
  /** n images [n, h, w, c] with values in [0, 1]; temperature scales the prior's spread (t < 1: sharper). */
  sample(n: number, seed: number, temperature?: number): tf.Tensor4D;
}

/** A model with an inference network (VAE, hierarchical VAE): it can reconstruct its input. */
export interface ReconstructingModel extends GenerativeModel {
  reconstruct(x: tf.Tensor): tf.Tensor4D;
}

/** A model with one latent vector per image, q(z|x) and p(x|z) (the VAE): it can also encode and decode. */
export interface AutoencodingModel extends ReconstructingModel, LatentVariableModel {}

export function canReconstruct(m: GenerativeModel): m is ReconstructingModel {
  return typeof (m as Partial<ReconstructingModel>).reconstruct === 'function';
}

export function isAutoencoding(m: GenerativeModel): m is AutoencodingModel {
  const a = m as Partial<AutoencodingModel>;
  return (
    canReconstruct(m) &&
    typeof a.encode === 'function' &&
    typeof a.decode === 'function' &&
    typeof a.latentDim === 'number'
  );
}
