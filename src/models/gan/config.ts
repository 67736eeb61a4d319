import { z } from 'zod';
import { flag } from '../../core/flags.js';

const positiveInt = z.number().int().positive();
const filters = (d: number[], help: string) =>
  z
    .array(positiveInt)
    .min(1)
    .default(d)
    .meta(flag(help, { arg: 'sizes' }));
const unit = z.number().min(0).lt(1);

const nCritic = (d: number) =>
  positiveInt.default(d).meta(flag('GANs: critic updates per generator update', { arg: 'n' }));

/**
 * What every variant shares: the latent prior N(0, I) in R^latentDim, the DCGAN network widths, and one
 * optimiser kind and rate for both networks (their defaults differ per variant, as in the papers).
 */
const shared = (opt: { optimizer: 'adam' | 'rmsprop'; learningRate: number; beta2: number }) => ({
  latentDim: positiveInt.default(100).meta(flag('latent dimensions', { arg: 'm' })),
  /** Generator feature maps from the coarsest to the finest: [128, 64] on 28×28 is 7×7×128 → 14×14×64 → 28×28. */
  generatorFilters: filters([128, 64], 'GANs: generator feature maps, coarsest first'),
  /** Critic / discriminator conv widths, input side first: [64, 128] on 28×28 is 14×14×64 → 7×7×128 → 1. */
  criticFilters: filters([64, 128], 'GANs: critic conv widths, input side first'),
  optimizer: z.enum(['adam', 'rmsprop']).default(opt.optimizer),
  learningRate: z
    .number()
    .positive()
    .default(opt.learningRate)
    .meta(flag('learning rate of both networks (default per variant)', { name: 'lr', arg: 'rate' })),
  adamBeta1: unit.default(0.5),
  adamBeta2: unit.default(opt.beta2),
  /** RMSProp's decay ρ of the squared-gradient average (PyTorch's default 0.99, used by the WGAN code). */
  rmspropDecay: unit.default(0.99),
});

/**
 * DCGAN (Radford et al. 2016) with the non-saturating loss: Adam 2e-4, β = (0.5, 0.999), one
 * discriminator update per generator update, batch norm in both networks.
 */
export const ganConfigSchema = z.strictObject({
  type: z.literal('gan'),
  ...shared({ optimizer: 'adam', learningRate: 2e-4, beta2: 0.999 }),
  nCritic: nCritic(1),
  criticBatchNorm: z.boolean().default(true),
});

/**
 * WGAN with weight clipping (Arjovsky et al. 2017, Algorithm 1): RMSProp 5e-5, every critic weight
 * clipped to [−clip, clip] after each critic update, nCritic = 5 critic updates per generator update.
 * The critic is the DCGAN discriminator, batch norm included, as in the paper's experiments.
 */
export const wganConfigSchema = z.strictObject({
  type: z.literal('wgan'),
  ...shared({ optimizer: 'rmsprop', learningRate: 5e-5, beta2: 0.999 }),
  nCritic: nCritic(5),
  clip: z
    .number()
    .positive()
    .default(0.01)
    .meta(flag('wgan: clip every critic weight to [−c, c] after each update', { arg: 'c' })),
  criticBatchNorm: z.boolean().default(true),
});

/**
 * WGAN-GP (Gulrajani et al. 2017, Algorithm 1): gradient penalty λ = 10, Adam 1e-4, β = (0.5, 0.9),
 * nCritic = 5; the critic has no batch norm (the penalty is per example).
 */
export const wganGpConfigSchema = z.strictObject({
  type: z.literal('wgan-gp'),
  ...shared({ optimizer: 'adam', learningRate: 1e-4, beta2: 0.9 }),
  nCritic: nCritic(5),
  gpLambda: z
    .number()
    .min(0)
    .default(10)
    .meta(flag('wgan-gp: weight λ of the gradient penalty', { arg: 'λ' })),
});

/** Any of the three adversarial models. */
export type AdversarialConfig =
  | z.infer<typeof ganConfigSchema>
  | z.infer<typeof wganConfigSchema>
  | z.infer<typeof wganGpConfigSchema>;
