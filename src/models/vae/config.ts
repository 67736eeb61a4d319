import { z } from 'zod';
import { flag } from '../../core/flags.js';
import { likelihoodFields } from '../likelihood.js';
import { networkSchema } from '../network-config.js';

/** Fields of every model with one Gaussian latent vector per image (the VAE, the conditional VAE). */
export const gaussianVaeFields = {
  latentDim: z
    .number()
    .int()
    .positive()
    .default(20)
    .meta(flag('latent dimensions', { arg: 'm' })),
  network: networkSchema.default({ type: 'mlp', hidden: [400] }),
  ...likelihoodFields,
};

/**
 * A Gaussian VAE: latent z ∈ R^m with prior N(0, I), encoder q_φ(z|x) = N(μ_φ(x), diag σ²_φ(x)),
 * decoder p_θ(x|z) Bernoulli (binary images) or Gaussian N(μ_θ(z), σ² I) with σ fixed or learned.
 */
export const vaeConfigSchema = z.strictObject({
  type: z.literal('vae').default('vae'),
  ...gaussianVaeFields,
});

export type VAEConfig = z.infer<typeof vaeConfigSchema>;
