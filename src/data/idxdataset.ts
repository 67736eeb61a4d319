/** Datasets from IDX files: an images file with an optional labels file, or an MNIST-style directory. */
import { basename, join } from 'node:path';
import { InputError } from '../core/errors.js';
import { listDir } from '../io/files.js';
import { checkDecodedBytes, type Dataset, type DatasetSplit } from './dataset.js';
import { type IdxArray, type IdxDeclared, idxTypeName, readIdxChecked } from './idx.js';

/**
 * Images as a Dataset: dims [n, h, w] (grey) or [n, h, w, c]. Unsigned bytes are divided by 255;
 * float and double values must already lie in [0, 1] (float values are used as they are, not copied).
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
  // float values are already the Float32Array the images become (decoded from the file): no copy
  const images = data instanceof Float32Array ? data : new Float32Array(data.length);
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

/** Value types an images file may hold, and how many bytes its reader holds beside the float32 images. */
const IMAGE_TYPES: Record<string, (count: number) => number> = {
  ubyte: () => 0, // a view of the file's bytes
  float: () => 0, // decoded into the Float32Array the images are
  double: (count) => 8 * count,
};

/**
 * Bytes an IDX file takes in memory as it is read into a dataset: the float32 images it becomes (4 bytes
 * a value; labels: the Int32Array) plus what the reader holds at once — the compressed file (gzip), the
 * file's bytes (header and values, inflated into one buffer), and a decoded copy of wider values.
 */
export function idxDatasetBytes(d: IdxDeclared, role: 'images' | 'labels'): number {
  const compressed = d.gzip ? d.fileBytes : 0;
  const decoded =
    role === 'images' ? (IMAGE_TYPES[d.type]?.(d.count) ?? 0) : d.valueBytes > 1 ? d.valueBytes * d.count : 0;
  return 4 * d.count + d.rawBytes + compressed + decoded;
}

/** Options of `loadPair`: bytes of data already held, and float32 copies of the images made afterwards. */
interface PairOptions {
  held?: number;
  /** Float32 copies the caller makes of the images (and Int32 of the labels) after reading: 1 for a split. */
  copies?: number;
}

/**
 * loadIdxPair, with each file's memory bounded from its declared header before its data is read: the
 * images (and labels) must fit DECODED_DATA_LIMIT with the `held` bytes, and the labels must be one
 * per image, else an InputError naming the file before any of it is read.
 */
function loadPair(
  imagesPath: string,
  labelsPath: string | undefined,
  name: string,
  opts: PairOptions = {},
): Dataset {
  const held = opts.held ?? 0;
  const copies = opts.copies ?? 0;
  let imagesBytes = 0;
  const arr = readIdxChecked(imagesPath, (d) => {
    if (d.dims.length !== 3 && d.dims.length !== 4) {
      throw new InputError({
        where: imagesPath,
        expected: 'images with dims [n, h, w] or [n, h, w, c]',
        found: `dims [${d.dims}]`,
      });
    }
    if (!(d.type in IMAGE_TYPES)) {
      throw new InputError({
        where: imagesPath,
        expected: 'ubyte, float or double images',
        found: `${d.type} values`,
      });
    }
    imagesBytes = idxDatasetBytes(d, 'images') + copies * 4 * d.count;
    checkDecodedBytes(imagesPath, held + imagesBytes, 'images', declaredWhat(d, held, copies), IDX_HINT);
  });
  const ds: Dataset = { name, ...imagesFromIdx(arr, imagesPath) };
  if (labelsPath === undefined) return ds;
  const heldNow = held + 4 * ds.images.length * (1 + copies);
  const labels = labelsFromIdx(
    readIdxChecked(labelsPath, (d) => {
      if (d.dims.length === 1 && d.count !== ds.count)
        throw labelCountError(labelsPath, imagesPath, ds.count, d.count);
      checkDecodedBytes(
        labelsPath,
        heldNow + idxDatasetBytes(d, 'labels') + copies * 4 * d.count,
        'images and labels',
        declaredWhat(d, heldNow, copies),
        IDX_HINT,
      );
    }),
    labelsPath,
  );
  if (labels.length !== ds.count) throw labelCountError(labelsPath, imagesPath, ds.count, labels.length);
  return { ...ds, labels };
}

const IDX_HINT =
  'use fewer or smaller images (split the file), or decompress a gzip file (it is then not held twice)';

/** How a declared size is made up, for a message: "60000×28×28 ubyte values (gzip) …". */
function declaredWhat(d: IdxDeclared, held: number, copies: number): string {
  const parts = [`${d.dims.join('×')} ${d.type} values declared by the header${d.gzip ? ' (gzip)' : ''}`];
  parts.push(
    `counted as float32 (4 bytes a value)${copies ? ` ×${1 + copies} (split into train and test)` : ''} plus the ${d.rawBytes} bytes read${d.gzip ? ` and the ${d.fileBytes} compressed` : ''}`,
  );
  if (held > 0) parts.push(`beside ${held} bytes of data already read`);
  return parts.join(', ');
}

function labelCountError(
  labelsPath: string,
  imagesPath: string,
  expected: number,
  found: number,
): InputError {
  return new InputError({
    where: labelsPath,
    expected: `${expected} labels, one per image in ${imagesPath}`,
    found: `${found} labels`,
  });
}

/** Load an images IDX file and, optionally, its labels IDX file; the counts must match. */
export function loadIdxPair(imagesPath: string, labelsPath?: string, name = basename(imagesPath)): Dataset {
  return loadPair(imagesPath, labelsPath, name);
}

/** loadIdxPair for a lone file that is then split in two (the split copies it): its memory counts that. */
export function loadIdxPairToSplit(imagesPath: string, labelsPath?: string): Dataset {
  return loadPair(imagesPath, labelsPath, basename(imagesPath), { copies: 1 });
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
  const train = loadPair(files.trainImages, files.trainLabels, name);
  const held = 4 * (train.images.length + (train.labels?.length ?? 0));
  const test = loadPair(files.testImages, files.testLabels, name, { held });
  if (train.shape.some((d, i) => d !== test.shape[i])) {
    throw new InputError({
      where: files.testImages,
      expected: `images of ${train.shape.join('×')}, the size of the training images in ${basename(files.trainImages)}`,
      found: `images of ${test.shape.join('×')}`,
    });
  }
  return { train, test };
}
