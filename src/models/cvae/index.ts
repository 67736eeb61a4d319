import { InputError } from '../../core/errors.js';
import { defineModel } from '../kind.js';
import { likelihoodChannels } from '../likelihood.js';
import { describeNetwork } from '../network-config.js';
import { describeInference } from '../vae/posterior.js';
import { gaussianVaeSize } from '../vae/size.js';
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
  size: (config, data) =>
    gaussianVaeSize(
      config,
      data.inputShape,
      likelihoodChannels(config, data.inputShape[2]),
      data.classes ?? 0,
    ),
  describe: (c) =>
    `cvae ${describeNetwork(c.network)}, ${c.latentDim} latent dims, ${c.likelihood} likelihood, class-conditioned${describeInference(c)}`,
});
