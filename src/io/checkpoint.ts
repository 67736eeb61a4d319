/**
 * Checkpoints on disk, in the tfjs weights format: `weights.bin` + `weights.json` (tfjs weight specs),
 * one such pair per optimiser, and `state.json` (step, epoch, RNG state, …). A checkpoint is written into a
 * temporary directory, every file fsynced, then renamed into a fresh name, and `latest.json` is replaced
 * atomically last — so a crash at any moment leaves a checkpoint that reads whole, pointed to. No
 * checkpoint holds a NaN or ±∞, and no reader accepts one that does.
 */

import { createHash } from 'node:crypto';
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
import { basename, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { InputError, NumericalError } from '../core/errors.js';
import type { NamedWeight } from '../core/trainable.js';
import { writeJsonAtomic } from './atomic.js';
import { pidAlive } from './run-lock.js';

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
  /**
   * The run configuration the checkpoint was written with (the part that fixes the model and the data,
   * as `stampCheckpoints` was given it); undefined for checkpoints written before vaekit recorded it.
   */
  runConfig?: Record<string, unknown>;
}

/** An integer that fits the 32-bit state of the run's random stream (`Rng`). */
const uint32 = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * The state of a training checkpoint (`TrainState` of train/loop; run/load-run checks at compile time that
 * the two agree). Loose: fields a later vaekit adds pass through; the ones that are there must make sense.
 */
export const trainStateSchema = z.looseObject({
  epoch: count,
  batch: count,
  step: count,
  epochSeed: uint32,
  rng: uint32,
  learningRate: z.number().positive().finite(),
  bestTestLoss: z.number().finite().nullable(),
  epochSums: z.record(z.string(), z.number().finite()),
  epochCounted: count,
  epochSkipped: count,
  epochSeconds: z.number().finite().min(0).optional(),
});

/** The envelope of every `state.json` (its `format` is checked first, to name an incompatible version). */
const stateFileSchema = z.looseObject({
  format: z.literal(CHECKPOINT_FORMAT),
  step: count,
  optimizerGroups: z
    .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an optimiser group name (letters, digits, _ -)'))
    .refine((gs) => new Set(gs).size === gs.length, 'no group named twice'),
  state: z.record(z.string(), z.unknown()),
  runConfig: z.record(z.string(), z.unknown()).optional(),
  runConfigSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

/** A JSON value with its object keys sorted (a canonical text for a digest). */
function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sort(value));
}

/** The sha256 of a configuration's canonical JSON text. */
export const configDigest = (config: unknown): string =>
  createHash('sha256').update(canonicalJson(config)).digest('hex');

/** zod's issues as "path: message" lines. */
function issueLines(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
    .join('; ');
}

/** Run configurations to record in each checkpoint saved under a root (see stampCheckpoints). */
const stamps = new Map<string, Record<string, unknown>>();

/**
 * From now on (in this process), every checkpoint saved under `root` records `config` — the part of the
 * run's configuration that fixes the model and the data — and its digest, so a reader can tell when the
 * run's config.json was edited after the checkpoint was written. `null` stops it.
 */
export function stampCheckpoints(root: string, config: Record<string, unknown> | null): void {
  if (config) stamps.set(resolve(root), JSON.parse(JSON.stringify(config)));
  else stamps.delete(resolve(root));
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

const weightSpecsSchema = z.array(
  z.object({
    name: z.string().min(1),
    shape: z.array(
      z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1),
    ),
    dtype: z.enum(['float32', 'int32']),
  }),
);

function readWeights(dir: string, stem: string): Map<string, tf.Tensor> {
  const specPath = join(dir, `${stem}.json`);
  const binPath = join(dir, `${stem}.bin`);
  let specs: tf.io.WeightsManifestEntry[];
  try {
    const parsed = weightSpecsSchema.safeParse(JSON.parse(readFileSync(specPath, 'utf8'))?.weightSpecs);
    if (!parsed.success) throw new Error(`weightSpecs: ${issueLines(parsed.error)}`);
    specs = parsed.data;
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
  const tmp = join(root, `${TMP_PREFIX}${name}-${process.pid}`);
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
        ...stampOf(root),
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

/** The run configuration (and its digest) stampCheckpoints asked checkpoints under `root` to record. */
function stampOf(root: string): { runConfig?: Record<string, unknown>; runConfigSha256?: string } {
  const runConfig = stamps.get(resolve(root));
  return runConfig ? { runConfig, runConfigSha256: configDigest(runConfig) } : {};
}

const TMP_PREFIX = '.tmp-';

/** The pid a temporary checkpoint directory `.tmp-<name>-<pid>` belongs to, or null. */
function tmpOwner(entry: string): number | null {
  const m = /-(\d+)$/.exec(entry);
  return m ? Number(m[1]) : null;
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

/**
 * Removes all but the newest `keep` checkpoints, never the ones latest.json / best.json point at, and the
 * temporaries of this process or of processes that are gone — never another live process's save in progress.
 */
function prune(root: string, keep: number): void {
  const protectedNames = new Set([pointer(root, 'latest.json'), pointer(root, 'best.json')]);
  const names = checkpointNames(root);
  for (const old of names.slice(0, Math.max(0, names.length - keep))) {
    if (!protectedNames.has(old)) rmSync(join(root, old), { recursive: true, force: true });
  }
  for (const e of readdirSync(root)) {
    if (!e.startsWith(TMP_PREFIX)) continue;
    const pid = tmpOwner(e);
    if (pid === process.pid || (pid !== null && !pidAlive(pid)))
      rmSync(join(root, e), { recursive: true, force: true });
  }
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
 * that is gone or does not read whole (a crash, a hand edit: torn weights, a state.json that does not
 * validate against `stateSchema`), the newest checkpoint on disk that does, saying so. `best` on a run
 * without best.json (no epoch ended with a finite test loss) takes the latest one and says so too.
 * Null when the run has no checkpoint at all; an InputError naming each checkpoint when none reads.
 */
export function openCheckpoint<S = z.infer<typeof trainStateSchema>>(
  root: string,
  which: 'latest' | 'best' = 'latest',
  stateSchema: z.ZodType<S> = trainStateSchema as unknown as z.ZodType<S>,
): OpenedCheckpoint<S> | null {
  const names = existsSync(root) ? checkpointNames(root) : [];
  const bestPointer = which === 'best' && existsSync(root) ? pointer(root, 'best.json') : null;
  // no best.json at all (not a broken one): no epoch has been the best yet, the latest stands in for it
  const noBest = which === 'best' && bestPointer === null;
  const via = noBest ? 'latest' : which;
  const named = existsSync(root) ? pointer(root, `${via}.json`) : null;
  if (names.length === 0 && named === null) return null;
  const problems: string[] = [];
  const tryLoad = (name: string) => {
    try {
      return loadCheckpoint<S>(join(root, name), stateSchema);
    } catch (e) {
      // whatever goes wrong reading one checkpoint, an older one that reads whole is still the run
      problems.push(`${name}: ${e instanceof InputError ? e.message : `cannot be read (${String(e)})`}`);
      return null;
    }
  };
  const noBestNote = (name: string) =>
    `no best checkpoint (no best.json: no epoch ended with a finite test loss): using the latest, ${name}`;
  if (named && named !== 'broken' && names.includes(named)) {
    const ck = tryLoad(named);
    if (ck) return { checkpoint: ck, note: noBest ? noBestNote(named) : null };
  }
  const why =
    named === null
      ? `${via}.json is missing`
      : named === 'broken'
        ? `${via}.json cannot be read`
        : names.includes(named)
          ? `${named}, which ${via}.json names, does not read whole`
          : `${named}, which ${via}.json names, is gone`;
  const prefix = noBest ? 'no best checkpoint (no best.json), and ' : '';
  for (const name of [...names].reverse()) {
    if (name === named) continue;
    const ck = tryLoad(name);
    if (ck)
      return {
        checkpoint: ck,
        note: `${prefix}${why}: using ${name}, the newest checkpoint that reads whole`,
      };
  }
  throw new InputError({
    where: root,
    expected: 'a checkpoint that reads whole',
    found: `${prefix}${why}, and no other checkpoint reads (${problems.join('; ') || 'none on disk'})`,
  });
}

/**
 * Reads one checkpoint directory. Its state.json is validated — the envelope (format, step, optimiser
 * groups, the recorded run configuration and its digest) always, the state itself against `stateSchema`
 * when given — and every weights file is read whole and finite; anything else is an InputError naming the file.
 */
export function loadCheckpoint<S>(dir: string, stateSchema?: z.ZodType<S>): LoadedCheckpoint<S> {
  const statePath = join(dir, 'state.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(statePath, 'utf8'));
  } catch (e) {
    throw new InputError(
      { where: statePath, expected: 'a vaekit checkpoint state file', found: String(e) },
      { cause: e },
    );
  }
  const format = raw && typeof raw === 'object' ? (raw as { format?: unknown }).format : undefined;
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && format !== CHECKPOINT_FORMAT) {
    throw new InputError({
      where: statePath,
      expected: `checkpoint format ${CHECKPOINT_FORMAT}`,
      found: `format ${JSON.stringify(format) ?? 'none'}`,
      hint: 'this run was written by an incompatible vaekit version',
    });
  }
  const parsed = stateFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError({
      where: statePath,
      expected: 'a vaekit checkpoint state (format, step, optimizerGroups, state)',
      found: raw === null || typeof raw !== 'object' ? JSON.stringify(raw) : issueLines(parsed.error),
    });
  }
  const meta = parsed.data;
  const m = /^step-(\d+)(?:\.\d+)?$/.exec(basename(dir));
  if (m && Number(m[1]) !== meta.step) {
    throw new InputError({
      where: `${statePath}: step`,
      expected: `${Number(m[1])} (the folder's step)`,
      found: String(meta.step),
    });
  }
  if (typeof meta.state.step === 'number' && meta.state.step !== meta.step) {
    throw new InputError({
      where: `${statePath}: state.step`,
      expected: `${meta.step} (its step)`,
      found: String(meta.state.step),
    });
  }
  if (meta.runConfig && meta.runConfigSha256 !== configDigest(meta.runConfig)) {
    throw new InputError({
      where: `${statePath}: runConfig`,
      expected: 'the run configuration whose digest is runConfigSha256',
      found: meta.runConfigSha256 ? 'another digest (the file was edited)' : 'no digest',
    });
  }
  let state = meta.state as S;
  if (stateSchema) {
    const st = stateSchema.safeParse(meta.state);
    if (!st.success) {
      throw new InputError({
        where: `${statePath}: state`,
        expected: 'the state of a training checkpoint (epoch, batch, step, rng, …)',
        found: issueLines(st.error),
      });
    }
    state = st.data;
  }
  const optimizers: Record<string, NamedWeight[]> = {};
  const weights = readWeights(dir, 'weights');
  try {
    for (const g of meta.optimizerGroups) {
      optimizers[g] = [...readWeights(dir, `optimizer-${g}`)].map(([name, tensor]) => ({ name, tensor }));
    }
  } catch (e) {
    tf.dispose([...weights.values(), ...Object.values(optimizers).flatMap((ws) => ws.map((w) => w.tensor))]);
    throw e;
  }
  return { dir, weights, optimizers, state, runConfig: meta.runConfig };
}

/** Frees the tensors a loaded checkpoint holds (after they have been copied or assigned where they belong). */
export function disposeCheckpoint<S>(ck: LoadedCheckpoint<S>): void {
  tf.dispose([
    ...ck.weights.values(),
    ...Object.values(ck.optimizers).flatMap((ws) => ws.map((w) => w.tensor)),
  ]);
}
