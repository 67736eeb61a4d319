/**
 * One entry point for "the dataset the user named": a built-in name, an MNIST-style IDX directory,
 * a single IDX images file, or (given image options) a folder of PNG images.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../core/errors.js';
import { statPath } from '../io/files.js';
import { isBuiltinName, loadBuiltin } from './builtin.js';
import { type DatasetSplit, splitDataset } from './dataset.js';
import { findIdxFiles, idxLikeFiles, loadIdxDir, loadIdxPairToSplit } from './idxdataset.js';
import { type ImageFolderOptions, loadImageFolder, openImageFolderSplit } from './imagefolder.js';
import type { TrainingSplit } from './source.js';

export interface LoadOptions {
  /** Where fashion-mnist's IDX files are (default /usr/share/datasets/fashion-mnist). */
  dir?: string;
  /** How to read a directory that holds images rather than IDX files. */
  image?: ImageFolderOptions;
}

/** Share of a lone IDX file that becomes the test set, split with seed 0 like the mnist built-in. */
const LONE_FILE_TEST_FRACTION = 0.1;

/**
 * Load a dataset by name or path:
 * - `mnist`, `fashion-mnist`: the built-ins;
 * - a directory with `train-images…` and `t10k-images…` IDX files (labels optional): its own split;
 * - a directory of images (with `opts.image`): see `loadImageFolder`;
 * - a `train-images…` file: its directory; any other IDX images file: split 90/10 with seed 0,
 *   with labels from the sibling file named with `labels` for `images` (and `idx1` for `idx3`), if any.
 */
export function loadDataset(spec: string, opts: LoadOptions = {}): DatasetSplit {
  if (isBuiltinName(spec)) return loadBuiltin(spec, opts);
  const stat = statPath(spec, 'a dataset file or folder');
  if (!stat) {
    throw new InputError({
      where: 'dataset',
      expected: "'mnist', 'fashion-mnist', an IDX file or directory, or an image folder",
      found: JSON.stringify(spec),
    });
  }
  if (stat.isDirectory()) {
    // a folder of IDX files (even an incomplete one) is read as IDX, so a missing file is named as such
    if (findIdxFiles(spec) || !opts.image || idxLikeFiles(spec).length > 0) return loadIdxDir(spec);
    return loadImageFolder(spec, opts.image);
  }
  const name = basename(spec);
  if (name.startsWith('train-images')) return loadIdxDir(dirname(spec));
  const labels = join(dirname(spec), name.replace('images', 'labels').replace(/idx[34]/, 'idx1'));
  const ds = loadIdxPairToSplit(spec, labels !== spec && existsSync(labels) ? labels : undefined);
  return splitDataset(ds, LONE_FILE_TEST_FRACTION);
}

/** Whether `spec` names a folder of images (not a built-in, not IDX files): what the image options apply to. */
export function isImageFolder(spec: string): boolean {
  return (
    !isBuiltinName(spec) &&
    statPath(spec, 'a dataset file or folder')?.isDirectory() === true &&
    !findIdxFiles(spec) &&
    idxLikeFiles(spec).length === 0
  );
}

/**
 * Like loadDataset, but an image folder opened with `stream` keeps its training images on disk
 * (read a batch at a time); everything else is loaded into memory.
 */
export function loadTrainingData(spec: string, opts: LoadOptions & { stream?: boolean } = {}): TrainingSplit {
  if (opts.stream && opts.image && isImageFolder(spec)) {
    const split = openImageFolderSplit(spec, opts.image);
    // bad training files are only met (and skipped) as their batches are read: `skipped` grows as training goes
    return {
      train: split.train,
      test: split.test,
      classNames: split.classNames,
      get skipped() {
        return [...split.skipped];
      },
    };
  }
  return loadDataset(spec, opts);
}
