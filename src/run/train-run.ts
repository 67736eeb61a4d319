import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import type { TrainingSplit } from '../data/source.js';
import { openCheckpoint } from '../io/checkpoint.js';
import type { DataInfo } from '../models/kind.js';
import { asGaussianLatent, asReconstructing, type GenerativeModel } from '../models/model.js';
import { buildModel, capabilitiesOf } from '../models/registry.js';
import { type EpochRecord, type TrainCallbacks, type TrainState, train } from '../train/loop.js';
import { withWorkers } from '../train/parallel/data-parallel.js';
import type { RunConfig } from './config.js';
import { loadRunData } from './data.js';
import { latentLogger } from './latent-log.js';
import { metricsLog, truncateLog } from './metrics-log.js';
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

/** What the model is built for: the data's image shape and, when it has labels, its number of classes. */
function dataInfo(split: TrainingSplit): DataInfo {
  let max = -1;
  for (const labels of [split.train.labels, split.test.labels])
    for (const y of labels ?? []) if (y > max) max = y;
  return { inputShape: split.train.shape, classes: max >= 0 ? max + 1 : undefined };
}

/** A model's declared capabilities against what the run asks of it. */
function checkCapabilities(config: RunConfig, data: DataInfo): void {
  const caps = capabilitiesOf(config.model.type);
  const t = config.train;
  if (caps.objectives.length === 0) {
    // a model that trains its own game (GANs) has no ELBO: the settings of one would be silently unused
    const unused = [
      t.objective.kind !== 'elbo' && ['train.objective', t.objective.kind],
      t.beta !== 1 && ['train.beta', String(t.beta)],
      t.freeBits !== 0 && ['train.freeBits', String(t.freeBits)],
      t.klSchedule.kind !== 'constant' && ['train.klSchedule', t.klSchedule.kind],
    ].find(Boolean);
    if (unused) {
      throw new InputError({
        where: unused[0],
        expected: `its default for a ${config.model.type} model, which trains no ELBO (--objective, --k, --beta, --free-bits, --kl-warmup and --kl-cyclical are for latent models)`,
        found: unused[1],
      });
    }
  } else if (!caps.objectives.includes(t.objective.kind)) {
    throw new InputError({
      where: 'train.objective',
      expected: `one of ${caps.objectives.join(', ')} for a ${config.model.type} model`,
      found: t.objective.kind,
    });
  }
  if (caps.conditional && data.classes === undefined) {
    throw new InputError({
      where: config.data.dataset,
      expected: `class labels for the conditional ${config.model.type} model`,
      found: 'no labels',
      hint: 'an IDX directory needs its labels files; an image folder needs one subfolder per class',
    });
  }
  if (config.train.workers > 1 && !caps.dataParallel) {
    throw new InputError({
      where: 'train.workers',
      expected: `1 for a ${config.model.type} model (data-parallel training needs one gradient per step)`,
      found: String(config.train.workers),
    });
  }
}

/**
 * Trains a run end to end: data, model, the training loop, `metrics.jsonl`, and after every epoch a PNG
 * grid of samples from the prior (`samples/epoch-NNN.png`, same latent draws each epoch so they can be
 * compared); at the end `samples/reconstructions.png` (models with an encoder). Models with one Gaussian
 * latent vector also log active units, KL per dimension and I(x; z) on the test set to `latent.jsonl`.
 */
export async function trainRun(opts: TrainRunOptions): Promise<TrainRunResult> {
  if (!opts.resume && !opts.config) throw new Error('trainRun: a new run needs a config');
  let config: RunConfig = opts.resume ? readRunConfig(opts.dir) : opts.config!;
  const { split, binarization } = loadRunData(config.data, config.seed);
  const data = dataInfo(split);
  checkCapabilities(config, data);
  config = { ...config, inputShape: data.inputShape, classes: data.classes };
  const paths: RunPaths = opts.resume ? runPaths(opts.dir) : createRunDir(opts.dir, config);
  if (opts.epochs !== undefined) config = { ...config, train: { ...config.train, epochs: opts.epochs } };
  const model = buildModel(config.model, data, config.seed);
  const callbacks = opts.callbacks ?? [];
  const say = (kind: string, message: string) => {
    for (const c of callbacks) c.onEvent?.({ kind, message, step: 0 });
  };
  if (split.skipped?.length) {
    say(
      'data',
      `skipped ${split.skipped.length} file(s) that could not be decoded, e.g. ${split.skipped[0]}`,
    );
  }
  // a resume continues from a checkpoint that reads whole, or stops (exit 2): it never silently starts over
  const resumed = opts.resume ? openCheckpoint<TrainState>(paths.checkpoints) : null;
  const latentPath = join(paths.dir, 'latent.jsonl');
  if (opts.resume && !resumed) {
    say('resume', 'the run has no checkpoint yet: training starts at step 0');
    for (const log of [paths.metrics, latentPath]) truncateLog(log, { step: 0, epoch: 0, reason: 'resume' });
  }
  if (resumed?.note) say('resume', resumed.note);
  if (resumed) {
    const { step, epoch, batch } = resumed.checkpoint.state;
    say(
      'resume',
      `continuing from step ${step} (epoch ${epoch + 1}, batch ${batch}), ${resumed.checkpoint.dir}`,
    );
  }
  const pictures: TrainCallbacks = {
    onEpochEnd: (r) => {
      writeSampleGrid(model, join(paths.samples, `epoch-${String(r.epoch).padStart(3, '0')}.png`), {
        seed: config.seed,
      });
    },
  };
  // posterior-collapse diagnostics of the test set after each epoch, in latent.jsonl
  const gaussian = asGaussianLatent(model);
  const diagnostics = gaussian ? [latentLogger(gaussian, split.test, latentPath, { seed: config.seed })] : [];
  const replica = { model: config.model, data, seed: config.seed };
  const parallel = { workers: config.train.workers, replica, train: config.train };
  const records = await withWorkers(model, parallel, (trainer) =>
    train({
      model,
      trainer,
      data: split,
      config: config.train,
      seed: config.seed,
      binarization,
      checkpointDir: paths.checkpoints,
      resumeFrom: resumed?.checkpoint,
      callbacks: [metricsLog(paths.metrics), pictures, ...diagnostics, ...callbacks],
    }),
  );
  const reconstructing = asReconstructing(model);
  if (reconstructing)
    writeReconstructionGrid(reconstructing, split.test, join(paths.samples, 'reconstructions.png'));
  return { paths, config, model, records };
}
