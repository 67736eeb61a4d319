import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { describePreparation } from '../data/preparation.js';
import type { TrainingSplit } from '../data/source.js';
import { disposeCheckpoint, type LoadedCheckpoint, type OpenedCheckpoint } from '../io/checkpoint.js';
import { lockRun, type RunLock } from '../io/run-lock.js';
import type { DataInfo } from '../models/kind.js';
import { asGaussianLatent, asReconstructing, type GenerativeModel } from '../models/model.js';
import { checkWeightsFit } from '../models/named-weights.js';
import { buildModel, capabilitiesOf, checkModelSize, imagesPerPass } from '../models/registry.js';
import { type EpochRecord, type TrainCallbacks, type TrainState, train } from '../train/loop.js';
import { withWorkers } from '../train/parallel/data-parallel.js';
import type { RunConfig } from './config.js';
import { classCount, datasetForRun, loadRunData, loadRunDataFor } from './data.js';
import { latentLogger } from './latent-log.js';
import { openRunCheckpoint, stampRunCheckpoints } from './load-run.js';
import { metricsLog, truncateLog } from './metrics-log.js';
import { writeReconstructionGrid, writeSampleGrid } from './pictures.js';
import {
  checkNewRunDir,
  createRunDir,
  firstNewFolder,
  type RunPaths,
  readRunConfig,
  removeUnstartedRun,
  runPaths,
} from './run-dir.js';
import { stepsLog, truncateSteps } from './steps-log.js';
import { checkNoUnusedSettings } from './unused-settings.js';

export interface TrainRunOptions {
  /** The run's directory (`runs/<name>`). */
  dir: string;
  /** The configuration of a new run; omit with `resume` to continue the run in `dir`. */
  config?: RunConfig;
  resume?: boolean;
  callbacks?: TrainCallbacks[];
  /** Override the number of epochs of a resumed run (to train it further). */
  epochs?: number;
  /**
   * Called once everything has been validated — data, model, memory, checkpoint — and the run directory
   * exists, before the first step: the moment to say "training … → runs/X".
   */
  onStart?: (run: TrainRunStart) => void;
  /** At most one line of `steps.jsonl` (the live per-step curve) per this many milliseconds; default 1000. */
  stepsLogMs?: number;
}

/** What `onStart` is told: where the run is, its config, and the checkpoint it resumes from. */
export interface TrainRunStart {
  paths: RunPaths;
  config: RunConfig;
  /** The checkpoint directory a resumed run continues from (none: it starts from step 0). */
  resumedFrom?: string;
}

export interface TrainRunResult {
  paths: RunPaths;
  config: RunConfig;
  model: GenerativeModel;
  records: EpochRecord[];
}

/** What the model is built for: the data's image shape and, when it has labels, its number of classes. */
function dataInfo(split: TrainingSplit): DataInfo {
  return { inputShape: split.train.shape, classes: classCount(split) };
}

/** Batches must fit the data: a batch larger than the training set would never be drawn. */
function checkBatches(config: RunConfig, split: TrainingSplit): void {
  const { batchSize } = config.train;
  if (batchSize > split.train.count) {
    throw new InputError({
      where: 'train.batchSize (--batch-size)',
      expected: `at most the number of training images (${split.train.count} in ${config.data.dataset})`,
      found: String(batchSize),
    });
  }
}

/** A resumed run's checkpoint must hold the weights and optimiser state of the model config.json describes. */
function checkCheckpointFits(model: GenerativeModel, ck: LoadedCheckpoint<TrainState>): void {
  checkWeightsFit(model.weights(), ck.weights, ck.dir);
  const groups = model.variableGroups();
  const specs = model.optimizerSpecs?.() ?? {};
  const stored = Object.keys(ck.optimizers);
  const expected = Object.keys(groups);
  if (stored.some((g) => !groups[g]) || (stored.length > 0 && expected.some((g) => !ck.optimizers[g]))) {
    throw new InputError({
      where: `${ck.dir}: optimiser state`,
      expected: `optimisers for ${expected.join(', ')} (from config.json)`,
      found: stored.join(', ') || 'none',
      hint: "the run's config.json does not describe the model its checkpoint holds (was it edited?)",
    });
  }
  for (const g of stored) {
    const vars = groups[g];
    const kind = specs[g]?.kind ?? 'adam';
    const names = kind === 'adam' ? ['m', 'v'] : ['rms', 'momentum'];
    // the per-variable slots; the scalars beside them (the iteration count, Adam's β powers) have no shape to check
    const slots = ck.optimizers[g].filter((w) => names.some((slot) => w.name.endsWith(`/${slot}`)));
    // per slot (m, v / rms, momentum), one tensor for each variable of the group; the order is the
    // optimiser's own, so the shapes are compared as multisets
    const shapesOf = (xs: { shape: readonly (number | null)[] }[]) => xs.map((x) => `${x.shape}`).sort();
    const wanted = shapesOf(vars);
    const fits =
      slots.length === 0 ||
      (slots.length === names.length * vars.length &&
        names.every((slot, k) => {
          const block = slots.slice(k * vars.length, (k + 1) * vars.length);
          const shapes = shapesOf(block.map((w) => w.tensor));
          return block.every((w) => w.name.endsWith(`/${slot}`)) && shapes.every((sh, i) => sh === wanted[i]);
        }));
    if (!fits) {
      throw new InputError({
        where: `${ck.dir}: optimizer-${g}`,
        expected: `the ${kind} state (${names.join(', ')}) of the ${vars.length} weights config.json describes`,
        found: `${slots.length} tensors (${slots
          .slice(0, 2)
          .map((w) => `${w.name} [${w.tensor.shape}]`)
          .join(', ')}${slots.length > 2 ? ', …' : ''})`,
        hint: "the run's config.json does not describe the model its checkpoint holds (was it edited?)",
      });
    }
  }
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
  const cores = availableParallelism();
  if (config.train.workers > cores) {
    throw new InputError({
      where: 'train.workers (--workers)',
      expected: `at most the ${cores} CPU cores of this machine`,
      found: String(config.train.workers),
      hint: 'more threads than cores only wait for each other; with the native kernels keep 1',
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

/** Runs the training of a new run; bad input met before its first checkpoint removes what it wrote. */
async function undoneOnBadInput<T>(
  created: { paths: RunPaths; made: string | null } | null,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (created && e instanceof InputError) removeUnstartedRun(created.paths, created.made);
    throw e;
  }
}

/**
 * Trains a run end to end: data, model, the training loop, `metrics.jsonl`, and after every epoch a PNG
 * grid of samples from the prior (`samples/epoch-NNN.png`, same latent draws each epoch so they can be
 * compared); at the end `samples/reconstructions.png` (models with an encoder). Models with one Gaussian
 * latent vector also log active units, KL per dimension and I(x; z) on the test set to `latent.jsonl`.
 */
export async function trainRun(opts: TrainRunOptions): Promise<TrainRunResult> {
  const locks: RunLock[] = [];
  try {
    return await trainRunLocked(opts, locks);
  } finally {
    for (const l of locks) l.release();
  }
}

async function trainRunLocked(opts: TrainRunOptions, locks: RunLock[]): Promise<TrainRunResult> {
  if (!opts.resume && !opts.config) throw new Error('trainRun: a new run needs a config');
  // Everything is read and checked before the run directory exists: bad input writes nothing.
  if (!opts.resume) checkNewRunDir(opts.dir);
  let config: RunConfig = opts.resume ? readRunConfig(opts.dir) : opts.config!;
  if (!opts.resume)
    config = { ...config, data: { ...config.data, dataset: datasetForRun(config.data.dataset) } };
  if (opts.epochs !== undefined) config = { ...config, train: { ...config.train, epochs: opts.epochs } };
  const { split, binarization, digest } = opts.resume
    ? loadRunDataFor(config)
    : loadRunData(config.data, config.seed);
  const data = dataInfo(split);
  checkBatches(config, split);
  checkCapabilities(config, data);
  if (!opts.resume) checkNoUnusedSettings(config);
  const objective = config.train.objective;
  checkModelSize(config.model, data, {
    batchSize: config.train.batchSize,
    samples: objective.kind === 'iwae' ? objective.k : 1,
  });
  config = {
    ...config,
    inputShape: data.inputShape,
    classes: data.classes,
    classNames: split.classNames,
    dataPreparation: describePreparation(config.data.dataset, config.data, data.inputShape),
  };
  if (!opts.resume) config = { ...config, dataDigest: digest() };
  const model = buildModel(config.model, data, config.seed);
  const callbacks = opts.callbacks ?? [];
  const say = (kind: string, message: string, step = 0) => {
    for (const c of callbacks) c.onEvent?.({ kind, message, step });
  };
  let resumed: OpenedCheckpoint<TrainState> | null = null;
  let paths: RunPaths;
  const made = opts.resume ? null : firstNewFolder(opts.dir);
  try {
    // one writer per run (released by trainRun): a second `train` of it is refused (exit 2) until this one ends
    if (opts.resume) locks.push(lockRun(opts.dir));
    // a resume continues from a checkpoint that reads whole, or stops (exit 2): it never silently starts over;
    // the checkpoint must have been written with the configuration config.json holds now
    resumed = opts.resume ? openRunCheckpoint(opts.dir) : null;
    if (resumed) checkCheckpointFits(model, resumed.checkpoint);
    const trained = resumed?.checkpoint.state.epoch ?? 0;
    if (opts.epochs !== undefined && opts.epochs < trained) {
      throw new InputError({
        where: '--epochs',
        expected: `at least the ${trained} epochs the run has trained (more to train it further)`,
        found: String(opts.epochs),
      });
    }
    paths = opts.resume ? runPaths(opts.dir) : createRunDir(opts.dir, config);
    if (!opts.resume) locks.push(lockRun(paths.dir));
    // every checkpoint records the configuration it is written with
    stampRunCheckpoints(paths.dir);
  } catch (e) {
    if (resumed) disposeCheckpoint(resumed.checkpoint);
    model.dispose();
    throw e;
  }
  opts.onStart?.({ paths, config, resumedFrom: resumed?.checkpoint.dir });
  for (const l of locks) if (l.note) say('lock', l.note);
  const latentPath = join(paths.dir, 'latent.jsonl');
  if (opts.resume && !resumed) {
    say('resume', 'the run has no checkpoint yet: training starts at step 0');
    for (const log of [paths.metrics, latentPath]) truncateLog(log, { step: 0, epoch: 0, reason: 'resume' });
    truncateSteps(paths.steps, 0);
  }
  if (resumed?.note) say('resume', resumed.note);
  if (resumed) {
    const { step, epoch, batch } = resumed.checkpoint.state;
    if (epoch >= config.train.epochs) {
      say(
        'resume',
        `the run has trained all ${epoch} epochs: nothing to train (give --epochs ${epoch + 1} or more to go on)`,
      );
    }
    say(
      'resume',
      `continuing from step ${step} (epoch ${epoch + 1}, batch ${batch}), ${resumed.checkpoint.dir}`,
    );
  }
  // files skipped as undecodable: those met while loading now, those of a streamed folder as its batches are read
  let reported = 0;
  const reportSkipped = (step: number, when: string) => {
    const skipped = split.skipped ?? [];
    if (skipped.length <= reported) return;
    reported = skipped.length;
    say(
      'data',
      `skipped ${skipped.length} file(s) that could not be decoded${when}, e.g. ${skipped[0]}`,
      step,
    );
  };
  reportSkipped(0, '');
  const pictures: TrainCallbacks = {
    onEpochEnd: (r) => {
      reportSkipped(r.step, ` (so far, after epoch ${r.epoch})`);
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
  const records = await undoneOnBadInput(opts.resume ? null : { paths, made }, () =>
    withWorkers(model, parallel, (trainer) =>
      train({
        model,
        trainer,
        data: split,
        config: config.train,
        seed: config.seed,
        binarization,
        evalBatchSize: imagesPerPass(config.model, data, 500),
        checkpointDir: paths.checkpoints,
        resumeFrom: resumed?.checkpoint,
        callbacks: [
          metricsLog(paths.metrics),
          stepsLog(paths.steps, { intervalMs: opts.stepsLogMs }),
          pictures,
          ...diagnostics,
          ...callbacks,
        ],
      }),
    ),
  );
  const reconstructing = asReconstructing(model);
  if (reconstructing)
    writeReconstructionGrid(reconstructing, split.test, join(paths.samples, 'reconstructions.png'));
  return { paths, config, model, records };
}
