import { defineModel } from '../kind.js';
import { likelihoodChannels } from '../likelihood.js';
import { describeNetwork } from '../network-config.js';
import { vaeConfigSchema } from './config.js';
import { describeInference } from './posterior.js';
import { gaussianVaeSize } from './size.js';
import { VAE, VAE_CAPABILITIES } from './vae.js';

export const vaeKind = defineModel({
  type: 'vae',
  summary: 'Gaussian VAE (the default): one latent vector per image, MLP or conv networks',
  schema: vaeConfigSchema,
  capabilities: VAE_CAPABILITIES,
  build: (config, data, seed) => new VAE(config, data.inputShape, seed),
  size: (config, data) =>
    gaussianVaeSize(config, data.inputShape, likelihoodChannels(config, data.inputShape[2])),
  describe: (c) =>
    `vae ${describeNetwork(c.network)}, ${c.latentDim} latent dims, ${c.likelihood} likelihood${describeInference(c)}`,
});
