import { defineModel } from '../kind.js';
import { describeNetwork } from '../network-config.js';
import { hvaeConfigSchema } from './config.js';
import { HierarchicalVAE, HVAE_CAPABILITIES } from './hvae.js';

export const hvaeKind = defineModel({
  type: 'hvae',
  summary: 'hierarchical VAE: L latent groups, top-down inference (Ladder VAE / NVAE, fully connected)',
  schema: hvaeConfigSchema,
  capabilities: HVAE_CAPABILITIES,
  build: (config, data, seed) => new HierarchicalVAE(config, data.inputShape, seed),
  describe: (c) =>
    `hvae ${describeNetwork(c.network)}, ${c.groups} groups × ${c.latentDim} latent dims, ` +
    `width ${c.hidden}, ${c.likelihood} likelihood`,
});
