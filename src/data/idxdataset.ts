/** Datasets from IDX files: an images file with an optional labels file, or an MNIST-style directory. */
import { basename, join } from 'node:path';
import { InputError } from '../core/errors.js';
import { listDir } from '../io/files.js';
import type { Dataset, DatasetSplit } from './dataset.js';
import { type IdxArray, idxTypeName, readIdx } from './idx.js';

/**
 * Images as a Dataset: dims [n, h, w] (grey) or [n, h, w, c]. Unsigned bytes are divided by 255;
 * float and double values must already lie in [0, 1].
 */
export function imagesFromIdx(arr: IdxArray, where: string): Omit<Dataset, 'name' | 'labels'> {
  const { dims, data } = arr;
  if (dims.length !== 3 && dims.length !== 4) {
    throw new InputError({
      where,
      expected: 'images with dims [n, h, w] or [n, h, w, c]',
      found: `dims [${dims}]`,
    });
  }
  const shape: [number, number, number] = [dims[1], dims[2], dims[3] ?? 1];
  const images = new Float32Array(data.length);
  if (data instanceof Uint8Array) {
    for (let i = 0; i < data.length; i++) images[i] = data[i] / 255;
  } else if (data instanceof Float32Array || data instanceof Float64Array) {
    for (let i = 0; i < data.length; i++) {
      if (!(data[i] >= 0 && data[i] <= 1)) {
        throw new InputError({
          where: `${where}: value ${i}`,
          expected: 'a value in [0, 1]',
          found: String(data[i]),
        });
      }
      images[i] = data[i];
    }
  } else {
    throw new InputError({
      where,
      expected: 'ubyte, float or double images',
      found: `${idxTypeName(data)} values`,
    });
  }
  return { shape, count: dims[0], images };
}

/** Integer class labels from a 1-d IDX array of integer type. */
export function labelsFromIdx(arr: IdxArray, where: string): Int32Array {
  if (arr.dims.length !== 1 || arr.data instanceof Float32Array || arr.data instanceof Float64Array) {
    throw new InputError({
      where,
      expected: 'a 1-d array of integer labels',
      found: `${arr.dims.length}-d ${idxTypeName(arr.data)} values`,
    });
  }
  return Int32Array.from(arr.data);
}

/** Load an images IDX file and, optionally, its labels IDX file; the counts must match. */
export function loadIdxPair(imagesPath: string, labelsPath?: string, name = basename(imagesPath)): Dataset {
  const ds: Dataset = { name, ...imagesFromIdx(readIdx(imagesPath), imagesPath) };
  if (labelsPath === undefined) return ds;
  const labels = labelsFromIdx(readIdx(labelsPath), labelsPath);
  if (labels.length !== ds.count) {
    throw new InputError({
      where: labelsPath,
      expected: `${ds.count} labels, one per image in ${imagesPath}`,
      found: `${labels.length} labels`,
    });
  }
  return { ...ds, labels };
}

/** The IDX files of an MNIST-style directory (`train-images…`, `t10k-images…` or `test-images…`). */
export interface IdxDirFiles {
  trainImages: string;
  trainLabels?: string;
  testImages: string;
  testLabels?: string;
}

/** Find the IDX files in `dir` by their conventional names, or undefined when the images are not there. */
export function findIdxFiles(dir: string): IdxDirFiles | undefined {
  const names = listDir(dir, 'a directory of IDX files');
  const find = (prefixes: string[]) => {
    const hit = names.find((n) => prefixes.some((p) => n.startsWith(p)));
    return hit && join(dir, hit);
  };
  const trainImages = find(['train-images']);
  const testImages = find(['t10k-images', 'test-images']);
  if (!trainImages || !testImages) return undefined;
  return {
    trainImages,
    testImages,
    trainLabels: find(['train-labels']),
    testLabels: find(['t10k-labels', 'test-labels']),
  };
}

/** Names of an IDX set (train-…, t10k-…, test-… images or labels) or with an IDX suffix, in `dir`. */
const IDX_NAME = /^(train|t10k|test)-(images|labels)|[.-]idx[1-4]|-ubyte(\.gz)?$/i;

/** The entries of `dir` whose names look like IDX files. */
export function idxLikeFiles(dir: string): string[] {
  return listDir(dir, 'a directory of IDX files').filter((n) => IDX_NAME.test(n));
}

/** Load the train and test sets of an MNIST-style IDX directory. */
export function loadIdxDir(dir: string, name = basename(dir)): DatasetSplit {
  const files = findIdxFiles(dir);
  if (!files) {
    const present = idxLikeFiles(dir);
    const names = listDir(dir, 'a directory of IDX files');
    const missing = [
      names.some((n) => n.startsWith('train-images')) ? '' : 'train-images…',
      names.some((n) => n.startsWith('t10k-images') || n.startsWith('test-images')) ? '' : 't10k-images…',
    ].filter(Boolean);
    throw new InputError({
      where: dir,
      expected: 'IDX files named train-images…, t10k-images… (and optionally train-labels…, t10k-labels…)',
      found: present.length ? `${present.join(', ')} but no ${missing.join(' and no ')}` : 'no such files',
    });
  }
  const train = loadIdxPair(files.trainImages, files.trainLabels, name);
  const test = loadIdxPair(files.testImages, files.testLabels, name);
  if (train.shape.some((d, i) => d !== test.shape[i])) {
    throw new InputError({
      where: files.testImages,
      expected: `images of ${train.shape.join('×')}, the size of the training images in ${basename(files.trainImages)}`,
      found: `images of ${test.shape.join('×')}`,
    });
  }
  return { train, test };
}
