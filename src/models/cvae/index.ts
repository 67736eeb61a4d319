import { InputError } from '../../core/errors.js';
import { defineModel } from '../kind.js';
import { describeNetwork } from '../network-config.js';
import { cvaeConfigSchema } from './config.js';
import { ConditionalVAE, CVAE_CAPABILITIES } from './cvae.js';

export const cvaeKind = defineModel({
  type: 'cvae',
  summary: 'conditional VAE (Sohn et al. 2015): encoder and decoder see the class label; sample --class y',
  schema: cvaeConfigSchema,
  capabilities: CVAE_CAPABILITIES,
  build: (config, data, seed) => {
    if (data.classes === undefined) {
      throw new InputError({ where: 'cvae', expected: 'data with class labels', found: 'no labels' });
    }
    return new ConditionalVAE(config, data.inputShape, data.classes, seed);
  },
  describe: (c) =>
    `cvae ${describeNetwork(c.network)}, ${c.latentDim} latent dims, ${c.likelihood} likelihood, class-conditioned`,
});
