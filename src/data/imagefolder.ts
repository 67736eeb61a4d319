/**
 * Datasets from a folder of PNG images: either images directly in the folder (no labels), or one
 * subfolder per class (labels = index of the class in the sorted subfolder names). Every image is
 * centre-cropped to a square and resized (see `resize.ts`) to size×size, grey or RGB.
 * PNG and JPEG files are decoded (told apart by their first bytes).
 */

import type { Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../core/errors.js';
import { checkRegularFile, listDir, MAX_IMAGE_FILE_BYTES, readInputFile, statPath } from '../io/files.js';
import { decodeImage } from '../io/image.js';
import type { ImageBatch } from './batches.js';
import { checkDecodedBytes, type Dataset, type DatasetSplit, splitDataset, splitIndices } from './dataset.js';
import { cropResize } from './resize.js';
import type { ImageSource } from './source.js';

export interface ImageFolderOptions {
  /** Side of the square output images, in pixels. */
  size: number;
  /** 1 for grey, 3 for RGB (default 3). */
  channels?: 1 | 3;
  /** Skip files that cannot be decoded (recorded in `skipped`) instead of failing. */
  skipBadFiles?: boolean;
}

/** An image folder read lazily, a batch of files at a time, for datasets larger than memory. */
export interface ImageFolderSource {
  name: string;
  files: string[];
  labels?: Int32Array;
  classNames?: string[];
  count: number;
  shape: [number, number, number];
  /** Files skipped so far because they could not be decoded (with `skipBadFiles`). */
  skipped: Set<string>;
  /** Decode the files at `indices`; with `skipBadFiles` the batch omits undecodable ones. */
  readBatch(indices: ArrayLike<number>): ImageBatch;
}

const IMAGE = /\.(png|jpe?g)$/i;
const IMAGE_FILE = 'a readable image file';

/** Refuses to decode `count` images of `source` into memory when they would take more than DECODED_DATA_LIMIT. */
function checkDecodedSize(root: string, source: ImageFolderSource, count: number, what: string): void {
  checkDecodedBytes(
    root,
    4 * count * source.shape[0] * source.shape[1] * source.shape[2],
    what,
    `${count} images of ${source.shape.join('×')} as float32`,
    'use a smaller --image-size, --channels 1, or --stream (training images read a batch at a time)',
  );
}

const visible = (dir: string) => listDir(dir, 'a readable image folder').filter((n) => !n.startsWith('.'));

/**
 * The image files of `root` and, when it has class subfolders, their labels and the class names. An entry
 * that cannot be looked at (a loop of symbolic links, no permission), or an image name that is not a
 * regular file (a FIFO, a link to /dev/zero, a folder named *.png) or is larger than MAX_IMAGE_FILE_BYTES,
 * is an InputError naming it, or with `skip` is left out and added to `skip`. (Each file is checked
 * again when it is opened to be read.)
 */
function scanFolder(
  root: string,
  skip?: Set<string>,
): { files: string[]; labels?: Int32Array; classNames?: string[] } {
  /** The stat of `path` (undefined: nothing there), or null when it cannot be looked at (and is skipped). */
  const look = (path: string) => {
    try {
      return statPath(path, 'a readable image file or class folder');
    } catch (e) {
      if (!skip) throw e;
      skip.add(path);
      return null;
    }
  };
  /** True for an image name that is a regular file of a readable size; false (skipped) or throws otherwise. */
  const isImageFile = (path: string, st: Stats | undefined) => {
    try {
      checkRegularFile(path, st, IMAGE_FILE, MAX_IMAGE_FILE_BYTES);
      return true;
    } catch (e) {
      if (!skip) throw e;
      skip.add(path);
      return false;
    }
  };
  const entries = visible(root).flatMap((n) => {
    const path = join(root, n);
    const st = look(path);
    return st === null ? [] : [{ path, st }];
  });
  const imagesIn = (list: { path: string; st: Stats | undefined }[]) =>
    list
      .filter(({ path, st }) => IMAGE.test(path) && !st?.isDirectory() && isImageFile(path, st))
      .map((e) => e.path);
  const topImages = imagesIn(entries);
  const classDirs = entries.filter((e) => e.st?.isDirectory()).map((e) => e.path);
  const classFiles = classDirs.map((d) =>
    imagesIn(
      visible(d).flatMap((n) => {
        const path = join(d, n);
        const st = IMAGE.test(n) ? look(path) : null;
        return st === null ? [] : [{ path, st }];
      }),
    ),
  );
  if (topImages.length > 0 && classFiles.some((f) => f.length > 0)) {
    throw new InputError({
      where: root,
      expected: 'either image files or one subfolder of images per class',
      found: 'both image files and subfolders with images',
    });
  }
  const result =
    topImages.length > 0
      ? { files: topImages }
      : {
          files: classFiles.flat(),
          labels: Int32Array.from(classFiles.flatMap((f, label) => f.map(() => label))),
          classNames: classDirs.map((d) => basename(d)),
        };
  if (result.files.length === 0) {
    throw new InputError({
      where: root,
      expected: 'PNG or JPEG images (or subfolders of them)',
      found: 'no image files',
    });
  }
  return result;
}

function checkOptions(opts: ImageFolderOptions): void {
  if (!Number.isInteger(opts.size) || opts.size < 1 || opts.size > 4096) {
    throw new InputError({
      where: '--image-size',
      expected: 'an integer from 1 to 4096',
      found: String(opts.size),
    });
  }
  if (opts.channels !== undefined && opts.channels !== 1 && opts.channels !== 3) {
    throw new InputError({ where: '--channels', expected: '1 or 3', found: String(opts.channels) });
  }
}

/** Open an image folder without decoding anything yet. */
export function openImageFolder(root: string, opts: ImageFolderOptions): ImageFolderSource {
  checkOptions(opts);
  const skipped = new Set<string>();
  const { files, labels, classNames } = scanFolder(root, opts.skipBadFiles ? skipped : undefined);
  const channels = opts.channels ?? 3;
  const imageSize = opts.size * opts.size * channels;
  const readBatch = (indices: ArrayLike<number>): ImageBatch => {
    const x = new Float32Array(indices.length * imageSize);
    const kept: number[] = [];
    for (let i = 0; i < indices.length; i++) {
      const path = files[indices[i]];
      if (path === undefined)
        throw new RangeError(`image index ${indices[i]} outside 0..${files.length - 1}`);
      try {
        cropResize(
          decodeImage(readInputFile(path, IMAGE_FILE, MAX_IMAGE_FILE_BYTES), path),
          opts.size,
          channels,
          x,
          kept.length * imageSize,
        );
      } catch (e) {
        if (!(opts.skipBadFiles && e instanceof InputError)) throw e;
        skipped.add(path);
        continue;
      }
      kept.push(indices[i]);
    }
    const keptIndices = Int32Array.from(kept);
    return {
      x: kept.length === indices.length ? x : x.slice(0, kept.length * imageSize),
      size: kept.length,
      indices: keptIndices,
      labels: labels && keptIndices.map((j) => labels[j]),
    };
  };
  return {
    name: basename(root),
    files,
    labels,
    classNames,
    count: files.length,
    shape: [opts.size, opts.size, channels],
    skipped,
    readBatch,
  };
}

/**
 * Decode a whole image folder into memory and split it into train and test by a permutation
 * from `seed` (default 0), `testFraction` (default 0.1) of the images going to test.
 */
export function loadImageFolder(
  root: string,
  opts: ImageFolderOptions & { testFraction?: number; seed?: number },
): DatasetSplit & { classNames?: string[]; skipped: string[] } {
  const source = openImageFolder(root, opts);
  checkDecodedSize(root, source, source.count, 'images');
  const batch = source.readBatch(Int32Array.from(source.files.keys()));
  if (batch.size === 0) {
    throw new InputError({
      where: root,
      expected: 'at least one decodable image',
      found: `${source.skipped.size} bad files`,
    });
  }
  const ds = {
    name: source.name,
    shape: source.shape,
    count: batch.size,
    images: batch.x,
    labels: batch.labels,
  };
  return {
    ...splitDataset(ds, opts.testFraction ?? 0.1, opts.seed ?? 0),
    classNames: source.classNames,
    skipped: [...source.skipped],
  };
}

/**
 * An image folder split into train and test (seeded permutation, as loadImageFolder) where only the
 * test images are decoded now: the training images are read from disk a batch at a time, so a folder
 * larger than memory trains. Files that fail to decode are skipped or reported as they are met.
 */
export function openImageFolderSplit(
  root: string,
  opts: ImageFolderOptions & { testFraction?: number; seed?: number },
): { train: ImageSource; test: Dataset; classNames?: string[]; skipped: Set<string> } {
  const source = openImageFolder(root, opts);
  const { train, test } = splitIndices(source.count, opts.testFraction ?? 0.1, opts.seed ?? 0);
  checkDecodedSize(root, source, test.length, 'test images');
  const t = source.readBatch(test);
  const read = (idx: ArrayLike<number>) => {
    const b = source.readBatch(Array.from(idx, (i) => train[i]));
    return { images: b.x, count: b.size, labels: b.labels };
  };
  return {
    train: {
      name: source.name,
      shape: source.shape,
      count: train.length,
      labels: source.labels && train.map((j) => source.labels![j]),
      read,
    },
    test: { name: source.name, shape: source.shape, count: t.size, images: t.x, labels: t.labels },
    classNames: source.classNames,
    skipped: source.skipped,
  };
}
