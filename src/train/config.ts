import { z } from 'zod';
import { flag } from '../core/flags.js';
import type { Objective } from '../core/trainable.js';
import { klScheduleSchema } from '../objectives/kl-schedule.js';

/** ELBO (one-sample), or the importance-weighted bound of Burda et al. 2015 with k samples. */
export const objectiveSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('elbo') }),
    z.strictObject({
      kind: z.literal('iwae'),
      k: z
        .number()
        .int()
        .positive()
        .default(5)
        .meta(flag('importance samples per image for --objective iwae (implies iwae)', { arg: 'n' })),
    }),
  ])
  .meta(
    flag('elbo: the one-sample ELBO | iwae: the k-sample importance-weighted bound of Burda et al. 2015', {
      arg: 'kind',
    }),
  );
objectiveSchema satisfies z.ZodType<Objective>;

export const trainConfigSchema = z
  .strictObject({
    objective: objectiveSchema.default({ kind: 'elbo' }),
    epochs: z
      .number()
      .int()
      .positive()
      .default(10)
      .meta(flag('epochs', { arg: 'n' })),
    batchSize: z
      .number()
      .int()
      .positive()
      .default(128)
      .meta(flag('mini-batch size', { arg: 'n' })),
    learningRate: z
      .number()
      .positive()
      .default(1e-3)
      .meta(flag('learning rate of Adam (GANs: of their own optimiser)', { name: 'lr', arg: 'rate' })),
    /** Adam's β1, β2 (Kingma & Ba 2015). */
    adamBeta1: z.number().min(0).lt(1).default(0.9),
    adamBeta2: z.number().min(0).lt(1).default(0.999),
    /** KL weight β (β-VAE); 1 is the true ELBO. */
    beta: z
      .number()
      .min(0)
      .default(1)
      .meta(flag('KL weight β (1 = the true ELBO; β-VAE when ≠ 1)', { arg: 'b' })),
    klSchedule: klScheduleSchema.default({ kind: 'constant' }),
    /** Free bits λ in nats per latent dimension; 0 disables. */
    freeBits: z
      .number()
      .min(0)
      .default(0)
      .meta(flag('free bits: each latent dimension’s KL counts at least this much', { arg: 'nats' })),
    /** Clip gradients to this global norm; 0 disables. */
    clipNorm: z
      .number()
      .min(0)
      .default(0)
      .meta(flag('clip gradients to this global norm (0: off)', { arg: 'n' })),
    /** Checkpoints kept besides the best. */
    keepCheckpoints: z
      .number()
      .int()
      .positive()
      .default(3)
      .meta(flag('checkpoints kept besides the best', { arg: 'n' })),
    /** Also checkpoint every N steps (0: only at the end of each epoch). */
    checkpointEvery: z
      .number()
      .int()
      .min(0)
      .default(0)
      .meta(flag('also checkpoint every N steps (0: at the end of each epoch only)', { arg: 'steps' })),
    /** Threads that share each batch (data-parallel, gradients averaged); 1 trains on the main thread only. */
    workers: z
      .number()
      .int()
      .positive()
      .default(1)
      .meta(
        flag(
          'threads sharing each batch: data-parallel training, gradients averaged (models that declare it; ' +
            'with the native kernels one thread already uses every core, so keep 1; kept on --resume)',
          { arg: 'n' },
        ),
      ),
  })
  .superRefine((train, ctx) => {
    // Free bits floor the closed-form KL of the ELBO; the IWAE bound has no KL term to floor.
    if (train.objective.kind === 'iwae' && train.freeBits > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['freeBits'],
        message: `expected 0 with the IWAE objective (free bits act on the ELBO's KL), found ${train.freeBits}`,
      });
    }
  });

export type TrainConfig = z.infer<typeof trainConfigSchema>;
