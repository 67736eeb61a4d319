/** Reading user-named files, turning file-system failures into InputErrors. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
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

/**
 * What is at `path` (following symbolic links), or undefined when nothing is; any other failure (a loop
 * of symbolic links, no permission) is an InputError naming the path.
 */
export function statPath(path: string, expected: string): ReturnType<typeof statSync> | undefined {
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
