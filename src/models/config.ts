import { z } from 'zod';
import { likelihoodFields } from './likelihood.js';

const positiveInt = z.number().int().positive();
const activation = z.enum(['relu', 'elu', 'tanh']);

export const networkSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('mlp'),
    hidden: z.array(positiveInt).default([400]),
    activation: activation.optional(),
  }),
  z.strictObject({
    type: z.literal('conv'),
    filters: z.array(positiveInt).min(1).default([32, 64]),
    activation: activation.optional(),
  }),
]);

/**
 * A Gaussian VAE: latent z ∈ R^m with prior N(0, I), encoder q_φ(z|x) = N(μ_φ(x), diag σ²_φ(x)),
 * decoder p_θ(x|z) Bernoulli (binary images) or Gaussian N(μ_θ(z), σ² I) with σ fixed or learned.
 */
export const vaeConfigSchema = z.strictObject({
  type: z.literal('vae').default('vae'),
  latentDim: positiveInt.default(20),
  network: networkSchema.default({ type: 'mlp', hidden: [400] }),
  ...likelihoodFields,
});

export type VAEConfig = z.infer<typeof vaeConfigSchema>;
export type NetworkConfig = z.infer<typeof networkSchema>;
