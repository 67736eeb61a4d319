/**
 * Reading files the explorer serves, confined to one directory (the run directory, or the built page).
 * A file is read only when its real path — every symlink resolved, `..` included — lies inside the
 * directory's own real path, it is a regular file (not a FIFO, a device or a folder), and, where asked,
 * it has a single link (a hard link can make a file outside the directory look like one inside it).
 * The file actually opened is checked again (its /proc/self/fd link where there is one, its device and
 * inode otherwise), so a link swapped in between the check and the open is refused too.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  type Stats,
  statSync,
} from 'node:fs';
import { join, sep } from 'node:path';

/** A served path that leads out of its directory, or to something that is not a plain file. */
export class RefusedPath extends Error {
  constructor(
    /** The path as asked for, relative to the directory (never where a link leads). */
    readonly path: string,
    readonly reason: string,
  ) {
    super(`refused: ${path} ${reason}`);
    this.name = 'RefusedPath';
  }
}

/** One path segment with nothing that could climb or branch out of a directory. */
export function isSafeSegment(s: unknown): s is string {
  return typeof s === 'string' && s !== '' && s !== '.' && s !== '..' && !/[/\\\0]/.test(s);
}

const isInside = (root: string, p: string) =>
  p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

/** A directory whose files are read only when they really are inside it. */
/** Which file (inode) and how much of it was read. */
export interface FileExtent {
  ino: number;
  size: number;
}

export class ConfinedDir {
  /** The directory's real path. */
  readonly root: string;

  /**
   * @param dir the directory (itself it may be reached through a symlink)
   * @param what how to name it in refusals, e.g. "the run directory"
   * @param singleLink refuse files with more than one hard link
   */
  constructor(
    dir: string,
    readonly what: string,
    readonly singleLink = false,
  ) {
    this.root = realpathSync(dir);
  }

  /**
   * The bytes of `segments` joined under the directory, or null when there is no such file.
   * Throws RefusedPath when it leads out of the directory or is not a regular file.
   */
  read(...segments: string[]): Buffer | null {
    return this.withFile(segments, (fd) => readFileSync(fd));
  }

  /**
   * The bytes of a file that only grows (a log being appended to) after the `known` part of it: only the
   * new bytes when the file is still the one `known` describes (same inode, not shorter), else all of
   * them (`whole`). Null when there is no such file; refusals as `read`.
   */
  readAppended(
    known: FileExtent | null,
    ...segments: string[]
  ): { bytes: Buffer; whole: boolean; extent: FileExtent } | null {
    return this.withFile(segments, (fd, st) => {
      const extent = { ino: st.ino, size: st.size };
      const grown = known !== null && known.ino === st.ino && st.size >= known.size;
      if (!grown) return { bytes: readFileSync(fd), whole: true, extent };
      const bytes = Buffer.alloc(st.size - known.size);
      let done = 0;
      while (done < bytes.length) {
        const n = readSync(fd, bytes, done, bytes.length - done, known.size + done);
        if (n === 0) break;
        done += n;
      }
      return {
        bytes: bytes.subarray(0, done),
        whole: false,
        extent: { ino: st.ino, size: known.size + done },
      };
    });
  }

  /** Opens the file at `segments` inside the directory, checked as `read` says, and hands it to `use`. */
  private withFile<T>(segments: string[], use: (fd: number, st: Stats) => T): T | null {
    const shown = segments.join('/');
    if (!segments.every(isSafeSegment))
      throw new RefusedPath(shown, 'is not a plain path inside the directory');
    let real: string;
    try {
      real = realpathSync(join(this.root, ...segments));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      if (code === 'ELOOP') throw new RefusedPath(shown, 'is a loop of symbolic links');
      throw e;
    }
    if (!isInside(this.root, real)) throw new RefusedPath(shown, `leads outside ${this.what}`);
    let fd: number;
    try {
      // O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the last step is no link now
      fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      if (code === 'ELOOP') throw new RefusedPath(shown, 'changed into a symbolic link while being read');
      throw e;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new RefusedPath(shown, 'is not a regular file');
      if (this.singleLink && st.nlink > 1) {
        throw new RefusedPath(shown, `has ${st.nlink} hard links (one may be a file outside ${this.what})`);
      }
      if (!this.opened(fd, real, st)) throw new RefusedPath(shown, `leads outside ${this.what}`);
      return use(fd, st);
    } finally {
      closeSync(fd);
    }
  }

  /** True when the file open as `fd` is the one at `real`, inside the directory. */
  private opened(fd: number, real: string, st: Stats): boolean {
    let actual: string | null = null;
    try {
      actual = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      // no /proc: the device and inode check below stands alone
    }
    if (actual?.startsWith('/') && !isInside(this.root, actual)) return false;
    try {
      const now = statSync(real);
      return now.dev === st.dev && now.ino === st.ino;
    } catch {
      return false;
    }
  }
}
