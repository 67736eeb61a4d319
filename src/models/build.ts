import { z } from 'zod';
import type { ImageShape } from '../nn/networks.js';
import { vaeConfigSchema } from './config.js';
import { GAN } from './gan.js';
import { ganConfigSchema, wganConfigSchema, wganGpConfigSchema } from './gan-config.js';
import type { GenerativeModel } from './generative.js';
import { HierarchicalVAE } from './hvae.js';
import { hvaeConfigSchema } from './hvae-config.js';
import { VAE } from './vae.js';

/**
 * Every model type vaekit can train, told apart by `type` (a config without one is a plain VAE).
 * A new model adds its schema to the union and a case to buildModel.
 */
export const modelConfigSchema = z.preprocess(
  (v) => (typeof v === 'object' && v !== null && !('type' in v) ? { ...v, type: 'vae' } : v),
  z.discriminatedUnion('type', [
    vaeConfigSchema,
    hvaeConfigSchema,
    ganConfigSchema,
    wganConfigSchema,
    wganGpConfigSchema,
  ]),
);

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export const MODEL_TYPES = ['vae', 'hvae', 'gan', 'wgan', 'wgan-gp'] as const;

/** Builds the model a config describes, with weights initialised from `seed`. */
export function buildModel(config: ModelConfig, inputShape: ImageShape, seed: number): GenerativeModel {
  switch (config.type) {
    case 'vae':
      return new VAE(config, inputShape, seed);
    case 'hvae':
      return new HierarchicalVAE(config, inputShape, seed);
    case 'gan':
    case 'wgan':
    case 'wgan-gp':
      return new GAN(config, inputShape, seed);
  }
}
