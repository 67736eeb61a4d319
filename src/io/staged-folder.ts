/**
 * A folder that appears whole or not at all: it is written under a temporary name in the same parent and
 * renamed into place at the end. The temporary is `.vaekit-staging-<space>-<pid>`, short whatever the final
 * name's length, where <space> is a digest of what makes a pid mean one process: the host name, its boot
 * and the pid namespace (two containers on one shared volume may share a host name, never all three). The
 * writes are synchronous, so no signal handler could run during them: a process ended by kill -9 or Ctrl-C
 * leaves its temporary behind, and the next staging in that parent removes the temporaries of its own space
 * whose process is gone — never a live process's, another space's, or anything not named exactly so. That
 * cleaning is best effort: one it may not remove (another user's) is left, and the export goes on.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { pidAlive } from './run-lock.js';

const PREFIX = '.vaekit-staging-';

/** A digest of the host name, its boot id and the pid namespace: within one such space a pid names one process. */
function processSpace(): string {
  const parts = [hostname()];
  const read = (f: () => string) => {
    try {
      parts.push(f());
    } catch {
      // not Linux: the host name alone
    }
  };
  read(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
  read(() => readlinkSync('/proc/self/ns/pid'));
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 12);
}

let space: string | undefined;

/** The name of the temporary folder of process `pid` of this process's space. */
export function stagingName(pid: number): string {
  space ??= processSpace();
  return `${PREFIX}${space}-${pid}`;
}

/** Removes the temporaries in `parent` left by processes of this space that are gone; best effort. */
function removeAbandoned(parent: string): void {
  const own = stagingName(0).slice(0, -1); // `.vaekit-staging-<space>-`
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return; // unreadable: the mkdir beside them says why, if it fails too
  }
  for (const entry of entries) {
    const tail = entry.startsWith(own) ? entry.slice(own.length) : '';
    if (!/^[1-9]\d*$/.test(tail)) continue; // a pid, and nothing else
    const pid = Number(tail);
    if (pid !== process.pid && pidAlive(pid)) continue;
    try {
      rmSync(join(parent, entry), { recursive: true, force: true });
    } catch {
      // not ours to remove (another user's): left, and it does not stand in the way
    }
  }
}

/**
 * Creates the folder `dest` (an absolute, normalised path) by `write(temporary)` then a rename;
 * `beforeRename` runs last (to check that nothing appeared at `dest` meanwhile: a rename would replace an
 * empty folder). On any error the temporary is removed and the error is thrown; `dest` is untouched.
 */
export function writeFolderStaged<T>(dest: string, write: (dir: string) => T, beforeRename: () => void): T {
  const parent = dirname(dest);
  removeAbandoned(parent);
  const staging = join(parent, stagingName(process.pid));
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
