import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/random.js';
import { torchUniform } from './init.js';

export type Activation = 'relu' | 'elu' | 'tanh' | 'swish' | 'linear';

/** A dense layer with PyTorch-style initialisation. */
export function dense(
  inputDim: number,
  units: number,
  activation: Activation,
  rng: Rng,
  name: string,
): ReturnType<typeof tf.layers.dense> {
  return tf.layers.dense({
    units,
    activation,
    kernelInitializer: torchUniform(inputDim, rng),
    biasInitializer: torchUniform(inputDim, rng),
    name,
  });
}

/** The 4×4 stride-2 'same' geometry of every conv layer here, PyTorch-initialised from its fan-in. */
function conv4x4(filters: number, fanInChannels: number, activation: Activation, rng: Rng, name: string) {
  const fanIn = fanInChannels * 16;
  return {
    filters,
    kernelSize: 4,
    strides: 2,
    padding: 'same' as const,
    activation,
    kernelInitializer: torchUniform(fanIn, rng),
    biasInitializer: torchUniform(fanIn, rng),
    name,
  };
}

/** Stride-2 4×4 convolution with 'same' padding: halves height and width (PyTorch Conv2d(k=4, s=2, p=1)). */
export function convDown(
  inChannels: number,
  filters: number,
  rng: Rng,
  name: string,
  activation: Activation = 'relu',
): ReturnType<typeof tf.layers.conv2d> {
  return tf.layers.conv2d(conv4x4(filters, inChannels, activation, rng, name));
}

/**
 * Stride-2 4×4 transposed convolution: doubles height and width (PyTorch ConvTranspose2d(k=4, s=2, p=1),
 * whose fan-in PyTorch counts from the output channels).
 */
export function convUp(
  filters: number,
  activation: Activation,
  rng: Rng,
  name: string,
): ReturnType<typeof tf.layers.conv2dTranspose> {
  return tf.layers.conv2dTranspose(conv4x4(filters, filters, activation, rng, name));
}
