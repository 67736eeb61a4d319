import { z } from 'zod';
import { BACKEND_CHOICES } from '../backend/index.js';
import { flag } from '../core/flags.js';
import { BINARIZATIONS } from '../data/binarize.js';
import { modelConfigSchema } from '../models/registry.js';
import { trainConfigSchema } from '../train/config.js';

/** Where the images come from and how they are prepared. */
export const dataConfigSchema = z.strictObject({
  /** A built-in name (`mnist`, `fashion-mnist`), an IDX file, or a directory of IDX files. */
  dataset: z
    .string()
    .min(1)
    .default('mnist')
    .meta(
      flag('mnist | fashion-mnist | a directory of IDX files | a folder of PNG/JPEG images', {
        arg: 'name|dir',
      }),
    ),
  binarize: z
    .enum(BINARIZATIONS as [string, ...string[]])
    .default('none')
    .meta(flag('binarise pixels for a Bernoulli decoder', { arg: 'mode' })),
  /** Image folders: side of the square the images are centre-cropped and resized to. */
  imageSize: z
    .number()
    .int()
    .min(1)
    .max(4096)
    .default(32)
    .meta(flag('image folders: centre-crop and resize to this square size', { arg: 'px' })),
  /** Image folders: 1 (grey) or 3 (RGB). */
  channels: z
    .union([z.literal(1), z.literal(3)])
    .default(3)
    .meta(flag('image folders: 1 (grey) or 3 (RGB)', { arg: 'c' })),
  /** Image folders: skip files that cannot be decoded instead of stopping. */
  skipBadFiles: z
    .boolean()
    .default(false)
    .meta(flag('image folders: skip files that cannot be decoded (and say how many)')),
  /** Image folders: keep the training images on disk and decode them a batch at a time. */
  stream: z
    .boolean()
    .default(false)
    .meta(
      flag('image folders: read training images from disk a batch at a time (folders larger than memory)'),
    ),
});

/** The whole description of a run, as written to `runs/<name>/config.json`. */
export const runConfigSchema = z.strictObject({
  /** Bump when a run directory written by an older vaekit can no longer be read. */
  version: z.literal(1).default(1),
  seed: z
    .number()
    .int()
    .min(0)
    .default(0)
    .meta(flag('random seed: the same seed gives the same run on the same backend', { arg: 'n' })),
  backend: z
    .enum(BACKEND_CHOICES)
    .default('auto')
    .meta(flag('tfjs backend', { arg: 'name' })),
  data: dataConfigSchema.prefault({}),
  /** [height, width, channels] of the data, filled in when the run is created. */
  inputShape: z
    .tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()])
    .optional(),
  /** Number of classes of the data's labels (max label + 1), filled in when the run is created. */
  classes: z.number().int().positive().optional(),
  /** What label k means, filled in when the run is created from data that names its classes (class folders, the built-ins). */
  classNames: z.array(z.string()).optional(),
  /** How the stored images became the model's inputs, in words (data/preparation.ts), filled in when the run is created. */
  dataPreparation: z.array(z.string()).optional(),
  /** Fingerprint of the training and test images, filled in when the run is created (see run/data.ts). */
  dataDigest: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  model: modelConfigSchema.prefault({ type: 'vae' }),
  train: trainConfigSchema.default(trainConfigSchema.parse({})),
});

export type RunConfig = z.infer<typeof runConfigSchema>;
