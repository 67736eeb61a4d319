import { addSizes, decoderSize, denseSize, encoderSize, residualStackSize } from '../../nn/size.js';
import { defineModel } from '../kind.js';
import { likelihoodChannels, likelihoodSize } from '../likelihood.js';
import { describeNetwork } from '../network-config.js';
import { hvaeConfigSchema } from './config.js';
import { HierarchicalVAE, HVAE_CAPABILITIES } from './hvae.js';

export const hvaeKind = defineModel({
  type: 'hvae',
  summary: 'hierarchical VAE: L latent groups, top-down inference (Ladder VAE / NVAE, fully connected)',
  schema: hvaeConfigSchema,
  capabilities: HVAE_CAPABILITIES,
  build: (config, data, seed) => new HierarchicalVAE(config, data.inputShape, seed),
  size: (c, data) => {
    const { groups: L, hidden: H, latentDim: m, cells } = c;
    const [h, w, channels] = data.inputShape;
    const times = (k: number, s: { parameters: number; activations: number }) => ({
      parameters: k * s.parameters,
      activations: k * s.activations,
    });
    return addSizes(
      encoderSize(c.network, data.inputShape, H),
      decoderSize(c.network, H, [h, w, likelihoodChannels(c, channels)]),
      residualStackSize((L - 1) * cells, H),
      residualStackSize(L * cells, H),
      denseSize(H, 2 * m),
      times(L - 1, denseSize(H, 2 * m)),
      times(L - 1, denseSize(2 * H, 2 * m)),
      times(L, denseSize(m, H)),
      likelihoodSize(c, data.inputShape),
    );
  },
  describe: (c) =>
    `hvae ${describeNetwork(c.network)}, ${c.groups} groups × ${c.latentDim} latent dims, ` +
    `width ${c.hidden}, ${c.likelihood} likelihood`,
});
