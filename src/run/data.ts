import { type Binarization, binarizeDataset } from '../data/binarize.js';
import type { DatasetSplit } from '../data/dataset.js';
import { loadDataset } from '../data/load.js';
import { Rng } from '../util/random.js';
import type { RunConfig } from './config.js';

/** Seed of the fixed binarisation of the test set, so every run and epoch scores the same binary digits. */
const TEST_BINARIZATION_SEED = 1234;

/**
 * The data a run trains on, with binarisation applied the way the config asks:
 * `static` / `threshold` once up front (train and test); `dynamic` per training batch in the loop,
 * against a test set binarised once with a fixed seed (the usual protocol for dynamically binarised MNIST).
 */
export function loadRunData(
  data: RunConfig['data'],
  seed: number,
): { split: DatasetSplit; binarization: Binarization } {
  const raw = loadDataset(data.dataset, {
    image: { size: data.imageSize, channels: data.channels, skipBadFiles: data.skipBadFiles },
  });
  const mode = data.binarize as Binarization;
  const testMode = mode === 'dynamic' ? 'static' : mode;
  return {
    split: {
      skipped: raw.skipped,
      train: binarizeDataset(raw.train, mode, new Rng(seed)),
      test: binarizeDataset(raw.test, testMode, new Rng(TEST_BINARIZATION_SEED)),
    },
    binarization: mode,
  };
}
