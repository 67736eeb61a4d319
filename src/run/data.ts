import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import { type Binarization, binarizeDataset } from '../data/binarize.js';
import { isBuiltinName } from '../data/builtin.js';
import type { Dataset } from '../data/dataset.js';
import { loadTrainingData } from '../data/load.js';
import type { TrainingSplit } from '../data/source.js';
import { isInMemory } from '../data/source.js';
import type { RunConfig } from './config.js';

/** Seed of the fixed binarisation of the test set, so every run and epoch scores the same binary digits. */
const TEST_BINARIZATION_SEED = 1234;

/**
 * The data a run trains on, with binarisation applied the way the config asks:
 * `static` / `threshold` once up front (train and test); `dynamic` per training batch in the loop,
 * against a test set binarised once with a fixed seed (the usual protocol for dynamically binarised MNIST).
 * A streamed image folder keeps its training images on disk.
 */
export function loadRunData(
  data: RunConfig['data'],
  seed: number,
): { split: TrainingSplit; binarization: Binarization; digest: () => string } {
  const raw = loadTrainingData(data.dataset, {
    image: { size: data.imageSize, channels: data.channels, skipBadFiles: data.skipBadFiles },
    stream: data.stream,
  });
  const mode = data.binarize as Binarization;
  const testMode = mode === 'dynamic' ? 'static' : mode;
  let train = raw.train;
  if (mode === 'static' || mode === 'threshold') {
    if (!isInMemory(train)) {
      throw new InputError({
        where: 'data.binarize',
        expected: 'none or dynamic for a streamed image folder (its images are never all in memory)',
        found: mode,
      });
    }
    train = binarizeDataset(train, mode, new Rng(seed));
  }
  checkSameShape(raw.train.shape, raw.test.shape, data.dataset);
  return {
    split: {
      train,
      test: binarizeDataset(raw.test, testMode, new Rng(TEST_BINARIZATION_SEED)),
      classNames: raw.classNames,
      get skipped() {
        return raw.skipped;
      },
    },
    binarization: mode,
    digest: () => dataDigest(raw),
  };
}

/**
 * Training images scored the way the test images are: a dynamically binarised run's training split is kept
 * grey (it is sampled per batch), so it is binarised once here with the test set's fixed seed; the other
 * modes are already applied.
 */
export function binarizedLikeTest(train: Dataset, data: RunConfig['data']): Dataset {
  return data.binarize === 'dynamic'
    ? binarizeDataset(train, 'static', new Rng(TEST_BINARIZATION_SEED))
    : train;
}

/**
 * The dataset as a run names it in config.json: a built-in name, or an absolute path — a relative one
 * would be read against whatever folder a later command runs in, and could find other data there.
 */
export function datasetForRun(dataset: string): string {
  return isBuiltinName(dataset) || isAbsolute(dataset) ? dataset : resolve(dataset);
}

/**
 * A fingerprint of the images before binarisation: SHA-256 of the shapes and counts, the test pixels and
 * labels, and the training pixels and labels when they are in memory (a streamed folder: its file count).
 * Stored in config.json when a run is created, so every later reader can tell that it has the same data.
 */
function dataDigest(split: TrainingSplit): string {
  const hash = createHash('sha256');
  const add = (
    ds: { shape: readonly number[]; count: number; labels?: Int32Array },
    images?: Float32Array,
  ) => {
    hash.update(`${ds.shape.join('x')}:${ds.count};`);
    if (images) hash.update(new Uint8Array(images.buffer, images.byteOffset, images.byteLength));
    if (ds.labels) hash.update(new Uint8Array(ds.labels.buffer, ds.labels.byteOffset, ds.labels.byteLength));
  };
  add(split.train, isInMemory(split.train) ? (split.train as Dataset).images : undefined);
  add(split.test, split.test.images);
  return hash.digest('hex').slice(0, 32);
}

const shapeText = (s: readonly number[]) => s.join('×');

/** Train and test images must have one size: the model is built for the training images. */
function checkSameShape(train: readonly number[], test: readonly number[], dataset: string): void {
  if (train.length !== test.length || train.some((d, i) => d !== test[i])) {
    throw new InputError({
      where: `${dataset}: test images`,
      expected: `the size of the training images (${shapeText(train)})`,
      found: shapeText(test),
    });
  }
}

/** The largest label of a split plus one (its number of classes), or undefined without labels. */
export function classCount(split: TrainingSplit): number | undefined {
  let max = -1;
  for (const labels of [split.train.labels, split.test.labels])
    for (const y of labels ?? []) if (y > max) max = y;
  return max >= 0 ? max + 1 : undefined;
}

/**
 * The data of an existing run (to resume, evaluate, encode, reconstruct): as loadRunData, and refused
 * with exit code 2 when it no longer fits the run — images of another size than config.json's
 * `inputShape`, or labels beyond its `classes`.
 */
export function loadRunDataFor(config: RunConfig): ReturnType<typeof loadRunData> {
  const loaded = withConfigNamed(() => loadRunData(config.data, config.seed));
  const shape = loaded.split.train.shape;
  if (config.inputShape) {
    const stored = config.inputShape;
    if (stored.some((d, i) => d !== shape[i])) {
      throw new InputError({
        where: `${config.data.dataset}: images`,
        expected: `the size the run was trained on (config.json inputShape ${shapeText(stored)})`,
        found: shapeText(shape),
        hint: 'the data changed since the run was created; train a new run on it',
      });
    }
  }
  const classes = classCount(loaded.split);
  if (config.classes !== undefined && classes !== undefined && classes > config.classes) {
    throw new InputError({
      where: `${config.data.dataset}: labels`,
      expected: `classes 0 … ${config.classes - 1} (config.json classes ${config.classes})`,
      found: `labels up to ${classes - 1}`,
      hint: 'the data changed since the run was created; train a new run on it',
    });
  }
  if (config.dataDigest !== undefined && loaded.digest() !== config.dataDigest) {
    throw new InputError({
      where: `config.json data.dataset (${config.data.dataset})`,
      expected: `the images the run was trained on (data digest ${config.dataDigest})`,
      found: `other images of the same size (data digest ${loaded.digest()})`,
      hint: isAbsolute(config.data.dataset)
        ? 'the files changed since the run was created; train a new run on them'
        : `the path is read from the current folder (${process.cwd()}): run the command from the folder the run was trained in`,
    });
  }
  return loaded;
}

/** Errors about the dataset itself say that its name comes from the run's config.json. */
function withConfigNamed<T>(load: () => T): T {
  try {
    return load();
  } catch (e) {
    if (e instanceof InputError && e.details.where === 'dataset')
      throw new InputError({ ...e.details, where: 'config.json data.dataset' });
    throw e;
  }
}
