import { InputError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import { type Binarization, binarizeDataset } from '../data/binarize.js';
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
): { split: TrainingSplit; binarization: Binarization } {
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
      get skipped() {
        return raw.skipped;
      },
    },
    binarization: mode,
  };
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
  const loaded = loadRunData(config.data, config.seed);
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
  return loaded;
}
