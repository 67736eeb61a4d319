import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { adam } from '../backend/wasm/adam.js';
import { NumericalError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import type { NamedWeight, Trainable } from '../core/trainable.js';
import { batchCount, epochBatches, epochPermutation } from '../data/batches.js';
import type { Binarization } from '../data/binarize.js';
import type { TrainingSplit } from '../data/dataset.js';
import { appendLine, writeFileAtomic } from '../io/atomic.js';
import { findCheckpoint, type LoadedCheckpoint, loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import { klWeight } from '../objectives/kl-schedule.js';
import type { TrainConfig } from './config.js';
import { evaluateDataset } from './evaluate.js';

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

export interface TrainCallbacks {
  onStart?(info: { stepsPerEpoch: number; totalSteps: number; state: TrainState }): void;
  onStep?(state: TrainState, metrics: Record<string, number>): void;
  onEpochEnd?(record: EpochRecord): void | Promise<void>;
  onEvent?(event: { kind: string; message: string; step: number }): void;
}

export interface TrainOptions {
  model: Trainable;
  data: TrainingSplit;
  config: TrainConfig;
  seed: number;
  /** Where checkpoints go (`runs/<name>/checkpoints`); none: no checkpoints, no resume. */
  checkpointDir?: string;
  /** `metrics.jsonl`: one JSON line per epoch and per event. */
  metricsPath?: string;
  /** Continue from this checkpoint (model weights, optimiser state, step, RNG). */
  resumeFrom?: LoadedCheckpoint<TrainState>;
  /** `dynamic` draws a fresh binary sample of each training batch from the run's RNG (others are applied up front). */
  binarization?: Binarization;
  callbacks?: TrainCallbacks[];
}

/** Consecutive non-finite steps tolerated before rolling back to the last checkpoint. */
const MAX_BAD_STEPS = 10;
/** Roll-backs (each halving the learning rate) before giving up. */
const MAX_ROLLBACKS = 3;

/** The optimisers of one model: its own (createOptimizers), or Adam with the run's settings per variable group. */
export function makeOptimizers(
  model: Trainable,
  config: TrainConfig,
  lr: number,
): Record<string, tf.Optimizer> {
  if (model.createOptimizers) return model.createOptimizers(lr / config.learningRate);
  return Object.fromEntries(
    Object.keys(model.variableGroups()).map((g) => [g, adam(lr, config.adamBeta1, config.adamBeta2)]),
  );
}

async function optimizerWeights(opts: Record<string, tf.Optimizer>): Promise<Record<string, NamedWeight[]>> {
  const out: Record<string, NamedWeight[]> = {};
  for (const [g, o] of Object.entries(opts))
    out[g] = (await o.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor }));
  return out;
}

async function restoreOptimizers(opts: Record<string, tf.Optimizer>, saved: Record<string, NamedWeight[]>) {
  for (const [g, o] of Object.entries(opts)) if (saved[g]) await o.setWeights(saved[g]);
}

/**
 * Drops the log lines written after the checkpoint we resume from (and a line torn by a crash),
 * so metrics.jsonl reads as one uninterrupted run.
 */
function truncateLog(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => {
      try {
        return (JSON.parse(line) as { step: number }).step <= step;
      } catch {
        return false;
      }
    });
  writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
}

/**
 * The one training loop: mini-batches in a seeded order, one `model.trainStep` per batch, test-set
 * evaluation after each epoch, `metrics.jsonl`, atomic checkpoints, and the NaN guard (a non-finite step
 * is skipped; after MAX_BAD_STEPS in a row the last checkpoint is restored with half the learning rate).
 */
export async function train(opts: TrainOptions): Promise<EpochRecord[]> {
  const { model, data, config } = opts;
  const callbacks = opts.callbacks ?? [];
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
  let optimizers = makeOptimizers(model, config, state.learningRate);
  if (opts.resumeFrom) {
    if (opts.metricsPath) truncateLog(opts.metricsPath, opts.resumeFrom.state.step);
    model.setWeights(opts.resumeFrom.weights);
    state = { ...opts.resumeFrom.state };
    optimizers = makeOptimizers(model, config, state.learningRate);
    await restoreOptimizers(optimizers, opts.resumeFrom.optimizers);
  }
  const log = (record: object) => opts.metricsPath && appendLine(opts.metricsPath, JSON.stringify(record));
  const event = (kind: string, message: string) => {
    log({ event: kind, step: state.step, message });
    for (const c of callbacks) c.onEvent?.({ kind, message, step: state.step });
  };
  const checkpoint = async (best = false) => {
    if (!opts.checkpointDir) return;
    await saveCheckpoint(
      opts.checkpointDir,
      state.step,
      { weights: model.weights(), optimizers: await optimizerWeights(optimizers), state },
      { keep: config.keepCheckpoints, best },
    );
  };
  const rollback = async (rollbacks: number) => {
    const dir = opts.checkpointDir && findCheckpoint(opts.checkpointDir);
    if (!dir || rollbacks >= MAX_ROLLBACKS) {
      throw new NumericalError(
        `training diverged at step ${state.step}: ${MAX_BAD_STEPS} consecutive steps had a non-finite loss or gradient` +
          (dir ? ` after ${rollbacks} roll-backs` : ' and there is no checkpoint to roll back to') +
          '; try a lower --lr, --clip-norm, or a KL warm-up',
      );
    }
    const ck = loadCheckpoint<TrainState>(dir);
    model.setWeights(ck.weights);
    const lr = state.learningRate / 2;
    state = { ...ck.state, learningRate: lr };
    for (const o of Object.values(optimizers)) o.dispose();
    optimizers = makeOptimizers(model, config, lr);
    await restoreOptimizers(optimizers, ck.optimizers);
    tf.dispose([
      ...ck.weights.values(),
      ...Object.values(ck.optimizers).flatMap((ws) => ws.map((w) => w.tensor)),
    ]);
    event('rollback', `rolled back to step ${state.step} (${dir}) with learning rate ${lr}`);
  };

  for (const c of callbacks) c.onStart?.({ stepsPerEpoch, totalSteps: stepsPerEpoch * config.epochs, state });
  const records: EpochRecord[] = [];
  let rollbacks = 0;
  let bad = 0; // consecutive non-finite steps, across epoch boundaries
  while (state.epoch < config.epochs) {
    const perm = epochPermutation(data.train.count, new Rng(state.epochSeed));
    const rng = Rng.fromState(state.rng);
    const epochData = epochBatches(data.train, perm, config.batchSize, state.batch, rng, {
      dropLast: true,
      binarization: opts.binarization,
    });
    const started = performance.now();
    const startBatch = state.batch;
    for (const batch of epochData) {
      const xt = tf.tensor4d(batch.x, [batch.size, ...data.train.shape]);
      const { metrics, finite } = model.trainStep(xt, {
        step: state.step,
        epoch: state.epoch,
        seed: rng.seed(),
        beta: klWeight(config.klSchedule, config.beta, state.step),
        freeBits: config.freeBits,
        clipNorm: config.clipNorm,
        objective: config.objective,
        optimizers,
      });
      xt.dispose();
      state = { ...state, batch: state.batch + 1, step: state.step + 1, rng: rng.state };
      if (!finite) {
        state.epochSkipped++;
        if (++bad >= MAX_BAD_STEPS) {
          await rollback(rollbacks++);
          bad = 0;
          break; // the restored state may be in another epoch: restart the epoch loop from it
        }
        continue;
      }
      bad = 0;
      const sums = { ...state.epochSums };
      for (const [k, v] of Object.entries(metrics)) sums[k] = (sums[k] ?? 0) + v;
      state.epochSums = sums;
      state.epochCounted++;
      for (const c of callbacks) c.onStep?.(state, metrics);
      if (config.checkpointEvery > 0 && state.step % config.checkpointEvery === 0) await checkpoint();
    }
    if (state.batch < stepsPerEpoch) continue; // rolled back mid-epoch
    const seconds = (performance.now() - started) / 1000;
    const stepsRun = state.batch - startBatch;
    const test = evaluateDataset(model, data.test, opts.seed + 1);
    // models without a test loss (GANs: no likelihood) count their latest epoch as the best
    const best = test.loss === undefined || state.bestTestLoss === null || test.loss < state.bestTestLoss;
    const record: EpochRecord = {
      epoch: state.epoch + 1,
      step: state.step,
      train: Object.fromEntries(
        Object.entries(state.epochSums).map(([k, v]) => [k, v / Math.max(1, state.epochCounted)]),
      ),
      test,
      seconds,
      imagesPerSecond: (stepsRun * config.batchSize) / seconds,
      skippedSteps: state.epochSkipped,
    };
    const next = Rng.fromState(state.rng);
    state = {
      ...state,
      epoch: state.epoch + 1,
      batch: 0,
      epochSeed: next.seed(),
      rng: next.state,
      bestTestLoss: best ? (test.loss ?? null) : state.bestTestLoss,
      epochSums: {},
      epochCounted: 0,
      epochSkipped: 0,
    };
    log(record);
    await checkpoint(best);
    records.push(record);
    for (const c of callbacks) await c.onEpochEnd?.(record);
  }
  for (const o of Object.values(optimizers)) o.dispose();
  return records;
}

export const checkpointsDir = (runDir: string) => join(runDir, 'checkpoints');
