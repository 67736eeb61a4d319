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
  return {
    split: {
      train,
      test: binarizeDataset(raw.test, testMode, new Rng(TEST_BINARIZATION_SEED)),
      skipped: raw.skipped,
    },
    binarization: mode,
  };
}
