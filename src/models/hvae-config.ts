import { z } from 'zod';
import { networkSchema } from './config.js';
import { likelihoodFields } from './likelihood.js';

const positiveInt = z.number().int().positive();

/**
 * A hierarchical VAE with `groups` stochastic layers z_L … z_1 and bidirectional (top-down) inference,
 * as in the Ladder VAE (Sønderby et al. 2016) and NVAE (Vahdat & Kautz 2020), in fully connected form.
 */
export const hvaeConfigSchema = z.strictObject({
  type: z.literal('hvae'),
  /** Number L ≥ 2 of latent groups. */
  groups: z.number().int().min(2).default(2),
  /** Dimensions of each latent group. */
  latentDim: positiveInt.default(16),
  /** Width of the deterministic bottom-up and top-down paths. */
  hidden: positiveInt.default(256),
  /** Residual cells per group on each path. */
  cells: positiveInt.default(1),
  /** The stem x → features and the head features → x (MLP or conv, as for the plain VAE). */
  network: networkSchema.default({ type: 'mlp', hidden: [400] }),
  /** NVAE's KL balancing during warm-up (β < 1): each group's KL weighted by its share, so none collapses. */
  klBalance: z.boolean().default(true),
  ...likelihoodFields,
});

export type HVAEConfig = z.infer<typeof hvaeConfigSchema>;
