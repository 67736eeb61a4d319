import { existsSync } from 'node:fs';
import type { Dataset } from '../data/dataset.js';
import { imageSize } from '../data/dataset.js';
import { type Images, readImages } from '../data/source.js';
import { defaultClassifierDir, loadClassifier } from '../eval/classifier.js';
import { evaluateModel, type ModelEvalOptions } from '../eval/evaluate-model.js';
import { type GapOptions, inferenceGaps } from '../eval/gaps.js';
import type { EvalReport, GapReport } from '../eval/report.js';
import { describeModel, imagesPerPass } from '../models/registry.js';
import type { LocalLatentModel } from '../objectives/latent.js';
import { binarizedLikeTest, loadRunData, loadRunDataFor } from './data.js';
import type { LoadedRun } from './load-run.js';

/** What `eval --gaps` scores: the first `images` test images and as many training images. */
export interface RunGapOptions extends Omit<GapOptions, 'seed' | 'rows' | 'onProgress'> {
  images: number;
  /** The run's model with per-image posterior parameters (the caller checks the capability). */
  model: LocalLatentModel;
}

export interface RunEvalOptions extends Omit<ModelEvalOptions, 'quality'> {
  /** Split the inference gap (approximation, amortisation) on test and training images. */
  gaps?: RunGapOptions;
  /** Feature classifier directory; undefined: the dataset's default cache if it exists; null: no sample quality. */
  classifierDir?: string | null;
}

/** Evaluates a loaded run on its test split (binarised as in training) and returns the full report. */
export function evaluateRun(dir: string, run: LoadedRun, opts: RunEvalOptions): EvalReport {
  const started = performance.now();
  const { config } = run;
  const test = loadRunDataFor(config).split.test;
  const classifierDir =
    opts.samples <= 0
      ? null
      : opts.classifierDir === undefined
        ? existsSync(defaultClassifierDir(config.data.dataset))
          ? defaultClassifierDir(config.data.dataset)
          : null
        : opts.classifierDir;
  const quality = classifierDir
    ? {
        ...loadClassifier(classifierDir),
        dir: classifierDir,
        real:
          config.data.binarize === 'none'
            ? test
            : loadRunData({ ...config.data, binarize: 'none' }, config.seed).split.test,
      }
    : null;
  const batchSize = imagesPerPass(
    config.model,
    { inputShape: run.model.inputShape, classes: config.classes },
    500,
  );
  const evaluation = evaluateModel(run.model, test, { batchSize, ...opts, quality });
  quality?.classifier.dispose();
  const gaps =
    opts.gaps &&
    gapsOnBothSplits(opts.gaps, loadRunDataFor(config).split.train, test, {
      ...opts,
      likeTest: (ds) => binarizedLikeTest(ds, config.data),
    });
  const objective = config.train.objective;
  return {
    run: dir,
    checkpoint: run.checkpoint,
    step: run.state.step,
    epochs: run.state.epoch,
    model: describeModel(config.model),
    objective:
      run.model.capabilities.objectives.length === 0
        ? 'adversarial'
        : objective.kind === 'iwae'
          ? `iwae (k = ${objective.k})`
          : objective.kind,
    dataset: config.data.dataset,
    binarize: config.data.binarize,
    seed: opts.seed,
    dims: imageSize(test),
    ...evaluation,
    ...(gaps && { gaps }),
    seconds: (performance.now() - started) / 1000,
  };
}

/** The first `count` images of a split (streamed training images read from disk) as a dataset. */
function firstImages(ds: Images, count: number): Dataset {
  const n = Math.min(count, ds.count);
  const read = readImages(
    ds,
    Int32Array.from({ length: n }, (_, i) => i),
  );
  return { name: ds.name, shape: ds.shape, count: read.count, images: read.images, labels: read.labels };
}

/** The inference gap on the first images of the test split and as many of the training split. */
function gapsOnBothSplits(
  g: RunGapOptions,
  train: Images,
  test: Dataset,
  opts: Pick<RunEvalOptions, 'seed' | 'rows' | 'onProgress'> & { likeTest: (ds: Dataset) => Dataset },
): GapReport {
  const { images, model, ...settings } = g;
  const on = (split: 'test' | 'train', ds: Dataset) =>
    inferenceGaps(model, ds, images, {
      ...settings,
      seed: opts.seed,
      rows: opts.rows ?? 5000,
      onProgress: (stage, done, total) => opts.onProgress?.(`${split}: ${stage}`, done, total),
    });
  return { settings, test: on('test', test), train: on('train', opts.likeTest(firstImages(train, images))) };
}
