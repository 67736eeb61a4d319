import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { type RunConfig, runConfigSchema } from './config.js';
import { parseJson, parseWith } from './parse.js';

/** The files of one run: `runs/<name>/{config.json, metrics.jsonl, steps.jsonl, checkpoints/, samples/}`. */
export function runPaths(dir: string) {
  return {
    dir,
    config: join(dir, 'config.json'),
    metrics: join(dir, 'metrics.jsonl'),
    /** The training metrics step by step (rate-limited), for live curves. */
    steps: join(dir, 'steps.jsonl'),
    checkpoints: join(dir, 'checkpoints'),
    samples: join(dir, 'samples'),
  };
}

export type RunPaths = ReturnType<typeof runPaths>;

/**
 * A run name is one folder name: letters, digits and `_ . - + = @ ,`, starting with a letter, a digit or
 * `_` (so never `.`, `..`, a hidden or an option-like name), with no separator, at most 200 characters.
 */
const RUN_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_.+=@,-]{0,199}$/u;

/**
 * The directory of the run called `name` under `runsDir`. The name must be one safe path segment, so a
 * run is never written outside `runsDir` (`../x`, an absolute path) or into it (`""`, `.`).
 */
export function runDirFor(runsDir: string, name: string): string {
  if (typeof name !== 'string' || !RUN_NAME.test(name)) {
    throw new InputError({
      where: '--name',
      expected:
        'one folder name of letters, digits and _ . - + = @ , that starts with a letter, a digit or _ ' +
        '(no path: the run goes into --runs-dir)',
      found:
        typeof name === 'string' && name.length > 60
          ? `${JSON.stringify(name.slice(0, 60))}… (${name.length} characters)`
          : JSON.stringify(name),
    });
  }
  const dir = join(runsDir, name);
  if (dirname(resolve(dir)) !== resolve(runsDir)) {
    throw new InputError({ where: '--name', expected: `a folder directly in ${runsDir}`, found: dir });
  }
  return dir;
}

/**
 * Refuses `dir` as the directory of a new run unless it does not exist yet or is an empty folder: an
 * existing run (continue it with --resume), a folder with other files (nothing of it is overwritten),
 * a file or a symbolic link.
 */
export function checkNewRunDir(dir: string): void {
  let stat: ReturnType<typeof lstatSync> | undefined;
  try {
    stat = lstatSync(dir, { throwIfNoEntry: false });
  } catch (e) {
    throw new InputError(
      {
        where: dir,
        expected: 'a new run directory',
        found: `an unusable path (${(e as NodeJS.ErrnoException).code})`,
      },
      { cause: e },
    );
  }
  if (!stat) {
    const parent = dirname(resolve(dir));
    const p = statOrNull(parent);
    if (p && !p.isDirectory()) {
      throw new InputError({
        where: parent,
        expected: 'a folder to hold runs (--runs-dir)',
        found: 'a file',
      });
    }
    return;
  }
  if (stat.isSymbolicLink() || !stat.isDirectory()) {
    throw new InputError({
      where: dir,
      expected: 'a new run directory',
      found: stat.isSymbolicLink() ? 'a symbolic link' : 'a file',
      hint: 'choose another --name',
    });
  }
  const entries = readdirSync(dir);
  if (entries.includes('config.json')) {
    throw new InputError({
      where: dir,
      expected: 'a new run directory',
      found: 'an existing run',
      hint: `continue it with --resume ${dir}, or choose another --name`,
    });
  }
  if (entries.length > 0) {
    throw new InputError({
      where: dir,
      expected: 'a new run directory (or an empty folder)',
      found: `a folder with ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} that is not a vaekit run (no config.json)`,
      hint: 'nothing in it is overwritten: choose another --name',
    });
  }
}

function statOrNull(path: string) {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/** Creates the directory of a new run (see checkNewRunDir) and writes its config.json. */
export function createRunDir(dir: string, config: RunConfig): RunPaths {
  const p = runPaths(dir);
  checkNewRunDir(dir);
  mkdirSync(p.samples, { recursive: true });
  mkdirSync(p.checkpoints, { recursive: true });
  writeJsonAtomic(p.config, config);
  return p;
}

/**
 * The outermost folder that creating the run directory `dir` will make (`runs/` itself on a first run), or
 * null when `dir` exists already (empty): what removeUnstartedRun may remove whole.
 */
export function firstNewFolder(dir: string): string | null {
  let top: string | null = null;
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) top = d;
  return top;
}

/**
 * Undo a new run that stopped on bad input (a file of a streamed folder that does not decode, say) before it
 * wrote a checkpoint: nothing of it is left, so the same command, corrected, can run again. A run with a
 * checkpoint stays (it can be resumed). `made`: firstNewFolder before the run was created — removed whole;
 * when the run's folder existed (empty), only its contents go.
 */
export function removeUnstartedRun(p: RunPaths, made: string | null): void {
  const checkpoints = existsSync(p.checkpoints) ? readdirSync(p.checkpoints) : [];
  if (checkpoints.some((name) => !name.startsWith('.tmp-'))) return;
  const doomed = made ? [made] : readdirSync(p.dir).map((name) => join(p.dir, name));
  for (const path of doomed) rmSync(path, { recursive: true, force: true });
}

export function readRunConfig(dir: string): RunConfig {
  const p = runPaths(dir);
  if (!existsSync(p.config)) {
    throw new InputError({
      where: dir,
      expected: 'a run directory with config.json',
      found: 'no config.json',
    });
  }
  let text: string;
  try {
    text = readFileSync(p.config, 'utf8');
  } catch (e) {
    throw new InputError(
      {
        where: p.config,
        expected: 'a readable file',
        found: `an unreadable path (${(e as NodeJS.ErrnoException).code})`,
      },
      { cause: e },
    );
  }
  const raw = parseJson(text, p.config);
  const version = (raw as { version?: unknown })?.version;
  if (version !== 1) {
    throw new InputError({
      where: `${p.config}: version`,
      expected: 'run format version 1',
      found: String(version),
      hint: 'this run was written by an incompatible vaekit version',
    });
  }
  return parseWith(runConfigSchema, raw, p.config);
}

/** A run name from the time: `vae-mnist-20261127-031500`. */
export function defaultRunName(config: RunConfig): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const last = config.data.dataset.split(/[\\/]/).filter(Boolean).pop() ?? '';
  const data = last.replace(/[^\p{L}\p{N}_.+=@,-]/gu, '_').replace(/^[.-]+/, '') || 'data';
  return `${config.model.type}-${data.slice(0, 100)}-${t}`;
}
