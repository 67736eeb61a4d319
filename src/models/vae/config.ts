import { z } from 'zod';
import { flag } from '../../core/flags.js';
import { likelihoodFields } from '../likelihood.js';
import { networkSchema } from '../network-config.js';

/** The refinement's default step size (measured on MNIST: docs/gaps.md). */
export const REFINE_LR = 0.01;

/**
 * Semi-amortised inference (Kim et al. 2018, SA-VAE): the encoder's output refined for each image by K
 * gradient steps on its ELBO, in training and wherever the model infers z (evaluation, encode, explorer).
 */
const refineFields = {
  refineSteps: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(0)
    .meta(
      flag(
        'semi-amortised inference (SA-VAE): gradient steps refining q(z|x) per image, in training and evaluation (a training step then costs about 3K + 3 decoder passes instead of 1); 0 = off',
        {
          arg: 'K',
        },
      ),
    ),
  refineLr: z
    .number()
    .positive()
    .max(100)
    .default(REFINE_LR)
    .meta(
      flag('step size α of the refinement (halved for an image whenever a step would lower its ELBO)', {
        arg: 'α',
      }),
    ),
  refineGradient: z
    .enum(['through', 'stop'])
    .default('through')
    .meta(
      flag(
        'how the encoder learns with refinement: through = back-propagate through the K steps (SA-VAE); stop = it maximises its own ELBO while the decoder learns at the refined posterior',
        { arg: 'mode' },
      ),
    ),
};

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
      flowSteps: positiveInt
        .default(2)
        .meta(flag('IAF posterior: flow steps (implies --posterior iaf)', { arg: 'K' })),
      flowHidden: z
        .array(positiveInt)
        .min(1)
        .default([64])
        .meta(
          flag('IAF posterior: MADE hidden layer sizes, e.g. 64 or 64,64 (implies --posterior iaf)', {
            arg: 'sizes',
          }),
        ),
      flowContext: positiveInt
        .default(32)
        .meta(
          flag(
            'IAF posterior: width of the context h the encoder gives each step (implies --posterior iaf)',
            { arg: 'n' },
          ),
        ),
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
  encoderWidth: z
    .number()
    .int()
    .min(1)
    .max(16)
    .default(1)
    .meta(
      flag("the encoder's hidden layers (or filters) are this many times the decoder's: a larger encoder", {
        arg: 'factor',
      }),
    ),
  posterior: posteriorSchema.default({ type: 'gaussian' }),
  ...likelihoodFields,
  ...refineFields,
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
