import type { ImageShape } from '../nn/networks.js';
import type { VAEConfig } from './config.js';
import { VAE } from './vae.js';

export type ModelConfig = VAEConfig;

/** Builds the model a config describes, with weights initialised from `seed`. */
export function buildModel(config: ModelConfig, inputShape: ImageShape, seed: number): VAE {
  return new VAE(config, inputShape, seed);
}
