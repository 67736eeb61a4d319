/** Reading user-named files, turning file-system failures into InputErrors. */
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../core/errors.js';

/** Read a whole file; a missing or unreadable file is an InputError naming it. */
export function readInputFile(path: string, expected: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw unreadable(path, expected, e);
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
function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** Decompress `buf` if it is gzip (judged by its magic, not by a file name); `where` names it in errors. */
export function maybeGunzip(buf: Buffer, where: string): Buffer {
  if (!isGzip(buf)) return buf;
  try {
    return gunzipSync(buf);
  } catch (e) {
    throw new InputError(
      { where: `${where}: gzip stream`, expected: 'a complete gzip stream', found: (e as Error).message },
      { cause: e },
    );
  }
}
