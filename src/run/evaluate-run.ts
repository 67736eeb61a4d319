import { existsSync } from 'node:fs';
import { imageSize } from '../data/dataset.js';
import { defaultClassifierDir, loadClassifier } from '../eval/classifier.js';
import { evaluateModel, type ModelEvalOptions } from '../eval/evaluate-model.js';
import type { EvalReport } from '../eval/report.js';
import { describeModel } from '../models/registry.js';
import { loadRunData, loadRunDataFor } from './data.js';
import type { LoadedRun } from './load-run.js';

export interface RunEvalOptions extends Omit<ModelEvalOptions, 'quality'> {
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
  const evaluation = evaluateModel(run.model, test, { ...opts, quality });
  quality?.classifier.dispose();
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
    seconds: (performance.now() - started) / 1000,
  };
}
