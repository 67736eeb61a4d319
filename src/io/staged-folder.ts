/**
 * A folder that appears whole or not at all: it is written under a temporary name in the same parent and
 * renamed into place at the end. The temporary is `.vaekit-staging-<host>-<pid>`, short whatever the final
 * name's length. The writes are synchronous, so no signal handler could run during them: a process ended by
 * kill -9 or Ctrl-C leaves its temporary behind, and the next staging in that parent removes every temporary
 * whose process (on this host) is gone — never a live process's.
 */
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pidAlive } from './run-lock.js';

const PREFIX = '.vaekit-staging-';

/** This host's name as it may appear in a file name (at most 64 safe characters). */
const hostTag = () =>
  hostname()
    .replace(/[^A-Za-z0-9.]/g, '_')
    .slice(0, 64) || 'host';

/** Removes the temporaries in `parent` left by processes of this host that are gone. */
function removeAbandoned(parent: string): void {
  const mine = `${PREFIX}${hostTag()}-`;
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return; // unreadable: the mkdir beside them says why, if it fails too
  }
  for (const entry of entries) {
    if (!entry.startsWith(mine)) continue;
    const pid = Number(entry.slice(mine.length));
    if (pid === process.pid || !pidAlive(pid)) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

/**
 * Creates the folder `dest` by `write(temporary)` then a rename; `beforeRename` runs last (to check that
 * nothing appeared at `dest` meanwhile: a rename would replace an empty folder). On any error the temporary
 * is removed and the error is thrown; `dest` is untouched.
 */
export function writeFolderStaged<T>(dest: string, write: (dir: string) => T, beforeRename: () => void): T {
  const parent = dirname(resolve(dest));
  removeAbandoned(parent);
  const staging = join(parent, `${PREFIX}${hostTag()}-${process.pid}`);
  mkdirSync(staging);
  try {
    const result = write(staging);
    beforeRename();
    renameSync(staging, dest);
    return result;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** Whether anything (a file, a folder, a link, even a dangling one) is at `path`. */
export const existsAt = (path: string): boolean => lstatSync(path, { throwIfNoEntry: false }) !== undefined;
