/**
 * One writer per run. `vaekit train` (new or `--resume`) holds `runs/<name>/.lock` while it writes the run:
 * the file is made with O_EXCL and holds the writer's pid, host and start time, so a second writer is
 * refused (exit 2, "run in use by pid N since …"), a lock left by a process that is gone (same host, pid
 * no longer alive) is taken over with a note, and the lock is removed when the writer ends, normally or
 * with an error; one ended by a signal (Ctrl-C, kill -9) leaves it to be taken over that way. Readers
 * (sample, eval, serve, …) take no lock.
 */

import { closeSync, fsyncSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';

export const LOCK_FILE = '.lock';

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

export interface RunLock {
  path: string;
  /** Set when a stale lock (its process gone) was taken over: say so. */
  note: string | null;
  /** Removes the lock (only while it is still this process's); idempotent. */
  release(): void;
}

/** Whether a process with this pid is alive on this host (EPERM: alive, someone else's). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8'));
    return typeof o?.pid === 'number' && typeof o?.host === 'string' && typeof o?.started === 'string'
      ? o
      : null;
  } catch {
    return null;
  }
}

function create(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new InputError(
      {
        where: path,
        expected: 'a run directory this process can write (to lock it)',
        found: `an unusable path (${(e as NodeJS.ErrnoException).code})`,
      },
      { cause: e },
    );
  }
  try {
    writeSync(fd, JSON.stringify(owner));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

const held = new Set<string>();
let handlersInstalled = false;

/**
 * On exit (also after an error), every lock still held is removed. No signal handler: the training loop
 * does not yield to Node's event loop between steps, so a JS handler would never run and Ctrl-C would
 * stop nothing; a process ended by a signal (Ctrl-C, kill -9) leaves a lock whose pid is gone, which the
 * next writer takes over, saying so.
 */
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const path of held) removeIfOurs(path);
    held.clear();
  });
}

function removeIfOurs(path: string): void {
  const owner = readOwner(path);
  if (owner && owner.pid === process.pid && owner.host === hostname()) {
    try {
      unlinkSync(path);
    } catch {
      // gone already
    }
  }
}

/**
 * Locks the run in `dir` (which exists) for writing, or refuses with an InputError when another live
 * process holds it. A lock whose process is gone is taken over (`note` says so).
 */
export function lockRun(dir: string): RunLock {
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  let note: string | null = null;
  for (let attempt = 0; ; attempt++) {
    if (create(path, me)) break;
    const owner = readOwner(path);
    if (owner === null) {
      // being written this instant, or garbage: garbage older than a few seconds is stale
      let age = 0;
      try {
        age = Date.now() - statSync(path).mtimeMs;
      } catch {
        continue; // removed meanwhile: try again
      }
      if (age < 5000 && attempt < 50) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        continue;
      }
      note = `took over ${path}, which held no owner`;
    } else if (owner.host !== me.host) {
      throw new InputError({
        where: dir,
        expected: 'a run no other vaekit process is writing',
        found: `run in use by pid ${owner.pid} on host ${owner.host} since ${owner.started} (${path})`,
        hint: `if no vaekit runs on ${owner.host} any more, remove ${path}`,
      });
    } else if (owner.pid === process.pid || pidAlive(owner.pid)) {
      throw new InputError({
        where: dir,
        expected: 'a run no other vaekit process is writing',
        found: `run in use by pid ${owner.pid} since ${owner.started} (${path})`,
        hint: 'wait for that training to end (or stop it); sample, eval and serve may read the run meanwhile',
      });
    } else {
      note = `took over the lock of pid ${owner.pid} (since ${owner.started}), which is no longer running`;
    }
    if (attempt >= 50) throw new Error(`lockRun: could not take ${path}`);
    try {
      unlinkSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  installHandlers();
  held.add(path);
  return {
    path,
    note,
    release() {
      if (!held.delete(path)) return;
      removeIfOurs(path);
    },
  };
}
