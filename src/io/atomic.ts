/**
 * Crash-safe file writes: a reader never sees a half-written file, only the old or the new one.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** fsync a directory so a rename in it survives a crash; platforms that cannot (Windows) are skipped. */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Directories cannot be opened or synced on some platforms; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Write all of `data` to `fd` (writeSync may write less than asked). */
function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

/**
 * Write `data` to `path` atomically: write a temporary file in the same directory, fsync it,
 * rename it over `path`, then fsync the directory. On failure the temporary file is removed.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(tmp, 'wx');
  try {
    try {
      writeAll(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dir);
}

/** Write `value` as pretty-printed JSON (with a final newline) atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Append one line (a newline is added) to `path`, creating it if needed; meant for `.jsonl` logs.
 * The line must not contain a newline itself. With `fsync`, the line is on disk when this returns.
 */
export function appendLine(path: string, line: string, opts: { fsync?: boolean } = {}): void {
  const fd = openSync(path, 'a');
  try {
    writeAll(fd, `${line}\n`);
    if (opts.fsync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
