import { InputError } from '../core/errors.js';
import { type Dataset, imageSize } from '../data/dataset.js';
import type { Classifier } from '../eval/classifier.js';
import { importanceSampledLogLikelihood } from '../eval/log-likelihood.js';
import { type SampleQuality, sampleQuality } from '../eval/sample-quality.js';
import { writeImageGrid } from '../io/png.js';
import { asLikelihoodModel } from '../models/model.js';
import { imagesPerPass } from '../models/registry.js';
import type { LoadedRun } from './load-run.js';

export interface ComparisonOptions {
  /** Samples drawn from each model, scored against the test images. */
  samples: number;
  seed: number;
  /** Importance samples per test image for IS-NLL (models with an encoder); 0 skips it. */
  k: number;
  /** Test images scored by IS-NLL (the first ones). */
  nllImages: number;
}

export interface ComparisonRow {
  run: string;
  model: string;
  /** Optimiser steps the checkpoint was trained for. */
  step: number;
  /** Fréchet classifier distance, precision and recall of the model's samples (src/eval/sample-quality). */
  quality: SampleQuality;
  /** Importance-sampled −log p(x) in nats per test image; null for models without a likelihood (GANs). */
  isNll: number | null;
  isNllBitsPerDim: number | null;
  /** The model is conditional: its IS-NLL is −log p(x|y). */
  conditional: boolean;
}

/**
 * The same metrics for every model: sample quality in the feature space of a classifier trained on the
 * data (Fréchet distance, precision, recall), and, for models with a likelihood, the importance-sampled
 * NLL of the test images.
 */
export function compareRun(
  run: LoadedRun & { dir: string },
  test: Dataset,
  classifier: Classifier,
  opts: ComparisonOptions,
): ComparisonRow {
  const data = { inputShape: run.model.inputShape, classes: run.config.classes };
  const quality = sampleQuality(run.model, classifier, test, {
    samples: opts.samples,
    seed: opts.seed,
    batchSize: imagesPerPass(run.config.model, data, 500),
  });
  const likelihood = asLikelihoodModel(run.model);
  const nll =
    opts.k > 0 && likelihood
      ? importanceSampledLogLikelihood(likelihood, test, {
          k: opts.k,
          limit: opts.nllImages,
          seed: opts.seed,
          rows: imagesPerPass(run.config.model, data, 5000),
        })
      : null;
  return {
    run: run.dir,
    model: run.model.kind,
    step: run.state.step,
    quality,
    isNll: nll?.nll ?? null,
    isNllBitsPerDim: nll?.bitsPerDim ?? null,
    conditional: run.model.capabilities.conditional,
  };
}

/**
 * Runs compared together must score against the same test images: the same data digest (or, for runs
 * written before digests, the same dataset name), binarisation, preprocessing and image shape.
 */
export function checkSameData(runs: (LoadedRun & { dir: string })[]): void {
  const fields = (r: LoadedRun): Record<string, unknown> => {
    const { dataset, stream, skipBadFiles, ...preparation } = r.config.data;
    const bothDigested = runs.every((x) => x.config.dataDigest !== undefined);
    return {
      ...(bothDigested ? { dataDigest: r.config.dataDigest } : { dataset }),
      ...preparation,
      inputShape: r.config.inputShape?.join('×'),
    };
  };
  const first = fields(runs[0]);
  for (const run of runs.slice(1)) {
    const other = fields(run);
    const differ = Object.keys(first).filter((k) => first[k] !== other[k]);
    if (differ.length) {
      throw new InputError({
        where: run.dir,
        expected: `the data of ${runs[0].dir} (${differ.map((k) => `${k} ${first[k]}`).join(', ')})`,
        found: differ.map((k) => `${k} ${other[k]}`).join(', '),
        hint: 'compare runs trained on the same dataset with the same binarisation',
      });
    }
  }
}

/**
 * One PNG with a block of `rows`×`perRow` images per source side by side (the test images first, then each
 * run's samples), blocks separated by an empty column.
 */
export function writeSideBySide(
  path: string,
  blocks: Float32Array[],
  shape: [number, number, number],
  opts: { rows?: number; perRow?: number; scale?: number } = {},
): void {
  const rows = opts.rows ?? 8;
  const perRow = opts.perRow ?? 8;
  const size = imageSize({ shape });
  const cols = blocks.length * (perRow + 1) - 1;
  const grid = new Float32Array(rows * cols * size).fill(0.5); // the gap cells look like the background
  for (let r = 0; r < rows; r++) {
    blocks.forEach((block, b) => {
      for (let i = 0; i < perRow; i++) {
        const src = (r * perRow + i) * size;
        grid.set(block.subarray(src, src + size), (r * cols + b * (perRow + 1) + i) * size);
      }
    });
  }
  writeImageGrid(path, grid, rows * cols, shape, { cols, scale: opts.scale ?? 2 });
}
