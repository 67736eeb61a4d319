/**
 * Checkpoints on disk, in the tfjs weights format: `weights.bin` + `weights.json` (tfjs weight specs),
 * one such pair per optimiser, and `state.json` (step, epoch, RNG state, …). A checkpoint is written into a
 * temporary directory, every file fsynced, then renamed into place, and `latest.json` is replaced
 * atomically last — so a crash at any moment leaves the previous checkpoint intact and pointed to.
 */

import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import type { NamedWeight } from '../core/trainable.js';
import { writeJsonAtomic } from './atomic.js';

export const CHECKPOINT_FORMAT = 1;

export interface CheckpointContents<S> {
  weights: NamedWeight[];
  optimizers: Record<string, NamedWeight[]>;
  state: S;
}

export interface LoadedCheckpoint<S> {
  dir: string;
  weights: Map<string, tf.Tensor>;
  optimizers: Record<string, NamedWeight[]>;
  state: S;
}

function writeSynced(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function writeWeights(dir: string, stem: string, weights: NamedWeight[]): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(weights.map((w) => ({ name: w.name, tensor: w.tensor })));
  writeSynced(join(dir, `${stem}.bin`), new Uint8Array(data));
  writeSynced(
    join(dir, `${stem}.json`),
    JSON.stringify({ format: 'tfjs-weights', weightSpecs: specs }, null, 1),
  );
}

function readWeights(dir: string, stem: string): Map<string, tf.Tensor> {
  const specPath = join(dir, `${stem}.json`);
  const binPath = join(dir, `${stem}.bin`);
  let specs: tf.io.WeightsManifestEntry[];
  try {
    specs = JSON.parse(readFileSync(specPath, 'utf8')).weightSpecs;
  } catch (e) {
    throw new InputError(
      { where: specPath, expected: 'a tfjs weight-spec JSON file', found: String(e) },
      { cause: e },
    );
  }
  const bin = readFileSync(binPath);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bin.length !== expected) {
    throw new InputError({ where: binPath, expected: `${expected} bytes`, found: `${bin.length} bytes` });
  }
  const buf = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return new Map(Object.entries(tf.io.decodeWeights(buf, specs)));
}

const stepDirName = (step: number) => `step-${String(step).padStart(9, '0')}`;

/** Writes a checkpoint for `step` under `root` and points `latest.json` at it; keeps the newest `keep` (plus `best`). */
export async function saveCheckpoint<S>(
  root: string,
  step: number,
  contents: CheckpointContents<S>,
  opts: { keep?: number; best?: boolean } = {},
): Promise<string> {
  mkdirSync(root, { recursive: true });
  const name = stepDirName(step);
  const tmp = join(root, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  await writeWeights(tmp, 'weights', contents.weights);
  for (const [group, w] of Object.entries(contents.optimizers))
    await writeWeights(tmp, `optimizer-${group}`, w);
  writeSynced(
    join(tmp, 'state.json'),
    JSON.stringify(
      {
        format: CHECKPOINT_FORMAT,
        step,
        optimizerGroups: Object.keys(contents.optimizers),
        state: contents.state,
      },
      null,
      1,
    ),
  );
  syncDir(tmp);
  const final = join(root, name);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  syncDir(root);
  writeJsonAtomic(join(root, 'latest.json'), { checkpoint: name, step });
  if (opts.best) writeJsonAtomic(join(root, 'best.json'), { checkpoint: name, step });
  prune(root, opts.keep ?? 3);
  return final;
}

function pointer(root: string, file: string): string | null {
  const p = join(root, file);
  if (!existsSync(p)) return null;
  let name: unknown;
  try {
    name = JSON.parse(readFileSync(p, 'utf8'))?.checkpoint;
  } catch (e) {
    name = e;
  }
  if (typeof name !== 'string' || !/^step-\d+$/.test(name)) {
    const found = name instanceof Error ? name.message : `checkpoint ${JSON.stringify(name) ?? 'missing'}`;
    throw new InputError({ where: p, expected: 'JSON {"checkpoint": "step-…"}', found });
  }
  return name;
}

/** Removes all but the newest `keep` checkpoints, never the ones latest.json / best.json point at, and stale temporaries. */
function prune(root: string, keep: number): void {
  const protectedNames = new Set([pointer(root, 'latest.json'), pointer(root, 'best.json')]);
  const entries = readdirSync(root).sort();
  const steps = entries.filter((e) => e.startsWith('step-'));
  for (const old of steps.slice(0, Math.max(0, steps.length - keep))) {
    if (!protectedNames.has(old)) rmSync(join(root, old), { recursive: true, force: true });
  }
  for (const e of entries) if (e.startsWith('.tmp-')) rmSync(join(root, e), { recursive: true, force: true });
}

/** The checkpoint `latest.json` (or `best.json` with which='best') points to, or null when there is none. */
export function findCheckpoint(root: string, which: 'latest' | 'best' = 'latest'): string | null {
  const name = pointer(root, `${which}.json`);
  return name && existsSync(join(root, name)) ? join(root, name) : null;
}

export function loadCheckpoint<S>(dir: string): LoadedCheckpoint<S> {
  const statePath = join(dir, 'state.json');
  let meta: { format: number; optimizerGroups: string[]; state: S };
  try {
    meta = JSON.parse(readFileSync(statePath, 'utf8'));
  } catch (e) {
    throw new InputError(
      { where: statePath, expected: 'a vaekit checkpoint state file', found: String(e) },
      { cause: e },
    );
  }
  if (meta.format !== CHECKPOINT_FORMAT) {
    throw new InputError({
      where: statePath,
      expected: `checkpoint format ${CHECKPOINT_FORMAT}`,
      found: `format ${meta.format}`,
      hint: 'this run was written by an incompatible vaekit version',
    });
  }
  const optimizers: Record<string, NamedWeight[]> = {};
  for (const g of meta.optimizerGroups) {
    optimizers[g] = [...readWeights(dir, `optimizer-${g}`)].map(([name, tensor]) => ({ name, tensor }));
  }
  return { dir, weights: readWeights(dir, 'weights'), optimizers, state: meta.state };
}

/** Frees the tensors a loaded checkpoint holds (after they have been copied or assigned where they belong). */
export function disposeCheckpoint<S>(ck: LoadedCheckpoint<S>): void {
  tf.dispose([
    ...ck.weights.values(),
    ...Object.values(ck.optimizers).flatMap((ws) => ws.map((w) => w.tensor)),
  ]);
}
