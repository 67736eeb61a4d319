/**
 * Images that can be read by index without being in memory: an image folder decoded a batch of
 * files at a time, so datasets larger than memory train. The training loop and evaluation take
 * either a Dataset (in memory) or an ImageSource.
 */
import { type Dataset, gather } from './dataset.js';

export interface ImageSource {
  name: string;
  /** [height, width, channels] of one image. */
  shape: [number, number, number];
  count: number;
  labels?: Int32Array;
  /**
   * The images at `indices`, NHWC in [0, 1]. A source may leave out images it cannot decode
   * (image folders with skipBadFiles): `count` says how many came back.
   */
  read(indices: ArrayLike<number>): { images: Float32Array; count: number; labels?: Int32Array };
}

export type Images = Dataset | ImageSource;

export function isInMemory(src: Images): src is Dataset {
  return (src as Dataset).images !== undefined;
}

/** The images at `indices`, from memory or from disk. */
export function readImages(
  src: Images,
  indices: ArrayLike<number>,
): { images: Float32Array; count: number; labels?: Int32Array } {
  if (isInMemory(src)) return { ...gather(src, indices), count: indices.length };
  return src.read(indices);
}

/** What training needs: training images in memory or read from disk, and an in-memory test set. */
export interface TrainingSplit {
  train: Dataset | ImageSource;
  test: Dataset;
  /**
   * Files left out because they could not be decoded (image folders with skipBadFiles). A streamed
   * folder meets its bad training files only as their batches are read, so this list grows during training.
   */
  readonly skipped?: string[];
  /** What label k means, where the data names its classes (image folders' class folders, the built-ins). */
  readonly classNames?: string[];
}
