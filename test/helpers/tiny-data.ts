import { loadBuiltin } from '../../src/data/builtin.js';
import { type DatasetSplit, subset } from '../../src/data/dataset.js';

/** A small slice of the built-in MNIST digits, for tests that train. */
export function tinyMnist(train = 1000, test = 200): DatasetSplit {
  const full = loadBuiltin('mnist');
  const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
  return { train: subset(full.train, range(train)), test: subset(full.test, range(test)) };
}
