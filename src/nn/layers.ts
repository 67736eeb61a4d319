import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/random.js';
import { torchUniform } from './init.js';

export type Activation = 'relu' | 'elu' | 'tanh' | 'linear';

/** A dense layer with PyTorch-style initialisation. */
export function dense(inputDim: number, units: number, activation: Activation, rng: Rng, name: string) {
  return tf.layers.dense({
    units,
    activation,
    kernelInitializer: torchUniform(inputDim, rng),
    biasInitializer: torchUniform(inputDim, rng),
    name,
  });
}

/** Stride-2 4×4 convolution with 'same' padding: halves height and width (PyTorch Conv2d(k=4, s=2, p=1)). */
export function convDown(
  inChannels: number,
  filters: number,
  rng: Rng,
  name: string,
  activation: Activation = 'relu',
) {
  const fanIn = inChannels * 16;
  return tf.layers.conv2d({
    filters,
    kernelSize: 4,
    strides: 2,
    padding: 'same',
    activation,
    kernelInitializer: torchUniform(fanIn, rng),
    biasInitializer: torchUniform(fanIn, rng),
    name,
  });
}

/** Stride-2 4×4 transposed convolution: doubles height and width (PyTorch ConvTranspose2d(k=4, s=2, p=1)). */
export function convUp(filters: number, activation: Activation, rng: Rng, name: string) {
  const fanIn = filters * 16;
  return tf.layers.conv2dTranspose({
    filters,
    kernelSize: 4,
    strides: 2,
    padding: 'same',
    activation,
    kernelInitializer: torchUniform(fanIn, rng),
    biasInitializer: torchUniform(fanIn, rng),
    name,
  });
}
