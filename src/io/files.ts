/** Reading user-named files, turning file-system failures into InputErrors. */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  type Stats,
  statSync,
} from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { InputError } from '../core/errors.js';

/** The most bytes an image file (PNG, JPEG) may have: 256 MiB. */
export const MAX_IMAGE_FILE_BYTES = 256 * 2 ** 20;
/** The most bytes a config file may have: 16 MiB. */
export const MAX_CONFIG_FILE_BYTES = 16 * 2 ** 20;
/** The most bytes any other input file (IDX, NPY, a data file) may have: 4 GiB. */
export const MAX_INPUT_FILE_BYTES = 4 * 2 ** 30;

const MiB = 2 ** 20;
/** A byte count for messages: "1234 bytes" or "300.0 MiB (314572800 bytes)". */
export const showBytes = (n: number): string =>
  n < MiB
    ? `${n} bytes`
    : `${n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${(n / MiB).toFixed(1)} MiB`} (${n} bytes)`;

/** What a stat says a path is, in words, when it is not a regular file. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device (e.g. /dev/zero)';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Checks what a stat of `path` says before it is opened (undefined: nothing is there): a regular file of
 * at most `maxBytes`, else an InputError naming it. `readInputFile` checks the same again on the opened file.
 */
export function checkRegularFile(
  path: string,
  st: Stats | undefined,
  expected: string,
  maxBytes: number,
): void {
  if (!st)
    throw new InputError({ where: path, expected, found: 'nothing there (a dangling symbolic link?)' });
  if (!st.isFile())
    throw new InputError({ where: path, expected: `${expected} (a regular file)`, found: kindOf(st) });
  if (st.size > maxBytes) {
    throw new InputError({
      where: path,
      expected: `${expected} of at most ${showBytes(maxBytes)}`,
      found: `a file of ${showBytes(st.size)}`,
    });
  }
}

/**
 * Opens `path` (following symbolic links) for reading as a regular file of at most `maxBytes`: the check
 * is made on the opened file (fstat), so nothing can be swapped in between a check and the read. It is
 * opened with O_NONBLOCK, so a named pipe cannot make the open wait for a writer; anything but a regular
 * file (a FIFO, /dev/zero or another device, a folder, a socket) is an InputError naming the path.
 */
function openRegular(path: string, expected: string, maxBytes: number): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw unreadable(path, expected, e);
  }
  try {
    const st = fstatSync(fd);
    checkRegularFile(path, st, expected, maxBytes);
    return { fd, size: st.size };
  } catch (e) {
    closeSync(fd);
    throw e instanceof InputError ? e : unreadable(path, expected, e);
  }
}

/** Reads up to `buf.length` bytes of `fd` from `position` into `buf`; the count read (less at the end). */
function readFully(fd: number, buf: Buffer, position: number): number {
  let got = 0;
  while (got < buf.length) {
    const r = readSync(fd, buf, got, buf.length - got, position + got);
    if (r === 0) break;
    got += r;
  }
  return got;
}

/**
 * Read a whole input file: the one checked reader of every data and config file a user names. It must be
 * a regular file (checked on the opened file) of at most `maxBytes`; a missing or unreadable file, a FIFO,
 * a device such as /dev/zero, a folder or a larger file is an InputError naming it. At most the size the
 * file had when opened is read, into one buffer.
 */
export function readInputFile(path: string, expected: string, maxBytes = MAX_INPUT_FILE_BYTES): Buffer {
  const { fd, size } = openRegular(path, expected, maxBytes);
  try {
    const buf = Buffer.allocUnsafe(size);
    const got = readFully(fd, buf, 0);
    return got === size ? buf : buf.subarray(0, got);
  } catch (e) {
    throw unreadable(path, expected, e);
  } finally {
    closeSync(fd);
  }
}

/** `readInputFile` as UTF-8 text (config files: at most MAX_CONFIG_FILE_BYTES unless given). */
export function readInputText(path: string, expected: string, maxBytes = MAX_CONFIG_FILE_BYTES): string {
  return readInputFile(path, expected, maxBytes).toString('utf8');
}

/**
 * The first `n` bytes of a file (all of it when shorter) and its size, without reading the rest; checked
 * as `readInputFile` checks (a regular file of at most `maxBytes`).
 */
export function readInputHead(
  path: string,
  n: number,
  expected: string,
  maxBytes = MAX_INPUT_FILE_BYTES,
): { head: Buffer; size: number } {
  const { fd, size } = openRegular(path, expected, maxBytes);
  try {
    const head = Buffer.alloc(Math.min(n, size));
    return { head: head.subarray(0, readFully(fd, head, 0)), size };
  } catch (e) {
    throw unreadable(path, expected, e);
  } finally {
    closeSync(fd);
  }
}

/** The sorted entry names of a directory; a missing or unreadable one is an InputError naming it. */
export function listDir(path: string, expected: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch (e) {
    throw unreadable(path, expected, e);
  }
}

function unreadable(path: string, expected: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code ?? String(e);
  return new InputError({ where: path, expected, found: `an unreadable path (${code})` }, { cause: e });
}

/** True when `buf` starts with the gzip magic bytes 1f 8b. */
export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** The most bytes vaekit inflates one gzip file to (decompress a larger file yourself). */
export const MAX_INFLATED_BYTES = 2 ** 30;

/** The length inflated data must have, as its own header declares it, and how to say so in an error. */
export interface DeclaredLength {
  bytes: number;
  /** e.g. "header 16 + 60000×28×28 ubyte values" */
  what: string;
}

const gzipError = (where: string, e: unknown) =>
  new InputError(
    { where: `${where}: gzip stream`, expected: 'a complete gzip stream', found: (e as Error).message },
    { cause: e },
  );

/**
 * The data of gzip `buf`, inflated only as far as it declares itself: `declare` is given the first
 * `headBytes` inflated bytes (all of them when there are fewer) and checks the header in them, returning
 * the length the whole must have; only then is the rest inflated (`gunzipExactly`).
 */
export function gunzipDeclared(
  buf: Buffer,
  where: string,
  headBytes: number,
  declare: (head: Buffer) => DeclaredLength,
): Buffer {
  return gunzipExactly(buf, where, declare(gunzipHead(buf, headBytes, where)));
}

/**
 * Gzip `buf` inflated to exactly the `declared` length, into one buffer of that length allocated once
 * (no chunks joined afterwards); inflating stops there. A stream that holds more or less than declared, a
 * declared length over MAX_INFLATED_BYTES, or a corrupt stream is an InputError naming `where`. Memory
 * stays within the declared length, however far the stream would inflate (a gzip bomb is refused after at
 * most the declared bytes).
 */
export function gunzipExactly(buf: Buffer, where: string, declared: DeclaredLength): Buffer {
  if (declared.bytes > MAX_INFLATED_BYTES) {
    throw new InputError({
      where,
      expected: `at most ${MAX_INFLATED_BYTES} bytes (1 GiB) once inflated`,
      found: `${declared.bytes} bytes declared (${declared.what})`,
      hint: 'decompress the file yourself (gunzip) to read a larger one',
    });
  }
  let out: Buffer;
  try {
    // one output chunk one byte larger than declared: zlib fills it in place and returns it as it is
    out = gunzipSync(buf, {
      maxOutputLength: Math.max(1, declared.bytes),
      chunkSize: Math.max(zlibConstants.Z_MIN_CHUNK, declared.bytes + 1),
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw gzipError(where, e);
    throw new InputError(
      {
        where: `${where}: gzip stream`,
        expected: `${declared.bytes} bytes once inflated, as the header declares (${declared.what})`,
        found: 'more: inflating stopped there',
      },
      { cause: e },
    );
  }
  if (out.length !== declared.bytes) {
    throw new InputError({
      where: `${where}: gzip stream`,
      expected: `${declared.bytes} bytes once inflated, as the header declares (${declared.what})`,
      found: `${out.length} bytes`,
    });
  }
  return out;
}

/** Bytes of inflated output one more byte of deflate input can add, with room to spare (at most ~1032). */
const MAX_GROWTH_PER_BYTE = 2048;

/**
 * The first `n` bytes gzip `buf` inflates to (fewer when that is all: `buf` may be only the start of a
 * stream), inflating prefixes of the compressed bytes, each held to a small output budget: never much
 * more than `n` bytes are made.
 */
export function gunzipHead(buf: Buffer, n: number, where: string): Buffer {
  const budget = n + 512 * MAX_GROWTH_PER_BYTE;
  /** The output of the first k compressed bytes; null when it is over budget. */
  const prefix = (k: number): Buffer | null => {
    try {
      return gunzipSync(buf.subarray(0, k), {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        maxOutputLength: budget,
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return null;
      throw gzipError(where, e);
    }
  };
  // grow the prefix until it yields n bytes; if one goes over budget, narrow down between the two last
  let lo = 0;
  let hi = -1;
  for (let k = Math.min(buf.length, 256); ; k = Math.min(buf.length, 2 * k)) {
    const out = prefix(k);
    if (out === null) {
      hi = k;
      break;
    }
    if (out.length >= n || k === buf.length) return out.subarray(0, n);
    lo = k;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const out = prefix(mid);
    if (out === null) hi = mid;
    else if (out.length >= n) return out.subarray(0, n);
    else lo = mid;
  }
  // one more compressed byte cannot add more than the budget's slack
  throw gzipError(where, new Error('an inflation step beyond any deflate stream'));
}

/** Whether anything (a file, a folder, a link, even a dangling one) is at `path`. */
export const existsAt = (path: string): boolean => lstatSync(path, { throwIfNoEntry: false }) !== undefined;

/**
 * What is at `path` (following symbolic links), or undefined when nothing is; any other failure (a loop
 * of symbolic links, no permission) is an InputError naming the path.
 */
export function statPath(path: string, expected: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    throw unreadable(path, expected, e);
  }
}

/**
 * Checks, before any work is done, that a file can be written at `path` (the value of `flag`): its folder
 * exists, the path is not a folder, and its name ends in one of `extensions` when given. An existing file
 * is replaced.
 */
export function checkOutputFile(path: string, flag: string, extensions: string[] = []): void {
  const where = `${flag} ${path}`;
  if (path === '') throw new InputError({ where: flag, expected: 'a file name', found: 'an empty name' });
  if (/[\\/]$/.test(path)) {
    throw new InputError({ where, expected: 'a file name', found: 'a folder path (it ends in a separator)' });
  }
  if (extensions.length > 0 && !extensions.includes(extname(path).toLowerCase())) {
    throw new InputError({
      where,
      expected: `a file name ending in ${extensions.join(' or ')}`,
      found: extname(path) ? `the extension ${extname(path)}` : 'no extension',
    });
  }
  const target = statPath(path, 'a file to write');
  if (target?.isDirectory()) {
    throw new InputError({
      where,
      expected: 'a file to write',
      found: 'an existing folder',
      hint: `name a file inside it, e.g. ${path.replace(/[\\/]+$/, '')}/out${extensions[0] ?? ''}`,
    });
  }
  const parent = dirname(resolve(path));
  const folder = statPath(parent, 'a folder to write into');
  if (!folder?.isDirectory()) {
    throw new InputError({
      where,
      expected: 'a file in an existing folder',
      found: folder ? `${parent} is not a folder` : `no folder ${parent}`,
      hint: folder ? undefined : `create it first (mkdir -p ${parent})`,
    });
  }
}

/** Checks that `path` (the value of `flag`) can be a folder to write into: a folder, or nothing yet. */
export function checkOutputDir(path: string, flag: string): void {
  if (path === '') throw new InputError({ where: flag, expected: 'a folder name', found: 'an empty name' });
  const target = statPath(path, 'a folder to write into');
  if (target && !target.isDirectory()) {
    throw new InputError({ where: `${flag} ${path}`, expected: 'a folder to write into', found: 'a file' });
  }
}
