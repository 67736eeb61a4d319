import { InputError } from '../core/errors.js';
import { disposeCheckpoint, openCheckpoint } from '../io/checkpoint.js';
import type { GenerativeModel } from '../models/model.js';
import { buildModel } from '../models/registry.js';
import type { ImageShape } from '../nn/networks.js';
import type { TrainState } from '../train/loop.js';
import type { RunConfig } from './config.js';
import { readRunConfig, runPaths } from './run-dir.js';

export interface LoadedRun {
  config: RunConfig;
  model: GenerativeModel;
  checkpoint: string;
  state: TrainState;
  /** Why the checkpoint is not the one best.json / latest.json names (e.g. a broken pointer); null when it is. */
  checkpointNote: string | null;
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
  const ckRoot = runPaths(dir).checkpoints;
  const opened = openCheckpoint<TrainState>(ckRoot, which);
  if (!opened) {
    throw new InputError({
      where: dir,
      expected: 'a run with at least one checkpoint',
      found: 'no checkpoint yet',
      hint: 'checkpoints are written at the end of each epoch',
    });
  }
  const loaded = opened.checkpoint;
  const model = buildModel(config.model, { inputShape, classes: config.classes }, config.seed);
  model.setWeights(loaded.weights);
  disposeCheckpoint(loaded);
  return { config, model, checkpoint: loaded.dir, state: loaded.state, checkpointNote: opened.note };
}
