/** The in-memory dataset type shared by the whole library, and helpers to slice and split it. */
import { InputError } from '../core/errors.js';
import { Rng } from '../core/random.js';

/** Images in [0, 1], NHWC, with optional integer class labels. */
export interface Dataset {
  name: string;
  /** [height, width, channels] of one image. */
  shape: [number, number, number];
  count: number;
  /** count·h·w·c values in [0, 1], image after image, each row-major with channels last. */
  images: Float32Array;
  labels?: Int32Array;
}

export interface DatasetSplit {
  train: Dataset;
  test: Dataset;
  /** Files left out because they could not be decoded (image folders with skipBadFiles). */
  skipped?: string[];
  /** What label k means, where the data names its classes (image folders' class folders, the built-ins). */
  classNames?: string[];
}

/**
 * The most bytes a dataset decoded into memory may take: 2 GiB, counted as the float32 images it becomes
 * (4 bytes a value) plus what its reader holds at once. Image folders and IDX files share it; a larger
 * image folder can be streamed (`--stream`).
 */
export const DECODED_DATA_LIMIT = 2 * 1024 ** 3;

const GiB = 1024 ** 3;

/**
 * Refuses, before it is decoded, data that would take `bytes` in memory when that is over
 * DECODED_DATA_LIMIT: an InputError naming `where`, the computed size (`what` it is made of) and the limit
 * for `kind` (e.g. 'images').
 */
export function checkDecodedBytes(
  where: string,
  bytes: number,
  kind: string,
  what: string,
  hint: string,
): void {
  if (bytes <= DECODED_DATA_LIMIT) return;
  throw new InputError({
    where,
    expected: `at most ${DECODED_DATA_LIMIT / GiB} GiB of decoded ${kind} in memory (${DECODED_DATA_LIMIT} bytes)`,
    found: `${what}: ${(bytes / GiB).toFixed(1)} GiB (${bytes} bytes)`,
    hint,
  });
}

/** Number of values in one image (h·w·c). */
export function imageSize(ds: Pick<Dataset, 'shape'>): number {
  return ds.shape[0] * ds.shape[1] * ds.shape[2];
}

/** Copies of the images (and labels) at `indices`, in that order. */
export function gather(
  ds: Dataset,
  indices: ArrayLike<number>,
): { images: Float32Array; labels?: Int32Array } {
  const size = imageSize(ds);
  const images = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!Number.isInteger(j) || j < 0 || j >= ds.count) {
      throw new RangeError(`index ${j} outside 0..${ds.count - 1}`);
    }
    images.set(ds.images.subarray(j * size, (j + 1) * size), i * size);
  }
  const labels = ds.labels && Int32Array.from(indices, (j) => ds.labels![j]);
  return { images, labels };
}

/** A new dataset holding the images (and labels) at `indices`, in that order. */
export function subset(ds: Dataset, indices: ArrayLike<number>, name = ds.name): Dataset {
  return { name, shape: [...ds.shape], count: indices.length, ...gather(ds, indices) };
}

/** The first `n` images of `ds` (all of them, the same object, when it has no more than n). */
export function firstOf(ds: Dataset, n: number): Dataset {
  return n < ds.count
    ? subset(
        ds,
        Int32Array.from({ length: n }, (_, i) => i),
      )
    : ds;
}

/**
 * Split 0..count-1 into train and test index sets by a permutation drawn from `new Rng(seed)`:
 * the first round(count·testFraction) permuted indices are the test set.
 */
export function splitIndices(
  count: number,
  testFraction: number,
  seed = 0,
): { train: Int32Array; test: Int32Array } {
  if (!(testFraction >= 0 && testFraction < 1)) {
    throw new InputError({
      where: 'testFraction',
      expected: 'a number in [0, 1)',
      found: String(testFraction),
    });
  }
  const perm = new Rng(seed).permutation(count);
  const nTest = Math.round(count * testFraction);
  return { train: perm.slice(nTest), test: perm.slice(0, nTest) };
}

/** Split a dataset into train and test with `splitIndices` (a fixed seed gives a fixed split). */
export function splitDataset(ds: Dataset, testFraction: number, seed = 0): DatasetSplit {
  const { train, test } = splitIndices(ds.count, testFraction, seed);
  return { train: subset(ds, train), test: subset(ds, test) };
}
