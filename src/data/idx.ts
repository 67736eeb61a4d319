/**
 * The IDX format of MNIST and Fashion-MNIST: bytes 0-1 zero, byte 2 the element type, byte 3 the
 * number of dimensions, then one big-endian uint32 per dimension, then the elements, big-endian.
 * Files may be gzip-compressed (detected by magic bytes).
 */
import { gzipSync } from 'node:zlib';
import { InputError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import {
  gunzipDeclared,
  gunzipExactly,
  gunzipHead,
  isGzip,
  readInputFile,
  readInputHead,
} from '../io/files.js';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** An n-dimensional array read from or written to an IDX file (C order). */
export interface IdxArray {
  dims: number[];
  data: IdxData;
}

interface IdxType {
  code: number;
  name: string;
  size: number;
  make: (n: number) => IdxData;
  get: (v: DataView, offset: number) => number;
  set: (v: DataView, offset: number, x: number) => void;
}

const TYPES: IdxType[] = [
  {
    code: 0x08,
    name: 'ubyte',
    size: 1,
    make: (n) => new Uint8Array(n),
    get: (v, o) => v.getUint8(o),
    set: (v, o, x) => v.setUint8(o, x),
  },
  {
    code: 0x09,
    name: 'byte',
    size: 1,
    make: (n) => new Int8Array(n),
    get: (v, o) => v.getInt8(o),
    set: (v, o, x) => v.setInt8(o, x),
  },
  {
    code: 0x0b,
    name: 'short',
    size: 2,
    make: (n) => new Int16Array(n),
    get: (v, o) => v.getInt16(o),
    set: (v, o, x) => v.setInt16(o, x),
  },
  {
    code: 0x0c,
    name: 'int',
    size: 4,
    make: (n) => new Int32Array(n),
    get: (v, o) => v.getInt32(o),
    set: (v, o, x) => v.setInt32(o, x),
  },
  {
    code: 0x0d,
    name: 'float',
    size: 4,
    make: (n) => new Float32Array(n),
    get: (v, o) => v.getFloat32(o),
    set: (v, o, x) => v.setFloat32(o, x),
  },
  {
    code: 0x0e,
    name: 'double',
    size: 8,
    make: (n) => new Float64Array(n),
    get: (v, o) => v.getFloat64(o),
    set: (v, o, x) => v.setFloat64(o, x),
  },
];

/** The IDX type name ('ubyte', 'float', ...) of a typed array. */
export function idxTypeName(data: IdxData): string {
  return typeOf(data).name;
}

function typeOf(data: IdxData): IdxType {
  const i = [Uint8Array, Int8Array, Int16Array, Int32Array, Float32Array, Float64Array].findIndex(
    (C) => data instanceof C,
  );
  return TYPES[i];
}

const hex = (b: number) => `0x${b.toString(16).padStart(2, '0')}`;

function bad(where: string, part: string, expected: string, found: string): InputError {
  return new InputError({ where: `${where}: ${part}`, expected, found });
}

/** The most bytes an IDX header takes: 4, then 4 per dimension (at most 255). */
const MAX_HEADER_BYTES = 4 + 4 * 255;

interface IdxHeader {
  type: IdxType;
  dims: number[];
  headerLength: number;
  count: number;
  /** The length of the whole file: header and elements. */
  expectedLength: number;
  /** e.g. "header 16 + 60000×28×28 ubyte values" */
  described: string;
}

/** Check the header at the start of `buf` (which may hold only the header, or only its start). */
function readHeader(buf: Uint8Array, where: string): IdxHeader {
  if (buf.length < 4) throw bad(where, 'header', 'at least 4 header bytes', `${buf.length} bytes`);
  for (const i of [0, 1]) {
    if (buf[i] !== 0) throw bad(where, `header byte ${i} (magic)`, '0x00', hex(buf[i]));
  }
  const type = TYPES.find((t) => t.code === buf[2]);
  if (!type) {
    const codes = TYPES.map((t) => `${hex(t.code)} ${t.name}`).join(', ');
    throw bad(where, 'header byte 2 (data type)', `one of ${codes}`, hex(buf[2]));
  }
  const ndim = buf[3];
  if (ndim === 0) throw bad(where, 'header byte 3 (dimensions)', 'at least 1 dimension', '0');
  const headerLength = 4 + 4 * ndim;
  if (buf.length < headerLength) {
    throw bad(where, 'header', `${headerLength} header bytes for ${ndim} dimensions`, `${buf.length} bytes`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) {
    const n = view.getUint32(4 + 4 * d);
    if (n === 0) throw bad(where, `header dimension ${d}`, 'a size > 0', '0');
    dims.push(n);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const expectedLength = headerLength + count * type.size;
  const described = `header ${headerLength} + ${dims.join('×')} ${type.name} values`;
  return { type, dims, headerLength, count, expectedLength, described };
}

/**
 * Parse decompressed IDX bytes; `where` names the source in errors. Byte values are a view of `buf` when
 * it is a buffer of its own (no copy of the data is made); wider values are decoded from big-endian.
 */
function parseIdx(buf: Uint8Array, where: string): IdxArray {
  const { type, dims, headerLength, count, expectedLength, described } = readHeader(buf, where);
  if (buf.length !== expectedLength) {
    throw bad(where, 'file length', `${expectedLength} bytes (${described})`, `${buf.length} bytes`);
  }
  const own = buf.buffer;
  if (
    type.size === 1 &&
    own instanceof ArrayBuffer &&
    buf.byteOffset === 0 &&
    own.byteLength - buf.byteLength <= 1
  ) {
    const View = type.code === 0x08 ? Uint8Array : Int8Array;
    return { dims, data: new View(own, headerLength, count) };
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const data = type.make(count);
  if (type.size === 1) new Uint8Array(data.buffer).set(buf.subarray(headerLength));
  else for (let i = 0; i < count; i++) data[i] = type.get(view, headerLength + i * type.size);
  return { dims, data };
}

/**
 * Decode IDX bytes, plain or gzip-compressed; every problem is an InputError naming `where`. Gzip is
 * inflated only as far as the header declares: the header is read and checked first, and a stream that
 * would inflate further (a gzip bomb) is refused at the declared length (`gunzipDeclared`).
 */
export function decodeIdx(bytes: Buffer, where: string): IdxArray {
  if (!isGzip(bytes)) return parseIdx(bytes, where);
  const inflated = gunzipDeclared(bytes, where, MAX_HEADER_BYTES, (head) => {
    const h = readHeader(head, where);
    return { bytes: h.expectedLength, what: h.described };
  });
  return parseIdx(inflated, where);
}

/** What an IDX file declares in its header, known before any of its data is read. */
export interface IdxDeclared {
  path: string;
  dims: number[];
  /** The value type's name ('ubyte', 'float', …) and bytes per value. */
  type: string;
  valueBytes: number;
  /** Number of values (the product of dims). */
  count: number;
  /** Bytes of header and values, as stored uncompressed (what a gzip file inflates to). */
  rawBytes: number;
  /** Bytes of the file on disk. */
  fileBytes: number;
  gzip: boolean;
  /** e.g. "header 16 + 60000×28×28 ubyte values" */
  described: string;
}

/** Compressed bytes read first to find a gzip file's header (the rest only if the header is not in them). */
const GZIP_HEAD_BYTES = 64 * 1024;

/**
 * Read an IDX file, plain or gzip-compressed. A plain file's header is read and checked against the
 * file's size before the rest of it is read.
 */
export function readIdx(path: string): IdxArray {
  return readIdxChecked(path);
}

/**
 * `readIdx`, with `check` called on what the header declares before the data is read or inflated, so
 * a caller can refuse it (too large, the wrong type or count) before anything of that size is allocated.
 * The file is read through the checked reader (a regular file, re-checked when it is opened again); a
 * gzip file's header is found in the first compressed bytes, then the file is read whole and inflated
 * into one buffer of the declared length, and byte values are a view of it.
 */
export function readIdxChecked(path: string, check?: (declared: IdxDeclared) => void): IdxArray {
  const expected = 'a readable IDX file';
  const { head, size } = readInputHead(path, GZIP_HEAD_BYTES, expected);
  const gzip = isGzip(head);
  let compressed: Buffer | undefined;
  let h: IdxHeader;
  if (!gzip) {
    h = readHeader(head, path);
    if (size !== h.expectedLength) {
      throw bad(path, 'file length', `${h.expectedLength} bytes (${h.described})`, `${size} bytes`);
    }
  } else {
    try {
      h = readHeader(gunzipHead(head, MAX_HEADER_BYTES, path), path);
    } catch (e) {
      if (head.length >= size) throw e;
      // the header is not in the first compressed bytes (unusual): look for it in the whole file
      compressed = readInputFile(path, expected, size);
      h = readHeader(gunzipHead(compressed, MAX_HEADER_BYTES, path), path);
    }
  }
  check?.({
    path,
    dims: h.dims,
    type: h.type.name,
    valueBytes: h.type.size,
    count: h.count,
    rawBytes: h.expectedLength,
    fileBytes: size,
    gzip,
    described: h.described,
  });
  // at most the size checked: a file that grew since is not read further
  const bytes = compressed ?? readInputFile(path, expected, size);
  if (!isGzip(bytes)) return parseIdx(bytes, path);
  return parseIdx(gunzipExactly(bytes, path, { bytes: h.expectedLength, what: h.described }), path);
}

const HEADER_ONLY = Symbol('header only');

/** What an IDX file's header declares (value type, dims, sizes), read without reading or inflating its data. */
export function readIdxHeader(path: string): IdxDeclared {
  let declared: IdxDeclared | undefined;
  try {
    readIdxChecked(path, (d) => {
      declared = d;
      throw HEADER_ONLY; // stop before the data is read
    });
  } catch (e) {
    if (e !== HEADER_ONLY) throw e;
  }
  return declared as IdxDeclared;
}

/** Encode an array as IDX bytes, gzip-compressed when `gzip` is set. */
export function encodeIdx(arr: IdxArray, opts: { gzip?: boolean } = {}): Buffer {
  const type = typeOf(arr.data);
  const count = arr.dims.reduce((a, b) => a * b, 1);
  if (!type || arr.dims.length === 0 || arr.dims.length > 255 || count !== arr.data.length) {
    throw new RangeError(`encodeIdx: dims [${arr.dims}] do not fit ${arr.data.length} values`);
  }
  const headerLength = 4 + 4 * arr.dims.length;
  const buf = Buffer.alloc(headerLength + count * type.size);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  buf[2] = type.code;
  buf[3] = arr.dims.length;
  for (const [d, n] of arr.dims.entries()) view.setUint32(4 + 4 * d, n);
  for (let i = 0; i < count; i++) type.set(view, headerLength + i * type.size, arr.data[i]);
  return opts.gzip ? gzipSync(buf) : buf;
}

/** Write an IDX file atomically, gzip-compressed when `gzip` is set. */
export function writeIdx(path: string, arr: IdxArray, opts: { gzip?: boolean } = {}): void {
  writeFileAtomic(path, encodeIdx(arr, opts));
}
