import { join } from 'node:path';
import type { z } from 'zod';
import { InputError } from '../core/errors.js';
import {
  disposeCheckpoint,
  type LoadedCheckpoint,
  type OpenedCheckpoint,
  openCheckpoint,
  stampCheckpoints,
  type trainStateSchema,
} from '../io/checkpoint.js';
import type { GenerativeModel } from '../models/model.js';
import { checkWeightsFit } from '../models/named-weights.js';
import { buildModel, type ModelConfig } from '../models/registry.js';
import type { ImageShape } from '../nn/networks.js';
import type { TrainState } from '../train/loop.js';
import { type RunConfig, runConfigSchema } from './config.js';
import { readRunConfig, runPaths } from './run-dir.js';

// io/checkpoint validates a training checkpoint's state with its own schema (io sits below train): the two must agree
type StoredState = Pick<z.infer<typeof trainStateSchema>, keyof TrainState>;
const _stateFits: [
  StoredState extends TrainState ? true : false,
  TrainState extends StoredState ? true : false,
] = [true, true];
void _stateFits;

export interface LoadedRun {
  config: RunConfig;
  model: GenerativeModel;
  checkpoint: string;
  state: TrainState;
  /** Why the checkpoint is not the one best.json / latest.json names (e.g. a broken pointer); null when it is. */
  checkpointNote: string | null;
}

/**
 * The part of a run's configuration that a checkpoint depends on: everything in config.json but what
 * `--resume` may change (`--epochs`, `--backend`), and the dataset's path where the data digest stands for the
 * data (so data moved elsewhere can be named anew). Each checkpoint records it; readers compare.
 */
export function checkpointedConfig(config: RunConfig): Record<string, unknown> {
  const { backend: _backend, train, data, ...rest } = config;
  const { epochs: _epochs, ...trainRest } = train;
  const { dataset, ...dataRest } = data;
  const kept = config.dataDigest === undefined ? { ...dataRest, dataset } : dataRest;
  return JSON.parse(JSON.stringify({ ...rest, data: kept, train: trainRest }));
}

/** The fields in which two JSON values differ, as "path: a → b" (at most `max`). */
function differences(a: unknown, b: unknown, path = '', out: string[] = [], max = 6): string[] {
  if (out.length >= max) return out;
  const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort())
      differences(ra[k], rb[k], path ? `${path}.${k}` : k, out, max);
    return out;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));
    out.push(`${path || '(all)'} ${show(a)} → ${show(b)}`);
  }
  return out;
}

/**
 * Refuses (InputError, exit 2) a checkpoint written with another configuration than the run's config.json
 * now holds — config.json edited after it was written — naming both files and the fields that differ.
 * Checkpoints written before vaekit recorded the configuration pass.
 */
export function checkCheckpointConfig(
  dir: string,
  config: RunConfig,
  stored: Record<string, unknown> | undefined,
  checkpointDir: string,
): void {
  if (stored === undefined) return;
  const statePath = join(checkpointDir, 'state.json');
  // parsed like config.json, so fields a later vaekit adds with their defaults compare equal
  const parsed = runConfigSchema.safeParse({ ...stored, backend: config.backend });
  if (!parsed.success) {
    throw new InputError({
      where: `${statePath}: runConfig`,
      expected: 'the run configuration the checkpoint was written with',
      found: parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; '),
    });
  }
  const then = checkpointedConfig({ ...parsed.data, train: { ...parsed.data.train, epochs: 1 } });
  const now = checkpointedConfig(config);
  const diff = differences(then, now);
  if (diff.length > 0) {
    throw new InputError({
      where: runPaths(dir).config,
      expected: `the configuration ${statePath} was written with`,
      found: `config.json was edited after this checkpoint was written: ${diff.join(', ')} (checkpoint → config.json)`,
      hint: 'undo the edit of config.json, or train a new run with the new settings',
    });
  }
}

/**
 * Opens a run's checkpoint (see openCheckpoint: a fallback with a note when the pointer's one does not
 * read whole) and checks it was written with the configuration config.json holds now. Null: no checkpoint.
 */
export function openRunCheckpoint(
  dir: string,
  which: 'best' | 'latest' = 'latest',
): OpenedCheckpoint<TrainState> | null {
  const config = readRunConfig(dir);
  const opened = openCheckpoint<TrainState>(runPaths(dir).checkpoints, which);
  if (!opened) return null;
  try {
    checkCheckpointConfig(dir, config, opened.checkpoint.runConfig, opened.checkpoint.dir);
  } catch (e) {
    disposeCheckpoint(opened.checkpoint);
    throw e;
  }
  return opened;
}

/**
 * Makes every checkpoint this process saves in the run `dir` record the configuration its config.json
 * holds (call once the run directory exists, before training writes any).
 */
export function stampRunCheckpoints(dir: string): void {
  stampCheckpoints(runPaths(dir).checkpoints, checkpointedConfig(readRunConfig(dir)));
}

/** A checkpoint's weights must be exactly those of the model config.json describes; else an InputError naming the file. */
function checkFits(model: GenerativeModel, ck: LoadedCheckpoint<TrainState>): void {
  checkWeightsFit(model.weights(), ck.weights, join(ck.dir, 'weights.bin'));
}

/** Rebuilds a trained model from a run directory (its best checkpoint by test loss, or the latest). */
export function loadRun(dir: string, which: 'best' | 'latest' = 'best'): LoadedRun {
  const config = readRunConfig(dir);
  const inputShape = config.inputShape as ImageShape | undefined;
  if (!inputShape) {
    throw new InputError({
      where: `${dir}/config.json: inputShape`,
      expected: 'the data shape',
      found: 'nothing',
    });
  }
  const opened = openRunCheckpoint(dir, which);
  if (!opened) {
    throw new InputError({
      where: dir,
      expected: 'a run with at least one checkpoint',
      found: 'no checkpoint yet',
      hint: 'checkpoints are written at the end of each epoch',
    });
  }
  const loaded = opened.checkpoint;
  let model: GenerativeModel | undefined;
  try {
    model = buildModel(config.model, { inputShape, classes: config.classes }, config.seed);
    checkFits(model, loaded);
    model.setWeights(loaded.weights);
  } catch (e) {
    model?.dispose();
    throw e;
  } finally {
    disposeCheckpoint(loaded);
  }
  return { config, model, checkpoint: loaded.dir, state: loaded.state, checkpointNote: opened.note };
}

/**
 * The run with its model refining the posterior by `steps` gradient steps per image (semi-amortised
 * inference at evaluation, on a model trained with or without it): the same weights, the config's
 * refineSteps replaced. Only for models with per-image posterior parameters (the caller checks).
 */
export function refinedAtEvaluation<R extends LoadedRun>(run: R, steps: number): R {
  const model = { ...run.config.model, refineSteps: steps } as ModelConfig;
  const data = { inputShape: run.model.inputShape, classes: run.config.classes };
  const refined = buildModel(model, data, run.config.seed);
  refined.setWeights(new Map(run.model.weights().map((w) => [w.name, w.tensor])));
  run.model.dispose();
  return { ...run, model: refined, config: { ...run.config, model } };
}
