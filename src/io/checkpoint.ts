/**
 * Checkpoints on disk, in the tfjs weights format: `weights.bin` + `weights.json` (tfjs weight specs),
 * one such pair per optimiser, and `state.json` (step, epoch, RNG state, …). A checkpoint is written into a
 * temporary directory, every file fsynced, then renamed into a fresh name, and `latest.json` is replaced
 * atomically last — so a crash at any moment leaves a checkpoint that reads whole, pointed to. No
 * checkpoint holds a NaN or ±∞, and no reader accepts one that does.
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
import { InputError, NumericalError } from '../core/errors.js';
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

/**
 * Test hook: with VAEKIT_FAULT=<point>:<step>:<n>, the process kills itself (SIGKILL, as a crash or
 * `kill -9` would) the n-th time a save of `step` reaches `point`, so a test hits the exact window it means
 * to (e.g. between the two saves of an epoch's last step) instead of hoping a timed kill lands there.
 */
const faultsSeen = new Map<string, number>();
function faultPoint(point: 'checkpoint-renamed' | 'checkpoint-pointed', step: number): void {
  const want = (globalThis as { process?: NodeJS.Process }).process?.env.VAEKIT_FAULT;
  if (!want?.startsWith(`${point}:${step}:`)) return;
  const key = `${point}:${step}`;
  faultsSeen.set(key, (faultsSeen.get(key) ?? 0) + 1);
  if (want === `${key}:${faultsSeen.get(key)}`) process.kill(process.pid, 'SIGKILL');
}

/** The first non-finite value of a float tensor's data, as "name[i] = NaN", or null. */
function nonFinite(name: string, data: ArrayLike<number>): string | null {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return `${name}[${i}] = ${data[i]}`;
  return null;
}

/** A checkpoint refused because a weight or an optimiser's state holds NaN or ±∞. */
export class NonFiniteCheckpointError extends NumericalError {}

/**
 * The weights in the tfjs weights format (specs + one buffer), read back once; a non-finite float value
 * refuses the whole checkpoint (the values are in hand anyway: no extra read-back).
 */
async function encodeFinite(
  weights: NamedWeight[],
): Promise<{ data: Uint8Array; specs: tf.io.WeightsManifestEntry[] }> {
  const parts: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const { name, tensor } of weights) {
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32')
      throw new Error(`cannot save ${name}: ${tensor.dtype}`);
    const values = (await tensor.data()) as Float32Array | Int32Array;
    const bad = tensor.dtype === 'float32' ? nonFinite(name, values) : null;
    if (bad) throw new NonFiniteCheckpointError(`refused to checkpoint a non-finite value: ${bad}`);
    parts.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    specs.push({ name, shape: tensor.shape, dtype: tensor.dtype });
  }
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { data, specs };
}

async function writeWeights(dir: string, stem: string, weights: NamedWeight[]): Promise<void> {
  const { data, specs } = await encodeFinite(weights);
  writeSynced(join(dir, `${stem}.bin`), data);
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
    if (!Array.isArray(specs)) throw new Error('no weightSpecs array');
  } catch (e) {
    throw new InputError(
      { where: specPath, expected: 'a tfjs weight-spec JSON file', found: String(e) },
      { cause: e },
    );
  }
  let bin: Buffer;
  try {
    bin = readFileSync(binPath);
  } catch (e) {
    throw new InputError(
      { where: binPath, expected: 'the checkpoint weights file', found: String(e) },
      { cause: e },
    );
  }
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bin.length !== expected) {
    throw new InputError({ where: binPath, expected: `${expected} bytes`, found: `${bin.length} bytes` });
  }
  const buf = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  // every reader (resume, sample, eval, encode, reconstruct, serve) refuses NaN and ±∞ weights
  const bad = nonFiniteWeight(buf, specs);
  if (bad) throw new InputError({ where: binPath, expected: 'finite weights', found: bad });
  return new Map(Object.entries(tf.io.decodeWeights(buf, specs)));
}

/** The first NaN or ±∞ among the float32 weights of a weights.bin (as "name[i] = NaN"), or null. */
export function nonFiniteWeight(buf: ArrayBuffer, specs: tf.io.WeightsManifestEntry[]): string | null {
  let at = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (at + 4 * n > buf.byteLength) return null; // a size mismatch is the reader's to report
    const bad = spec.dtype === 'float32' ? nonFinite(spec.name, new Float32Array(buf, at, n)) : null;
    if (bad) return bad;
    at += 4 * n;
  }
  return null;
}

/** `step-000000016`, and for a second save of the same step `step-000000016.1`, `.2`, …: never overwritten. */
const stepDirName = (step: number, generation: number) =>
  `step-${String(step).padStart(9, '0')}${generation ? `.${generation}` : ''}`;

/** Checkpoint directory names of `root`, oldest first (by step, then generation). */
function checkpointNames(root: string): string[] {
  const key = (name: string) => {
    const m = /^step-(\d+)(?:\.(\d+))?$/.exec(name);
    return m ? [Number(m[1]), Number(m[2] ?? 0)] : null;
  };
  return readdirSync(root)
    .filter((e) => key(e) !== null)
    .sort((a, b) => {
      const [ka, kb] = [key(a)!, key(b)!];
      return ka[0] - kb[0] || ka[1] - kb[1];
    });
}

/**
 * Writes a checkpoint for `step` under `root` and points `latest.json` (and `best.json` with `best`) at
 * it; keeps the newest `keep` (plus those the pointers name). The sequence makes every crash safe: the
 * new directory is complete and fsynced before it is renamed into a name no checkpoint has, the pointer
 * is replaced atomically after that, and a checkpoint is removed only when no pointer names it — so the
 * checkpoint `latest.json` names always exists and reads whole. Saving a step again (the epoch's last
 * step, saved mid-epoch and at the epoch's end) writes a new generation of it, then moves the pointer.
 */
export async function saveCheckpoint<S>(
  root: string,
  step: number,
  contents: CheckpointContents<S>,
  opts: { keep?: number; best?: boolean } = {},
): Promise<string> {
  mkdirSync(root, { recursive: true });
  const taken = new Set(readdirSync(root));
  let generation = 0;
  while (taken.has(stepDirName(step, generation))) generation++;
  const name = stepDirName(step, generation);
  const tmp = join(root, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    await writeWeights(tmp, 'weights', contents.weights);
    for (const [group, w] of Object.entries(contents.optimizers))
      await writeWeights(tmp, `optimizer-${group}`, w);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
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
  renameSync(tmp, final);
  syncDir(root);
  faultPoint('checkpoint-renamed', step);
  writeJsonAtomic(join(root, 'latest.json'), { checkpoint: name, step });
  if (opts.best) writeJsonAtomic(join(root, 'best.json'), { checkpoint: name, step });
  faultPoint('checkpoint-pointed', step);
  prune(root, opts.keep ?? 3);
  return final;
}

/** The checkpoint name a pointer file holds: a name, 'broken' (unreadable, or not a checkpoint name), or null when absent. */
function pointer(root: string, file: string): string | 'broken' | null {
  const p = join(root, file);
  if (!existsSync(p)) return null;
  try {
    const name = JSON.parse(readFileSync(p, 'utf8'))?.checkpoint;
    return typeof name === 'string' && /^step-\d+(\.\d+)?$/.test(name) ? name : 'broken';
  } catch {
    return 'broken';
  }
}

/** Removes all but the newest `keep` checkpoints, never the ones latest.json / best.json point at, and stale temporaries. */
function prune(root: string, keep: number): void {
  const protectedNames = new Set([pointer(root, 'latest.json'), pointer(root, 'best.json')]);
  const names = checkpointNames(root);
  for (const old of names.slice(0, Math.max(0, names.length - keep))) {
    if (!protectedNames.has(old)) rmSync(join(root, old), { recursive: true, force: true });
  }
  for (const e of readdirSync(root))
    if (e.startsWith('.tmp-')) rmSync(join(root, e), { recursive: true, force: true });
}

/** The checkpoint `latest.json` (or `best.json` with which='best') points to, or null when there is none or it is broken. */
export function findCheckpoint(root: string, which: 'latest' | 'best' = 'latest'): string | null {
  const name = existsSync(root) ? pointer(root, `${which}.json`) : null;
  return name && name !== 'broken' && existsSync(join(root, name)) ? join(root, name) : null;
}

/** A checkpoint loaded for use, and a note when it is not the one the pointer names. */
export interface OpenedCheckpoint<S> {
  checkpoint: LoadedCheckpoint<S>;
  /** Why another checkpoint than `latest.json`'s (or `best.json`'s) was taken; null when it was that one. */
  note: string | null;
}

/**
 * Loads the checkpoint `which`.json names; when that pointer is missing, unreadable or names a checkpoint
 * that is gone or does not read whole (a crash, a hand edit), the newest checkpoint on disk that does,
 * saying so. Null when the run has no checkpoint at all; an InputError when it has some but none reads.
 */
export function openCheckpoint<S>(
  root: string,
  which: 'latest' | 'best' = 'latest',
): OpenedCheckpoint<S> | null {
  const names = existsSync(root) ? checkpointNames(root) : [];
  const named = existsSync(root)
    ? (pointer(root, `${which}.json`) ?? (which === 'best' ? pointer(root, 'latest.json') : null))
    : null;
  if (names.length === 0 && named === null) return null;
  const problems: string[] = [];
  const tryLoad = (name: string) => {
    try {
      return loadCheckpoint<S>(join(root, name));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(`${name}: ${e.message}`);
      return null;
    }
  };
  if (named && named !== 'broken' && names.includes(named)) {
    const ck = tryLoad(named);
    if (ck) return { checkpoint: ck, note: null };
  }
  const why =
    named === null
      ? `${which}.json is missing`
      : named === 'broken'
        ? `${which}.json cannot be read`
        : names.includes(named)
          ? `${named}, which ${which}.json names, does not read whole`
          : `${named}, which ${which}.json names, is gone`;
  for (const name of [...names].reverse()) {
    if (name === named) continue;
    const ck = tryLoad(name);
    if (ck) return { checkpoint: ck, note: `${why}: using ${name}, the newest checkpoint that reads whole` };
  }
  throw new InputError({
    where: root,
    expected: 'a checkpoint that reads whole',
    found: `${why}, and no other checkpoint reads (${problems.join('; ') || 'none on disk'})`,
  });
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
