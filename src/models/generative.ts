import type * as tf from '@tensorflow/tfjs';
import type { ImageShape } from '../nn/networks.js';
import type { Trainable } from '../train/trainable.js';
import type { LatentVariableModel } from './latent-model.js';

/** Every model vaekit trains: it can be trained by the one loop and it can generate images. */
export interface GenerativeModel extends Trainable {
  readonly inputShape: ImageShape;
  /** n images [n, h, w, c] with values in [0, 1]; temperature scales the prior's spread (t < 1: sharper). */
  sample(n: number, seed: number, temperature?: number): tf.Tensor4D;
}

/** A model with an encoder (VAE, hierarchical VAE): it can also reconstruct and encode. */
export interface AutoencodingModel extends GenerativeModel, LatentVariableModel {
  reconstruct(x: tf.Tensor): tf.Tensor4D;
}

export function isAutoencoding(m: GenerativeModel): m is AutoencodingModel {
  return typeof (m as Partial<AutoencodingModel>).reconstruct === 'function';
}
