/** PNG encoding of image grids (for samples and reconstructions) and guarded PNG decoding (pngjs). */
import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { InputError } from '../core/errors.js';
import { writeFileAtomic } from './atomic.js';

export interface GridOptions {
  /** Images per row (default ceil(sqrt(count))). */
  cols?: number;
  /** Pixels of background between and around images, before scaling (default 2). */
  padding?: number;
  /** Integer upscaling factor, nearest-neighbour (default 1). */
  scale?: number;
  /** Grey level of the background in [0, 1] (default 0.5, visible against black and white images). */
  background?: number;
}

const to8bit = (v: number) => (v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0);

/**
 * Encode `count` images (NHWC values, clipped to [0, 1]) as one PNG grid: greyscale for c = 1, RGB for c = 3.
 */
export function encodeImageGrid(
  images: Float32Array,
  count: number,
  shape: readonly [number, number, number],
  opts: GridOptions = {},
): Buffer {
  const [h, w, c] = shape;
  if (c !== 1 && c !== 3)
    throw new InputError({ where: 'shape', expected: '1 or 3 channels', found: `${c}` });
  if (images.length < count * h * w * c) {
    throw new InputError({
      where: 'images',
      expected: `${count * h * w * c} values`,
      found: `${images.length}`,
    });
  }
  const cols = Math.max(1, Math.min(opts.cols ?? Math.ceil(Math.sqrt(count)), count));
  const rows = Math.max(1, Math.ceil(count / cols));
  const pad = opts.padding ?? 2;
  const s = Math.max(1, Math.floor(opts.scale ?? 1));
  const cellW = w * s + pad;
  const cellH = h * s + pad;
  const width = cols * cellW + pad;
  const height = rows * cellH + pad;
  const out = Buffer.alloc(width * height * c, to8bit(opts.background ?? 0.5));
  for (let n = 0; n < count; n++) {
    const x0 = pad + (n % cols) * cellW;
    const y0 = pad + Math.floor(n / cols) * cellH;
    for (let y = 0; y < h * s; y++) {
      for (let x = 0; x < w * s; x++) {
        const src = ((n * h + Math.floor(y / s)) * w + Math.floor(x / s)) * c;
        const dst = ((y0 + y) * width + x0 + x) * c;
        for (let k = 0; k < c; k++) out[dst + k] = to8bit(images[src + k]);
      }
    }
  }
  const colorType = c === 1 ? 0 : 2;
  const png = new PNG({ width, height });
  png.data = out;
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: false });
}

/** Encode an image grid and write it atomically to `path`. */
export function writeImageGrid(
  path: string,
  images: Float32Array,
  count: number,
  shape: readonly [number, number, number],
  opts: GridOptions = {},
): void {
  writeFileAtomic(path, encodeImageGrid(images, count, shape, opts));
}

/** A decoded PNG: 8-bit RGBA, row-major. */
export interface DecodedPng {
  width: number;
  height: number;
  data: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Refuse images above this many pixels before decoding, so a forged header cannot exhaust memory. */
export const MAX_PNG_PIXELS = 1 << 26;

/** Decode PNG bytes to 8-bit RGBA; anything malformed is an InputError naming `where`. */
export function decodePng(buf: Uint8Array, where: string): DecodedPng {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(SIGNATURE)) {
    throw new InputError({
      where,
      expected: 'a PNG file (signature 89 50 4e 47 0d 0a 1a 0a)',
      found: 'other bytes',
    });
  }
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  if (width === 0 || height === 0) {
    throw new InputError({ where, expected: 'an image of at least 1×1 pixel', found: `${width}×${height}` });
  }
  if (width * height > MAX_PNG_PIXELS) {
    throw new InputError({
      where,
      expected: `at most ${MAX_PNG_PIXELS} pixels`,
      found: `${width}×${height}`,
    });
  }
  checkInterlacedSize(bytes, where, width, height);
  try {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: png.data };
  } catch (e) {
    throw new InputError({ where, expected: 'a whole, valid PNG image', found: pngProblem(e) }, { cause: e });
  }
}

/** What went wrong, in words, for an error of pngjs (or of zlib inside it): never pngjs's own wording. */
const PNG_PROBLEMS: [RegExp, string][] = [
  [
    /read requests|end of input|ran out of data|unexpected end|buffer error/i,
    'not a whole PNG: the file ends before its image data does (cut short?)',
  ],
  [/crc/i, 'not a whole PNG: a chunk whose checksum (CRC) does not match its bytes (damaged)'],
  [/extra data|content at end/i, 'not a whole PNG: more image data than its size holds (damaged)'],
  [
    /bit depth|color ?type|compression method|filter method|interlace method/i,
    'a PNG of a kind that cannot be read (unsupported header values)',
  ],
  [
    /critical chunk|IHDR|palette|transparen/i,
    'not a whole PNG: its chunks are missing or out of order (damaged)',
  ],
  [
    /inflate|incorrect|invalid|filter type|zlib|header check|distance|code/i,
    'not a whole PNG: its compressed image data is damaged',
  ],
];

function pngProblem(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return (
    PNG_PROBLEMS.find(([re]) => re.test(message))?.[1] ??
    'not a whole PNG: its data does not decode (damaged)'
  );
}

/** Channels per pixel of each PNG colour type. */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7's passes: x0, y0, dx, dy. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/**
 * pngjs inflates the image data of an interlaced PNG with no bound (the plain kind it stops at the
 * image's size): inflate it here first, only as far as the bytes its header implies — a small
 * interlaced PNG whose data would inflate to gigabytes is refused at that size.
 */
function checkInterlacedSize(bytes: Buffer, where: string, width: number, height: number): void {
  if (bytes.length < 29 || bytes[28] !== 1) return; // IHDR's interlace method: 1 = Adam7
  const bits = bytes[24] * (PNG_CHANNELS[bytes[25]] ?? 0);
  if (bits === 0) return; // pngjs names what is wrong
  let expected = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const w = Math.ceil((width - x0) / dx);
    const h = Math.ceil((height - y0) / dy);
    if (w > 0 && h > 0) expected += h * (1 + Math.ceil((w * bits) / 8));
  }
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') idat.push(bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length)));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  try {
    inflateSync(Buffer.concat(idat), { maxOutputLength: Math.max(1, expected) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') return; // pngjs names what is wrong
    throw new InputError(
      {
        where,
        expected: `image data inflating to ${expected} bytes for an interlaced ${width}×${height} image`,
        found: 'more: inflating stopped there',
      },
      { cause: e },
    );
  }
}
