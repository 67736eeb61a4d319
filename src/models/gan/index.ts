import { addSizes, criticSize, generatorSize } from '../../nn/size.js';
import { type DataInfo, defineModel } from '../kind.js';
import { type AdversarialConfig, ganConfigSchema, wganConfigSchema, wganGpConfigSchema } from './config.js';
import { GAN, GAN_CAPABILITIES } from './gan.js';

const size = (c: AdversarialConfig, data: DataInfo) =>
  addSizes(
    generatorSize(c.generatorFilters, c.latentDim, data.inputShape),
    criticSize(c.criticFilters, data.inputShape, c.type !== 'wgan-gp' && c.criticBatchNorm),
  );

const describe = (c: AdversarialConfig) =>
  `${c.type} (generator ${c.generatorFilters.join('-')}, critic ${c.criticFilters.join('-')}, ` +
  `${c.latentDim} latent dims, n_critic ${c.nCritic})`;

export const ganKind = defineModel({
  type: 'gan',
  summary: 'DCGAN with the non-saturating loss (Adam 2e-4, β = (0.5, 0.999))',
  schema: ganConfigSchema,
  capabilities: GAN_CAPABILITIES.gan,
  build: (config, data, seed) => new GAN(config, data.inputShape, seed),
  size,
  describe,
});

export const wganKind = defineModel({
  type: 'wgan',
  summary: 'WGAN with weight clipping (RMSProp 5e-5, clip 0.01, n_critic 5)',
  schema: wganConfigSchema,
  capabilities: GAN_CAPABILITIES.wgan,
  build: (config, data, seed) => new GAN(config, data.inputShape, seed),
  size,
  describe,
});

export const wganGpKind = defineModel({
  type: 'wgan-gp',
  summary: 'WGAN-GP, gradient penalty λ = 10 (Adam 1e-4, β = (0.5, 0.9), n_critic 5)',
  schema: wganGpConfigSchema,
  capabilities: GAN_CAPABILITIES['wgan-gp'],
  build: (config, data, seed) => new GAN(config, data.inputShape, seed),
  size,
  describe,
});
