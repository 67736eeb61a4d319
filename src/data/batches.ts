/**
 * Mini-batches over a Dataset, reshuffled every epoch.
 *
 * Resuming mid-epoch: save `epochStart = rng.state` before `epochPermutation`, and after each batch
 * save (epoch, next batch index, epochStart, rng.state). To resume, rebuild the permutation with
 * `epochPermutation(count, Rng.fromState(epochStart))` and call `epochBatches(ds, perm, batchSize,
 * nextBatch, Rng.fromState(state), opts)`: it yields exactly the batches the interrupted run would have.
 */
import { InputError } from '../core/errors.js';
import type { Rng } from '../core/random.js';
import { type Binarization, bernoulliSample } from './binarize.js';
import type { Dataset } from './dataset.js';
import { type Images, readImages } from './source.js';

export interface ImageBatch {
  /** size·h·w·c values, NHWC. */
  x: Float32Array;
  size: number;
  /** Dataset index of each image in the batch. */
  indices: Int32Array;
  labels?: Int32Array;
}

export interface EpochOptions {
  /** Drop the final batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Only `dynamic` acts here (a fresh sample per batch); apply `static`/`threshold` with `binarizeDataset`. */
  binarization?: Binarization;
}

/** Number of batches in one epoch. */
export function batchCount(count: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

/** The order of one epoch: a permutation drawn from `rng`, or 0..count-1 when `shuffle` is false. */
export function epochPermutation(count: number, rng: Rng, shuffle = true): Int32Array {
  return shuffle ? rng.permutation(count) : Int32Array.from({ length: count }, (_, i) => i);
}

/**
 * The batches of one epoch in the order `perm`, starting at batch `startBatch`.
 * `rng` is used only for dynamic binarisation. Arguments are checked when called, not when iterated.
 */
export function epochBatches(
  ds: Images,
  perm: Int32Array,
  batchSize: number,
  startBatch: number,
  rng: Rng,
  opts: EpochOptions = {},
): Generator<ImageBatch> {
  checkBatchSize(batchSize, ds.count);
  if (perm.length !== ds.count) throw new RangeError(`permutation of ${perm.length} for ${ds.count} images`);
  const n = batchCount(ds.count, batchSize, opts.dropLast);
  if (!Number.isInteger(startBatch) || startBatch < 0 || startBatch > n) {
    throw new InputError({
      where: 'startBatch',
      expected: `an integer in 0..${n}`,
      found: String(startBatch),
    });
  }
  return (function* () {
    for (let b = startBatch; b < n; b++) {
      const indices = perm.slice(b * batchSize, Math.min((b + 1) * batchSize, ds.count));
      const { images: x, count, labels } = readImages(ds, indices);
      if (opts.binarization === 'dynamic') bernoulliSample(x, rng, x);
      yield { x, size: count, indices, labels };
    }
  })();
}

/** One epoch of batches: shuffled by `rng` (default), dynamic binarisation drawn from `rng` too. */
export function batches(
  ds: Dataset,
  batchSize: number,
  rng: Rng,
  opts: EpochOptions & { shuffle?: boolean } = {},
): Generator<ImageBatch> {
  checkBatchSize(batchSize, ds.count);
  return epochBatches(ds, epochPermutation(ds.count, rng, opts.shuffle ?? true), batchSize, 0, rng, opts);
}

function checkBatchSize(batchSize: number, count: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > count) {
    throw new InputError({
      where: 'batchSize',
      expected: `an integer from 1 to the dataset size (${count})`,
      found: String(batchSize),
    });
  }
}
