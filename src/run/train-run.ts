import { join } from 'node:path';
import { isLatentVariableModel } from '../eval/latent.js';
import { findCheckpoint, loadCheckpoint } from '../io/checkpoint.js';
import { buildModel } from '../models/build.js';
import { canReconstruct, type GenerativeModel } from '../models/generative.js';
import { type EpochRecord, type TrainCallbacks, type TrainState, train } from '../train/loop.js';
import { withWorkers } from '../train/parallel/data-parallel.js';
import type { RunConfig } from './config.js';
import { loadRunData } from './data.js';
import { latentLogger } from './latent-log.js';
import { writeReconstructionGrid, writeSampleGrid } from './pictures.js';
import { createRunDir, type RunPaths, readRunConfig, runPaths } from './run-dir.js';

export interface TrainRunOptions {
  /** The run's directory (`runs/<name>`). */
  dir: string;
  /** The configuration of a new run; omit with `resume` to continue the run in `dir`. */
  config?: RunConfig;
  resume?: boolean;
  callbacks?: TrainCallbacks[];
  /** Override the number of epochs of a resumed run (to train it further). */
  epochs?: number;
}

export interface TrainRunResult {
  paths: RunPaths;
  config: RunConfig;
  model: GenerativeModel;
  records: EpochRecord[];
}

/**
 * Trains a run end to end: data, model, the training loop, and after every epoch a PNG grid of
 * samples from the prior (`samples/epoch-NNN.png`, same latent draws each epoch so they can be compared);
 * at the end `samples/reconstructions.png` (test images beside their reconstructions). Models with one
 * latent layer also log active units, KL per dimension and I(x; z) on the test set to `latent.jsonl`.
 */
export async function trainRun(opts: TrainRunOptions): Promise<TrainRunResult> {
  if (!opts.resume && !opts.config) throw new Error('trainRun: a new run needs a config');
  let config: RunConfig = opts.resume ? readRunConfig(opts.dir) : opts.config!;
  const { split, binarization } = loadRunData(config.data, config.seed);
  config = { ...config, inputShape: split.train.shape };
  const paths: RunPaths = opts.resume ? runPaths(opts.dir) : createRunDir(opts.dir, config);
  if (opts.epochs !== undefined) config = { ...config, train: { ...config.train, epochs: opts.epochs } };
  const model = buildModel(config.model, split.train.shape, config.seed);
  if (split.skipped?.length) {
    const message = `skipped ${split.skipped.length} file(s) that could not be decoded, e.g. ${split.skipped[0]}`;
    for (const c of opts.callbacks ?? []) c.onEvent?.({ kind: 'data', message, step: 0 });
  }
  const ckDir = opts.resume ? findCheckpoint(paths.checkpoints) : null;
  const pictures: TrainCallbacks = {
    onEpochEnd: (r) => {
      writeSampleGrid(model, join(paths.samples, `epoch-${String(r.epoch).padStart(3, '0')}.png`), {
        seed: config.seed,
      });
    },
  };
  // posterior-collapse diagnostics of the test set after each epoch, in latent.jsonl
  const diagnostics = isLatentVariableModel(model)
    ? [latentLogger(model, split.test, join(paths.dir, 'latent.jsonl'), { seed: config.seed })]
    : [];
  const replica = { model: config.model, inputShape: split.train.shape, seed: config.seed };
  const parallel = { workers: config.train.workers, replica, train: config.train };
  const records = await withWorkers(model, parallel, (trainer) =>
    train({
      model: trainer,
      data: split,
      config: config.train,
      seed: config.seed,
      binarization,
      checkpointDir: paths.checkpoints,
      metricsPath: paths.metrics,
      resumeFrom: ckDir ? loadCheckpoint<TrainState>(ckDir) : undefined,
      callbacks: [pictures, ...diagnostics, ...(opts.callbacks ?? [])],
    }),
  );
  if (canReconstruct(model))
    writeReconstructionGrid(model, split.test, join(paths.samples, 'reconstructions.png'));
  return { paths, config, model, records };
}
