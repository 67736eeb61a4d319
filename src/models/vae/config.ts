import { z } from 'zod';
import { flag } from '../../core/flags.js';
import { likelihoodFields } from '../likelihood.js';
import { networkSchema } from '../network-config.js';

const positiveInt = z.number().int().positive();

/**
 * The family of q(z|x): a diagonal Gaussian, or an inverse autoregressive flow on one (Kingma et al. 2016):
 * `flowSteps` MADE steps of hidden layers `flowHidden`, each seeing a context h of `flowContext` values
 * that the encoder outputs beside μ and log σ².
 */
export const posteriorSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('gaussian') }),
    z.strictObject({
      type: z.literal('iaf'),
      flowSteps: positiveInt.default(2).meta(flag('IAF posterior: flow steps', { arg: 'K' })),
      flowHidden: z
        .array(positiveInt)
        .min(1)
        .default([64])
        .meta(flag('IAF posterior: MADE hidden layer sizes, e.g. 64 or 64,64', { arg: 'sizes' })),
      flowContext: positiveInt
        .default(32)
        .meta(flag('IAF posterior: width of the context h the encoder gives each step', { arg: 'n' })),
    }),
  ])
  .meta(
    flag('posterior q(z|x): diagonal Gaussian, or an inverse autoregressive flow on it (KL by Monte Carlo)', {
      name: 'posterior',
      arg: 'type',
    }),
  );

export type PosteriorConfig = z.infer<typeof posteriorSchema>;

/** Fields of every model with one Gaussian latent vector per image (the VAE, the conditional VAE). */
export const gaussianVaeFields = {
  latentDim: z
    .number()
    .int()
    .positive()
    .default(20)
    .meta(flag('latent dimensions', { arg: 'm' })),
  network: networkSchema.default({ type: 'mlp', hidden: [400] }),
  posterior: posteriorSchema.default({ type: 'gaussian' }),
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
