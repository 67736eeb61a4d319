import * as tf from '@tensorflow/tfjs';
import { NumericalError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import type { NamedWeight } from '../core/trainable.js';
import { batchCount, epochBatches, epochPermutation } from '../data/batches.js';
import type { Binarization } from '../data/binarize.js';
import type { TrainingSplit } from '../data/source.js';
import { toBatch } from '../data/tensor-batches.js';
import {
  disposeCheckpoint,
  type LoadedCheckpoint,
  NonFiniteCheckpointError,
  openCheckpoint,
  saveCheckpoint,
} from '../io/checkpoint.js';
import type { GenerativeModel } from '../models/model.js';
import { klWeight } from '../objectives/kl-schedule.js';
import type { TrainConfig } from './config.js';
import { evaluateDataset } from './evaluate.js';
import { optimizerSpecsOf } from './step.js';
import { localTrainer, type Trainer } from './trainer.js';

/** Everything needed to continue a run exactly where it stopped (stored in each checkpoint). */
export interface TrainState {
  /** Epoch in progress (0-based) and the next batch to run in it. */
  epoch: number;
  batch: number;
  /** Optimiser steps taken so far. */
  step: number;
  /** Seed of this epoch's shuffling permutation. */
  epochSeed: number;
  /** State of the run's random stream (step seeds, dynamic binarisation). */
  rng: number;
  learningRate: number;
  bestTestLoss: number | null;
  /** Running sums of this epoch's step metrics, the steps counted and skipped (so a resumed epoch reports all of it). */
  epochSums: Record<string, number>;
  epochCounted: number;
  epochSkipped: number;
  /** Seconds spent in this epoch's steps before the checkpoint (so a resumed epoch reports its whole time). */
  epochSeconds?: number;
}

export interface EpochRecord {
  epoch: number;
  step: number;
  train: Record<string, number>;
  test: Record<string, number>;
  seconds: number;
  imagesPerSecond: number;
  skippedSteps: number;
}

export interface TrainEvent {
  kind: string;
  message: string;
  step: number;
}

export interface TrainCallbacks {
  onStart?(info: { stepsPerEpoch: number; totalSteps: number; state: TrainState }): void;
  /**
   * The run went back to a checkpoint (a resume, before onStart, or a roll-back) whose state has taken
   * `step` steps and completed `epoch` epochs: a log keeps only the epochs it wrote up to there, so every
   * epoch is logged exactly once (and, on a resume, the events after it, which the replay repeats).
   */
  onRestore?(at: { step: number; epoch: number; reason: 'resume' | 'rollback' }): void;
  onStep?(state: TrainState, metrics: Record<string, number>): void;
  /** An epoch's record, before its checkpoint is written: a log that must hold every epoch once writes it here. */
  onRecord?(record: EpochRecord): void;
  /** After the epoch's checkpoint: pictures, diagnostics, progress. */
  onEpochEnd?(record: EpochRecord): void | Promise<void>;
  onEvent?(event: TrainEvent): void;
}

export interface TrainOptions {
  model: GenerativeModel;
  data: TrainingSplit;
  config: TrainConfig;
  seed: number;
  /** How steps are taken: on this thread (default) or by a data-parallel group (train/parallel). */
  trainer?: Trainer;
  /** Where checkpoints go (`runs/<name>/checkpoints`); none: no checkpoints, no roll-back. */
  checkpointDir?: string;
  /** Continue from this checkpoint (model weights, optimiser state, step, RNG); its tensors are freed. */
  resumeFrom?: LoadedCheckpoint<TrainState>;
  /** `dynamic` draws a fresh binary sample of each training batch from the run's RNG (others are applied up front). */
  binarization?: Binarization;
  /** Test images evaluated in one batch at the end of an epoch (default 500; less for a model whose pass is large). */
  evalBatchSize?: number;
  callbacks?: TrainCallbacks[];
}

/** Consecutive non-finite steps tolerated before rolling back to the last checkpoint. */
const MAX_BAD_STEPS = 10;
/** Roll-backs (each halving the learning rate) before giving up. */
const MAX_ROLLBACKS = 3;

async function optimizerWeights(opts: Record<string, tf.Optimizer>): Promise<Record<string, NamedWeight[]>> {
  const out: Record<string, NamedWeight[]> = {};
  for (const [g, o] of Object.entries(opts))
    out[g] = (await o.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor }));
  return out;
}

/**
 * Puts a checkpoint's weights and optimiser state into the trainer — for resume and roll-back alike:
 * the optimisers it replaces are disposed, new ones made at the checkpoint's learning rate (or `lr`),
 * their state restored, and the checkpoint's tensors freed.
 */
export async function restoreCheckpoint(
  trainer: Trainer,
  config: TrainConfig,
  ck: LoadedCheckpoint<TrainState>,
  replaced: Record<string, tf.Optimizer>,
  lr = ck.state.learningRate,
): Promise<{ state: TrainState; optimizers: Record<string, tf.Optimizer> }> {
  trainer.setWeights(ck.weights);
  for (const o of Object.values(replaced)) o.dispose();
  const optimizers = trainer.createOptimizers(lr / config.learningRate);
  for (const [g, o] of Object.entries(optimizers)) if (ck.optimizers[g]) await o.setWeights(ck.optimizers[g]);
  disposeCheckpoint(ck);
  return { state: { ...ck.state, learningRate: lr }, optimizers };
}

/**
 * The one training loop: mini-batches in a seeded order, one trainer step per batch, test-set
 * evaluation after each epoch, atomic checkpoints, and the NaN guard (a non-finite step is skipped;
 * after MAX_BAD_STEPS in a row the last checkpoint is restored with half the learning rate). What is
 * written besides checkpoints (metrics.jsonl, pictures) is the callbacks' business.
 */
export async function train(opts: TrainOptions): Promise<EpochRecord[]> {
  const { model, data, config } = opts;
  const trainer = opts.trainer ?? localTrainer(model, config);
  const callbacks = opts.callbacks ?? [];
  const bound = model.capabilities.bound;
  const stepsPerEpoch = batchCount(data.train.count, config.batchSize, true);
  const rng0 = new Rng(opts.seed);
  let state: TrainState = {
    epoch: 0,
    batch: 0,
    step: 0,
    epochSeed: rng0.seed(),
    rng: rng0.state,
    learningRate: config.learningRate,
    bestTestLoss: null,
    epochSums: {},
    epochCounted: 0,
    epochSkipped: 0,
  };
  let optimizers = trainer.createOptimizers(1);
  if (opts.resumeFrom)
    ({ state, optimizers } = await restoreCheckpoint(trainer, config, opts.resumeFrom, optimizers));
  const event = (kind: string, message: string) => {
    for (const c of callbacks) c.onEvent?.({ kind, message, step: state.step });
  };
  /** Saves a checkpoint; false when it was refused because the weights or the optimisers' state are not finite. */
  const checkpoint = async (best = false): Promise<boolean> => {
    if (!opts.checkpointDir) return true;
    const saved = await optimizerWeights(optimizers);
    try {
      await saveCheckpoint(
        opts.checkpointDir,
        state.step,
        { weights: model.weights(), optimizers: saved, state: { ...state, epochSeconds: epochClock() } },
        { keep: config.keepCheckpoints, best },
      );
      return true;
    } catch (e) {
      if (e instanceof NonFiniteCheckpointError) {
        event('nonfinite-state', `step ${state.step}: ${e.message}`);
        return false;
      }
      throw e;
    } finally {
      // getWeights() makes a new tensor for the iteration count each time; the moments are the optimiser's own
      tf.dispose(
        Object.values(saved).flatMap((ws) =>
          ws.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)),
        ),
      );
    }
  };
  /** Back to the newest checkpoint that reads whole, with half the learning rate; gives up after MAX_ROLLBACKS. */
  const rollback = async (rollbacks: number, why: string) => {
    const opened = opts.checkpointDir ? openCheckpoint<TrainState>(opts.checkpointDir) : null;
    if (!opened || rollbacks >= MAX_ROLLBACKS) {
      if (opened) disposeCheckpoint(opened.checkpoint);
      throw new NumericalError(
        `training diverged at step ${state.step}: ${why}` +
          (opened ? ` after ${rollbacks} roll-backs` : ' and there is no checkpoint to roll back to') +
          '; try a lower --lr, --clip-norm, a KL warm-up, or (nvae) a smaller --spectral-reg',
      );
    }
    const lr = state.learningRate / 2;
    const dir = opened.checkpoint.dir;
    ({ state, optimizers } = await restoreCheckpoint(trainer, config, opened.checkpoint, optimizers, lr));
    for (const c of callbacks) c.onRestore?.({ ...state, reason: 'rollback' });
    const rates = Object.entries(optimizerSpecsOf(model, config, lr / config.learningRate));
    const rateText =
      rates.length === 1
        ? `learning rate ${rates[0][1].learningRate}`
        : `learning rates ${rates.map(([g, s]) => `${g} ${s.learningRate}`).join(', ')}`;
    event('rollback', `rolled back to step ${state.step} (${dir}) with ${rateText}`);
  };

  if (opts.resumeFrom) for (const c of callbacks) c.onRestore?.({ ...state, reason: 'resume' });
  for (const c of callbacks) c.onStart?.({ stepsPerEpoch, totalSteps: stepsPerEpoch * config.epochs, state });
  const records: EpochRecord[] = [];
  // the time this epoch's steps took: what earlier runs of it (before a resume) took, plus this segment
  let epochClock = () => 0;
  let rollbacks = 0;
  let bad = 0; // consecutive non-finite steps, across epoch boundaries
  try {
    while (state.epoch < config.epochs) {
      const perm = epochPermutation(data.train.count, new Rng(state.epochSeed));
      const rng = Rng.fromState(state.rng);
      const epochData = epochBatches(data.train, perm, config.batchSize, state.batch, rng, {
        dropLast: true,
        binarization: opts.binarization,
      });
      const started = performance.now();
      const before = state.epochSeconds ?? 0;
      epochClock = () => before + (performance.now() - started) / 1000;
      for (const b of epochData) {
        const batch = toBatch(b.x, b.size, data.train.shape, b.labels);
        const ctx = {
          step: state.step,
          epoch: state.epoch,
          seed: rng.seed(),
          beta: klWeight(config.klSchedule, config.beta, state.step),
          freeBits: config.freeBits,
          objective: config.objective,
        };
        const { metrics, finite, poisoned } = trainer.step(batch, ctx, optimizers, config.clipNorm);
        tf.dispose([batch.x, batch.labels]);
        state = { ...state, batch: state.batch + 1, step: state.step + 1, rng: rng.state };
        if (poisoned) {
          // the update itself left NaN/∞ in the weights or the optimiser's moments: nothing after it can be trusted
          event(
            'nonfinite-state',
            `step ${state.step}: the update left a non-finite weight or optimiser state`,
          );
          await rollback(rollbacks++, 'an update left a non-finite weight or optimiser state');
          bad = 0;
          break; // the restored state may be in another epoch: restart the epoch loop from it
        }
        if (!finite) {
          state.epochSkipped++;
          if (++bad >= MAX_BAD_STEPS) {
            await rollback(
              rollbacks++,
              `${MAX_BAD_STEPS} consecutive steps had a non-finite loss or gradient`,
            );
            bad = 0;
            break;
          }
          continue;
        }
        bad = 0;
        const sums = { ...state.epochSums };
        for (const [k, v] of Object.entries(metrics)) sums[k] = (sums[k] ?? 0) + v;
        state.epochSums = sums;
        state.epochCounted++;
        for (const c of callbacks) c.onStep?.(state, metrics);
        if (
          config.checkpointEvery > 0 &&
          state.step % config.checkpointEvery === 0 &&
          !(await checkpoint())
        ) {
          await rollback(rollbacks++, 'the weights or the optimiser state became non-finite');
          break;
        }
      }
      if (state.batch < stepsPerEpoch) continue; // rolled back mid-epoch
      const seconds = epochClock();
      const test = evaluateDataset(model, data.test, opts.seed + 1, opts.evalBatchSize);
      const testFinite = Object.values(test).every(Number.isFinite);
      if (!testFinite) {
        const bad = Object.entries(test)
          .filter(([, v]) => !Number.isFinite(v))
          .map(([k, v]) => `${k} = ${v}`);
        event(
          'nonfinite-test',
          `epoch ${state.epoch + 1}: test ${bad.join(', ')}; this epoch cannot be the best`,
        );
      }
      // models without a bound on −log p(x) (GANs) count their latest finite epoch as the best
      const best =
        testFinite &&
        (bound === undefined || state.bestTestLoss === null || test[bound] < state.bestTestLoss);
      const record: EpochRecord = {
        epoch: state.epoch + 1,
        step: state.step,
        train: Object.fromEntries(
          Object.entries(state.epochSums).map(([k, v]) => [k, v / Math.max(1, state.epochCounted)]),
        ),
        test,
        seconds,
        imagesPerSecond: (stepsPerEpoch * config.batchSize) / seconds,
        skippedSteps: state.epochSkipped,
      };
      const next = Rng.fromState(state.rng);
      state = {
        ...state,
        epoch: state.epoch + 1,
        batch: 0,
        epochSeed: next.seed(),
        rng: next.state,
        bestTestLoss: best && bound !== undefined ? test[bound] : state.bestTestLoss,
        epochSums: {},
        epochCounted: 0,
        epochSkipped: 0,
      };
      epochClock = () => 0; // the checkpoint below starts the next epoch
      for (const c of callbacks) c.onRecord?.(record);
      if (!(await checkpoint(best))) {
        await rollback(rollbacks++, 'the weights or the optimiser state became non-finite');
        continue;
      }
      records.push(record);
      for (const c of callbacks) await c.onEpochEnd?.(record);
    }
    const last = records.at(-1);
    if (last && !Object.values(last.test).every(Number.isFinite)) {
      throw new NumericalError(
        `training ended with non-finite test metrics (${JSON.stringify(last.test)}); the best finite epoch's ` +
          'checkpoint is kept (best.json); try a lower --lr, --clip-norm, or a KL warm-up',
      );
    }
    if (last && last.skippedSteps >= stepsPerEpoch) {
      throw new NumericalError(
        `training ended with an epoch in which every step (${last.skippedSteps}) had a non-finite loss or ` +
          'gradient and was skipped: the model is not training; try a lower --lr, --clip-norm, or a KL warm-up',
      );
    }
  } finally {
    for (const o of Object.values(optimizers)) o.dispose();
  }
  return records;
}
