import { z } from 'zod';
import { flag } from '../../core/flags.js';
import { likelihoodFields } from '../likelihood.js';

const positiveInt = z.number().int().positive();

/**
 * NVAE (Vahdat & Kautz 2020): a deep hierarchical VAE whose latent groups are feature maps at several
 * scales, with NVAE's residual cells, spectral regularisation and batch-norm re-estimation at sampling.
 * The finest latent scale is a quarter of the (padded) image side; each further scale halves it.
 */
export const nvaeConfigSchema = z.strictObject({
  type: z.literal('nvae'),
  /** Latent scales S (coarsest first in the top-down path): side/4, side/8, … */
  scales: positiveInt
    .max(4)
    .default(2)
    .meta(
      flag('nvae: latent scales, each half the resolution of the last (e.g. 8×8 and 4×4 for 28–32 px)', {
        arg: 'S',
      }),
    ),
  /** Latent groups per scale. */
  groupsPerScale: positiveInt.default(2).meta(flag('nvae: latent groups per scale', { arg: 'G' })),
  /** Channels of each latent group's map. */
  latentChannels: positiveInt
    .default(8)
    .meta(flag('nvae: channels of each latent group (a C×h×w map)', { arg: 'C' })),
  /** Channels of the deterministic paths at the latent scales (half and a quarter of it before them). */
  hidden: positiveInt.default(32).meta(
    flag('width of the deterministic paths (hvae: units; nvae: channels at the latent scales)', {
      name: 'width',
      arg: 'H',
    }),
  ),
  /** Residual cells per latent group on each path. */
  cells: positiveInt.default(1).meta(flag('hvae/nvae: residual cells per group on each path', { arg: 'n' })),
  /** Expansion E of the generative cell's inverted bottleneck (1×1 conv to E·C channels). */
  expansion: positiveInt
    .max(8)
    .default(3)
    .meta(flag('nvae: expansion of the generative cells (NVAE: 6)', { arg: 'E' })),
  /** Weight λ of the spectral regulariser λ·Σ σ_max(W) over every convolution. */
  spectralReg: z
    .number()
    .min(0)
    .default(0.01)
    .meta(flag('nvae: weight of the spectral regularisation λ·Σ σ_max(conv weights) (0: off)', { arg: 'λ' })),
  /** Prior batches of 64 run to re-estimate the top-down path's batch-norm statistics before sampling. */
  bnBatches: z
    .number()
    .int()
    .min(0)
    .default(20)
    .meta(
      flag('nvae: prior batches that re-estimate batch-norm statistics before sampling (0: off)', {
        arg: 'n',
      }),
    ),
  /** NVAE's KL balancing during warm-up (β < 1). */
  klBalance: z.boolean().default(true),
  ...likelihoodFields,
});

export type NVAEConfig = z.infer<typeof nvaeConfigSchema>;
