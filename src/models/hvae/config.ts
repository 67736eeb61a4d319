import { z } from 'zod';
import { flag } from '../../core/flags.js';
import { likelihoodFields } from '../likelihood.js';
import { networkSchema } from '../network-config.js';

const positiveInt = z.number().int().positive();

/**
 * A hierarchical VAE with `groups` stochastic layers z_L … z_1 and bidirectional (top-down) inference,
 * as in the Ladder VAE (Sønderby et al. 2016) and NVAE (Vahdat & Kautz 2020), in fully connected form.
 */
export const hvaeConfigSchema = z.strictObject({
  type: z.literal('hvae'),
  /** Number L ≥ 2 of latent groups. */
  groups: z
    .number()
    .int()
    .min(2)
    .default(2)
    .meta(flag('hvae: number of latent groups (stochastic layers, ≥ 2)', { arg: 'L' })),
  /** Dimensions of each latent group. */
  latentDim: positiveInt.default(16).meta(flag('latent dimensions (hvae: of each group)', { arg: 'm' })),
  /** Width of the deterministic bottom-up and top-down paths. */
  hidden: positiveInt.default(256).meta(
    flag('width of the deterministic paths (hvae: units; nvae: channels at the latent scales)', {
      name: 'width',
      arg: 'H',
    }),
  ),
  /** Residual cells per group on each path. */
  cells: positiveInt.default(1).meta(flag('hvae/nvae: residual cells per group on each path', { arg: 'n' })),
  /** The stem x → features and the head features → x (MLP or conv, as for the plain VAE). */
  network: networkSchema.default({ type: 'mlp', hidden: [400] }),
  /** NVAE's KL balancing during warm-up (β < 1): each group's KL weighted by its share, so none collapses. */
  klBalance: z.boolean().default(true),
  ...likelihoodFields,
});

export type HVAEConfig = z.infer<typeof hvaeConfigSchema>;
