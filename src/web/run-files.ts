import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { imageSize } from '../data/dataset.js';
import { findCheckpoint } from '../io/checkpoint.js';
import type { RunConfig } from '../run/config.js';
import { loadRunData } from '../run/data.js';
import { runPaths } from '../run/run-dir.js';
import type { CheckpointSpecs, TestImagesMeta } from './protocol.js';

/** The checkpoint the explorer shows now: its directory and its weight specs. */
export interface CurrentCheckpoint {
  dir: string;
  specs: CheckpointSpecs;
}

/**
 * The best (or latest) checkpoint of the run, looked up afresh on every call since a training run may be
 * writing new ones; null when there is none yet.
 */
export function currentCheckpoint(runDir: string, which: 'best' | 'latest'): CurrentCheckpoint | null {
  const root = runPaths(runDir).checkpoints;
  const dir = findCheckpoint(root, which) ?? findCheckpoint(root, 'latest');
  if (!dir) return null;
  const { weightSpecs } = JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8'));
  const { step, state } = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
  return { dir, specs: { checkpoint: basename(dir), step, epoch: state.epoch, weightSpecs } };
}

/** A JSON-lines log of the run as written so far (empty before the first epoch ends, or for models without it). */
export function logText(runDir: string, log: 'metrics' | 'latent'): string {
  const p = log === 'metrics' ? runPaths(runDir).metrics : join(runDir, 'latent.jsonl');
  return existsSync(p) ? readFileSync(p, 'utf8') : '';
}

/**
 * The first `count` images of the run's own test set, as the model saw them (same binarisation),
 * quantised to bytes: pixel = byte / 255.
 */
export function testImageSample(
  config: RunConfig,
  count: number,
): { meta: TestImagesMeta; pixels: Uint8Array } {
  const test = loadRunData(config.data, config.seed).split.test;
  const n = Math.min(count, test.count);
  const size = imageSize(test);
  const pixels = Uint8Array.from(test.images.subarray(0, n * size), (v) => Math.round(v * 255));
  const labels = test.labels ? Array.from(test.labels.subarray(0, n)) : null;
  return { meta: { dataset: config.data.dataset, count: n, shape: test.shape, labels }, pixels };
}
