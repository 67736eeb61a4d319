import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import { type Dataset, imageSize } from '../data/dataset.js';
import { toBatch } from '../data/tensor-batches.js';
import { MAX_PNG_PIXELS, writeImageGrid } from '../io/png.js';
import { asConditional, type GenerativeModel, type Reconstructing } from '../models/model.js';
import { maxImagesPerPass } from '../models/registry.js';
import type { RunConfig } from './config.js';

/** Pixels of background between grid cells (encodeImageGrid's default) and the grids' upscaling. */
const PAD = 2;
const SCALE = 2;

/**
 * The most images one PNG grid of a run may hold, and refuses `count` above it naming `where`: the grid
 * (each image shown at twice its size) stays under half of MAX_PNG_PIXELS, the largest PNG vaekit reads
 * back, leaving room for its borders and last row; and one pass of the model over `count` images must fit
 * in memory. `perImage`: grid cells per image (2 for originals beside reconstructions).
 */
export function checkGridCount(config: RunConfig, count: number, where: string, perImage = 1): void {
  const shape = config.inputShape ?? [28, 28, 1];
  const [h, w] = shape;
  const cell = (h * SCALE + PAD) * (w * SCALE + PAD);
  const byPixels = Math.floor(MAX_PNG_PIXELS / (2 * cell * perImage));
  const byMemory = maxImagesPerPass(config.model, { inputShape: shape, classes: config.classes });
  const max = Math.min(byPixels, byMemory);
  if (count > max) {
    const why =
      max === byMemory
        ? 'what one pass of the model can hold in memory'
        : `a PNG grid of at most ${MAX_PNG_PIXELS / 2} pixels`;
    throw new InputError({
      where,
      expected: `at most ${max} images of ${shape.join('×')} (${why})`,
      found: String(count),
    });
  }
}

/**
 * An n-image grid from the prior, z ~ N(0, t²I). A conditional model draws `labels` (one per image);
 * without them, column c shows class c, so every class is seen side by side.
 */
export function writeSampleGrid(
  model: GenerativeModel,
  path: string,
  opts: { count?: number; seed?: number; temperature?: number; scale?: number; labels?: Int32Array } = {},
): void {
  const n = opts.count ?? 64;
  const conditional = asConditional(model);
  const byClass = conditional !== null && opts.labels === undefined;
  const cols = byClass ? Math.min(n, conditional.classes) : Math.ceil(Math.sqrt(n));
  const labels = byClass ? Int32Array.from({ length: n }, (_, i) => i % conditional.classes) : opts.labels;
  const images = model.sample(n, opts.seed ?? 0, { temperature: opts.temperature ?? 1, labels });
  writeImageGrid(path, images.dataSync() as Float32Array, n, model.inputShape, {
    cols,
    scale: opts.scale ?? SCALE,
  });
  images.dispose();
}

/**
 * The first `count` images of `ds` next to their reconstructions E[x | z = μ_φ(x)]:
 * each row holds `perRow` pairs (original, reconstruction).
 */
export function writeReconstructionGrid(
  model: Reconstructing,
  ds: Dataset,
  path: string,
  opts: { count?: number; perRow?: number; scale?: number } = {},
): void {
  const n = Math.min(opts.count ?? 32, ds.count);
  const size = imageSize(ds);
  const originals = ds.images.subarray(0, n * size);
  const recon = tf.tidy(
    () =>
      model
        .reconstruct(toBatch(originals, n, ds.shape, ds.labels?.subarray(0, n)))
        .dataSync() as Float32Array,
  );
  const pairs = new Float32Array(2 * n * size);
  for (let i = 0; i < n; i++) {
    pairs.set(originals.subarray(i * size, (i + 1) * size), 2 * i * size);
    pairs.set(recon.subarray(i * size, (i + 1) * size), (2 * i + 1) * size);
  }
  writeImageGrid(path, pairs, 2 * n, ds.shape, { cols: 2 * (opts.perRow ?? 8), scale: opts.scale ?? 2 });
}
