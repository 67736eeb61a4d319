import { z } from 'zod';
import type { ImageShape } from '../nn/networks.js';
import { vaeConfigSchema } from './config.js';
import type { GenerativeModel } from './generative.js';
import { VAE } from './vae.js';

/**
 * Every model type vaekit can train, told apart by `type` (a config without one is a plain VAE).
 * A new model adds its schema to the union and a case to buildModel.
 */
export const modelConfigSchema = z.preprocess(
  (v) => (typeof v === 'object' && v !== null && !('type' in v) ? { ...v, type: 'vae' } : v),
  z.discriminatedUnion('type', [vaeConfigSchema]),
);

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export const MODEL_TYPES = ['vae'] as const;

/** Builds the model a config describes, with weights initialised from `seed`. */
export function buildModel(config: ModelConfig, inputShape: ImageShape, seed: number): GenerativeModel {
  switch (config.type) {
    case 'vae':
      return new VAE(config, inputShape, seed);
  }
}
