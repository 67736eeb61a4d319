import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { imageSize } from '../data/dataset.js';
import { nonFiniteWeight } from '../io/checkpoint.js';
import type { RunConfig } from '../run/config.js';
import { loadRunDataFor } from '../run/data.js';
import { ConfinedDir, type FileExtent, isSafeSegment, RefusedPath } from './confined.js';
import type { CheckpointSpecs, TestImagesMeta } from './protocol.js';

/**
 * The files of one run directory as the explorer reads them: every one through `ConfinedDir`, so a
 * symlink, a hard link or a checkpoint pointer (`latest.json`, `best.json`) that leads out of the run
 * directory is refused (RefusedPath), never followed.
 */
export function runFiles(runDir: string): ConfinedDir {
  return new ConfinedDir(runDir, 'the run directory', true);
}

/** The checkpoint the explorer shows now: its directory name (under checkpoints/) and its weight specs. */
export interface CurrentCheckpoint {
  name: string;
  specs: CheckpointSpecs;
  /** The run configuration the checkpoint records (none in checkpoints written before vaekit recorded it). */
  runConfig?: Record<string, unknown>;
}

const CHECKPOINTS = 'checkpoints';

/** JSON of a run file; null when the file does not exist. */
function readJson(files: ConfinedDir, ...path: string[]): unknown {
  const bytes = files.read(...path);
  if (bytes === null) return null;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new Error(`${path.join('/')}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

/**
 * The checkpoint a pointer file names, when the pointer exists; a pointer naming anything but one folder
 * of checkpoints/ (`../…`, an absolute path, a nested path) is refused.
 */
function pointed(files: ConfinedDir, pointer: 'latest.json' | 'best.json'): string | null {
  const json = readJson(files, CHECKPOINTS, pointer);
  if (json === null) return null;
  const name = (json as { checkpoint?: unknown }).checkpoint;
  if (!isSafeSegment(name)) {
    throw new RefusedPath(`${CHECKPOINTS}/${pointer}`, 'does not name a checkpoint folder inside the run');
  }
  return name;
}

/**
 * The best (or latest) checkpoint of the run, looked up afresh on every call since a training run may be
 * writing new ones; null when there is none yet.
 */
export function currentCheckpoint(files: ConfinedDir, which: 'best' | 'latest'): CurrentCheckpoint | null {
  // a pointer to a checkpoint folder that is not (or no longer) there falls back to latest.json's
  for (const pointer of [`${which}.json`, 'latest.json'] as const) {
    const name = pointed(files, pointer);
    const ck = name === null ? null : namedCheckpoint(files, name);
    if (ck) return ck;
  }
  return null;
}

/**
 * Checkpoint `name` of the run (a link to the explorer may name one); null when the run has no such
 * checkpoint (never written, or pruned since). A name that is not one folder of checkpoints/ is refused.
 */
export function namedCheckpoint(files: ConfinedDir, name: string): CurrentCheckpoint | null {
  if (!isSafeSegment(name)) throw new RefusedPath(`${CHECKPOINTS}/${name}`, 'not a checkpoint folder name');
  const saved = readJson(files, CHECKPOINTS, name, 'state.json') as {
    step: number;
    state: { epoch: number };
    runConfig?: Record<string, unknown>;
  } | null;
  if (saved === null) return null;
  const { weightSpecs } = readJson(files, CHECKPOINTS, name, 'weights.json') as Pick<
    CheckpointSpecs,
    'weightSpecs'
  >;
  const { step, state, runConfig } = saved;
  return { name, specs: { checkpoint: name, step, epoch: state.epoch, weightSpecs }, runConfig };
}

/** The names of the run's checkpoints (folders of checkpoints/ with a state.json), oldest first. */
export function checkpointNames(files: ConfinedDir): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(files.root, CHECKPOINTS));
  } catch {
    return []; // no checkpoints/ yet
  }
  return entries
    .filter((name) => isSafeSegment(name) && files.read(CHECKPOINTS, name, 'state.json') !== null)
    .sort();
}

/** A checkpoint whose weights hold NaN or ±∞: the explorer will not serve it. */
export class NonFiniteWeights extends Error {
  constructor(
    /** The file, relative to the run directory. */
    readonly file: string,
    readonly found: string,
  ) {
    super(`${file}: expected finite weights, found ${found}`);
  }
}

/**
 * The weights of checkpoint `name` (as currentCheckpoint named it); null when it has gone since. Weights
 * with a NaN or ±∞ are refused (NonFiniteWeights, naming the file and the value), as every reader does.
 */
export function checkpointWeights(files: ConfinedDir, ck: CurrentCheckpoint): Buffer | null {
  const bytes = files.read(CHECKPOINTS, ck.name, 'weights.bin');
  if (bytes === null) return null;
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const bad = nonFiniteWeight(buf, ck.specs.weightSpecs as tf.io.WeightsManifestEntry[]);
  if (bad) throw new NonFiniteWeights(`${CHECKPOINTS}/${ck.name}/weights.bin`, bad);
  return bytes;
}

/** A JSON-lines log of the run as written so far (empty before the first epoch ends, or for models without it). */
export function logText(files: ConfinedDir, log: 'metrics' | 'latent'): string {
  return files.read(log === 'metrics' ? 'metrics.jsonl' : 'latent.jsonl')?.toString('utf8') ?? '';
}

/**
 * The first `count` images of the run's own test set, as the model saw them (same binarisation),
 * quantised to bytes: pixel = byte / 255.
 */
export function testImageSample(
  config: RunConfig,
  count: number,
): { meta: TestImagesMeta; pixels: Uint8Array } {
  const test = loadRunDataFor(config).split.test;
  const n = Math.min(count, test.count);
  const size = imageSize(test);
  const pixels = Uint8Array.from(test.images.subarray(0, n * size), (v) => Math.round(v * 255));
  const labels = test.labels ? Array.from(test.labels.subarray(0, n)) : null;
  return { meta: { dataset: config.data.dataset, count: n, shape: test.shape, labels }, pixels };
}

/** The most lines of steps.jsonl sent to the page; a longer log is thinned evenly (its last line kept). */
export const MAX_STEP_LINES = 5000;

/** What has been read of a run's steps.jsonl: its complete lines and the bytes of a line still being written. */
interface StepsRead {
  extent: FileExtent;
  lines: string[];
  partial: Buffer;
}
const stepsRead = new WeakMap<ConfinedDir, StepsRead>();

/**
 * steps.jsonl as written so far (empty before the first step), thinned to at most MAX_STEP_LINES lines.
 * The file only grows while a run trains (a resume rewrites it as a new file), so each call reads only the
 * bytes appended since the last one: a days-long log costs its new lines, not its length.
 */
export function stepsText(files: ConfinedDir, max = MAX_STEP_LINES): string {
  const before = stepsRead.get(files) ?? null;
  const read = files.readAppended(before?.extent ?? null, 'steps.jsonl');
  if (!read) {
    stepsRead.delete(files);
    return '';
  }
  const seen: StepsRead =
    read.whole || !before ? { extent: read.extent, lines: [], partial: Buffer.alloc(0) } : before;
  const bytes = Buffer.concat([seen.partial, read.bytes]);
  const end = bytes.lastIndexOf(10) + 1; // after the last newline: complete lines before, a torn one after
  for (const line of bytes.subarray(0, end).toString('utf8').split('\n'))
    if (line !== '') seen.lines.push(line);
  seen.partial = Buffer.from(bytes.subarray(end));
  seen.extent = read.extent;
  stepsRead.set(files, seen);
  const { lines } = seen;
  const tail = seen.partial.toString('utf8');
  if (lines.length <= max) return lines.map((l) => `${l}\n`).join('') + tail;
  const stride = Math.ceil(lines.length / max);
  const kept = lines.filter((_, i) => i % stride === 0 || i === lines.length - 1);
  return `${kept.join('\n')}\n`;
}
