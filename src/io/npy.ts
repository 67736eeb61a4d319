/**
 * NumPy `.npy` files (format 1.0 written; 1.0–3.0 read): C-order arrays of float32 (`<f4`),
 * int32 (`<i4`) or uint8 (`|u1`). Assumes a little-endian host, as every platform Node supports is.
 */

import { InputError } from '../core/errors.js';
import { writeFileAtomic } from './atomic.js';
import { readInputFile } from './files.js';

export type NpyData = Float32Array | Int32Array | Uint8Array;

export interface NpyArray {
  shape: number[];
  data: NpyData;
}

const MAGIC = '\x93NUMPY';

const DTYPES = [
  {
    descr: '<f4',
    size: 4,
    make: (b: ArrayBuffer) => new Float32Array(b),
    is: (d: NpyData) => d instanceof Float32Array,
  },
  {
    descr: '<i4',
    size: 4,
    make: (b: ArrayBuffer) => new Int32Array(b),
    is: (d: NpyData) => d instanceof Int32Array,
  },
  {
    descr: '|u1',
    size: 1,
    make: (b: ArrayBuffer) => new Uint8Array(b),
    is: (d: NpyData) => d instanceof Uint8Array,
  },
];

type Fail = (part: string, expected: string, found: string) => InputError;

/** Encode as `.npy` version 1.0, header padded so the data starts at a multiple of 64 bytes. */
export function encodeNpy(arr: NpyArray): Buffer {
  const dtype = DTYPES.find((t) => t.is(arr.data))!;
  if (arr.shape.reduce((a, b) => a * b, 1) !== arr.data.length) {
    throw new RangeError(`encodeNpy: shape [${arr.shape}] does not fit ${arr.data.length} values`);
  }
  const shape = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  const dict = `{'descr': '${dtype.descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const headerLength = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
  const header = Buffer.alloc(10 + headerLength, ' ');
  header.write(MAGIC, 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(headerLength, 8);
  header.write(dict, 10, 'latin1');
  header[header.length - 1] = 0x0a;
  const data = arr.data;
  return Buffer.concat([header, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]);
}

/** Parse `.npy` bytes; every malformation is an InputError naming `where` and the part at fault. */
export function decodeNpy(buf: Uint8Array, where: string): NpyArray {
  const fail: Fail = (part, expected, found) =>
    new InputError({ where: `${where}: ${part}`, expected, found });
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes.length < 10 || bytes.toString('latin1', 0, 6) !== MAGIC) {
    throw fail('magic', 'a file starting with \\x93NUMPY', JSON.stringify(bytes.toString('latin1', 0, 6)));
  }
  const major = bytes[6];
  if (major < 1 || major > 3) throw fail('version', 'format version 1, 2 or 3', `${major}.${bytes[7]}`);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw fail('header', 'a header length', 'end of file');
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const dataStart = 8 + lengthBytes + headerLength;
  if (bytes.length < dataStart) throw fail('header', `${headerLength} header bytes`, 'end of file');
  const header = parseHeader(bytes.toString('latin1', 8 + lengthBytes, dataStart), fail);
  const count = header.shape.reduce((a, b) => a * b, 1);
  const dataLength = bytes.length - dataStart;
  if (dataLength !== count * header.dtype.size) {
    const expected = `${count * header.dtype.size} data bytes for shape (${header.shape})`;
    throw fail('data length', expected, `${dataLength} bytes`);
  }
  const copy = new Uint8Array(dataLength);
  copy.set(bytes.subarray(dataStart));
  return { shape: header.shape, data: header.dtype.make(copy.buffer) };
}

/** Parse the header dict, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`. */
function parseHeader(text: string, fail: Fail): { dtype: (typeof DTYPES)[number]; shape: number[] } {
  const field = (key: string, value: string) => new RegExp(`['"]${key}['"]\\s*:\\s*${value}`).exec(text)?.[1];
  if (!/^\s*\{.*\}\s*$/s.test(text))
    throw fail('header', 'a Python dict literal', JSON.stringify(text.slice(0, 80)));
  const descr = field('descr', `['"]([^'"]*)['"]`);
  const dtype = DTYPES.find((t) => t.descr === descr);
  if (!dtype) throw fail('header descr', `one of ${DTYPES.map((t) => t.descr).join(', ')}`, String(descr));
  const order = field('fortran_order', '(True|False)');
  if (order !== 'False') throw fail('header fortran_order', 'False (C order)', String(order));
  const shapeText = field('shape', '\\(([^)]*)\\)');
  const dims = shapeText
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!dims?.every((d) => /^\d+$/.test(d))) {
    throw fail('header shape', 'a tuple of non-negative integers', String(shapeText));
  }
  return { dtype, shape: dims.map(Number) };
}

/** Read a `.npy` file. */
export function readNpy(path: string): NpyArray {
  return decodeNpy(readInputFile(path, 'a readable .npy file'), path);
}

/** Write a `.npy` file atomically. */
export function writeNpy(path: string, arr: NpyArray): void {
  writeFileAtomic(path, encodeNpy(arr));
}
