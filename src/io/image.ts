import jpeg from 'jpeg-js';
import { InputError } from '../core/errors.js';
import { type DecodedPng, decodePng, MAX_PNG_PIXELS } from './png.js';

export type DecodedImage = DecodedPng;

const isJpeg = (b: Uint8Array) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Decode JPEG bytes to 8-bit RGBA (pure-JS jpeg-js); anything malformed is an InputError naming `where`. */
export function decodeJpeg(buf: Uint8Array, where: string): DecodedImage {
  try {
    const img = jpeg.decode(buf, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_PNG_PIXELS / 1e6,
      maxMemoryUsageInMB: 1024,
    });
    if (img.width > 0 && img.height > 0) return { width: img.width, height: img.height, data: img.data };
    throw new Error(`an image of ${img.width}×${img.height} pixels`);
  } catch (e) {
    throw new InputError(
      { where, expected: 'a valid JPEG image', found: (e as Error).message },
      { cause: e },
    );
  }
}

/** Decode a PNG or JPEG image, told apart by its first bytes (not its file name). */
export function decodeImage(buf: Uint8Array, where: string): DecodedImage {
  return isJpeg(buf) ? decodeJpeg(buf, where) : decodePng(buf, where);
}
