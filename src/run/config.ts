import { z } from 'zod';
import { BACKEND_CHOICES } from '../backend/index.js';
import { BINARIZATIONS } from '../data/binarize.js';
import { modelConfigSchema } from '../models/build.js';
import { trainConfigSchema } from '../train/config.js';

/** The whole description of a run, as written to `runs/<name>/config.json`. */
export const runConfigSchema = z.strictObject({
  /** Bump when a run directory written by an older vaekit can no longer be read. */
  version: z.literal(1).default(1),
  seed: z.number().int().min(0).default(0),
  backend: z.enum(BACKEND_CHOICES).default('auto'),
  data: z
    .strictObject({
      /** A built-in name (`mnist`, `fashion-mnist`), an IDX file, or a directory of IDX files. */
      dataset: z.string().min(1).default('mnist'),
      binarize: z.enum(BINARIZATIONS as [string, ...string[]]).default('none'),
      /** Image folders: side of the square the images are centre-cropped and resized to. */
      imageSize: z.number().int().min(1).max(4096).default(32),
      /** Image folders: 1 (grey) or 3 (RGB). */
      channels: z.union([z.literal(1), z.literal(3)]).default(3),
      /** Image folders: skip files that cannot be decoded instead of stopping. */
      skipBadFiles: z.boolean().default(false),
      /** Image folders: keep the training images on disk and decode them a batch at a time. */
      stream: z.boolean().default(false),
    })
    .prefault({}),
  /** [height, width, channels] of the data, filled in when the run is created. */
  inputShape: z
    .tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()])
    .optional(),
  model: modelConfigSchema.prefault({ type: 'vae' }),
  train: trainConfigSchema.default(trainConfigSchema.parse({})),
});

export type RunConfig = z.infer<typeof runConfigSchema>;
