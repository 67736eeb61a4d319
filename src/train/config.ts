import { z } from 'zod';
import { klScheduleSchema } from '../objectives/kl-schedule.js';

/** ELBO (one-sample), or the importance-weighted bound of Burda et al. 2015 with k samples. */
export const objectiveSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('elbo') }),
  z.strictObject({ kind: z.literal('iwae'), k: z.number().int().positive().default(5) }),
]);
export type Objective = z.infer<typeof objectiveSchema>;

export const trainConfigSchema = z
  .strictObject({
    objective: objectiveSchema.default({ kind: 'elbo' }),
    epochs: z.number().int().positive().default(10),
    batchSize: z.number().int().positive().default(128),
    learningRate: z.number().positive().default(1e-3),
    /** Adam's β1, β2 (Kingma & Ba 2015). */
    adamBeta1: z.number().min(0).lt(1).default(0.9),
    adamBeta2: z.number().min(0).lt(1).default(0.999),
    /** KL weight β (β-VAE); 1 is the true ELBO. */
    beta: z.number().min(0).default(1),
    klSchedule: klScheduleSchema.default({ kind: 'constant' }),
    /** Free bits λ in nats per latent dimension; 0 disables. */
    freeBits: z.number().min(0).default(0),
    /** Clip gradients to this global norm; 0 disables. */
    clipNorm: z.number().min(0).default(0),
    /** Checkpoints kept besides the best. */
    keepCheckpoints: z.number().int().positive().default(3),
    /** Also checkpoint every N steps (0: only at the end of each epoch). */
    checkpointEvery: z.number().int().min(0).default(0),
    /** Threads that share each batch (data-parallel, gradients averaged); 1 trains on the main thread only. */
    workers: z.number().int().positive().default(1),
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
