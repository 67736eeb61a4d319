/** The CLI as a hostile user runs it: the bin script over the compiled dist/ (`npm test` builds it first). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IdxArray, writeIdx } from '../../src/data/idx.js';

export const bin = join(import.meta.dirname, '..', '..', 'bin', 'vaekit.js');

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `vaekit …args` in `cwd`; `nodeArgs` go before the script (e.g. `--import` a test hook). */
export function vaekitIn(
  cwd: string,
  args: string[],
  opts: { nodeArgs?: string[]; env?: Record<string, string> } = {},
): CliResult {
  const r = spawnSync(process.execPath, [...(opts.nodeArgs ?? []), bin, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, ...opts.env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A fresh temporary folder. */
export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `vk-${prefix}-`));

/** Exit code 2, no stack trace anywhere, and the message on stderr matches `message`. */
export function assertInputError(r: CliResult, message: RegExp, what = ''): void {
  const all = `${r.out}\n${r.err}`;
  assert.equal(r.code, 2, `${what}: exit ${r.code}\n${all}`);
  assert.doesNotMatch(all, /\n\s+at .+[(:]\d+/, `${what}: a stack trace reached the user\n${all}`);
  assert.doesNotMatch(all, /internal error/, `${what}: reported as an internal error\n${all}`);
  assert.match(r.err, /^vaekit: error: |^error: /m, `${what}: no error line\n${all}`);
  assert.match(r.err, message, `${what}: the message does not say what is wrong\n${all}`);
}

/** Everything under `dir`, as sorted relative paths (to show that nothing was written). */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      out.push(rel);
      if (e.isDirectory()) walk(join(d, e.name), rel);
    }
  };
  walk(dir, '');
  return out.sort();
}

/**
 * An MNIST-style IDX folder of `train` + `test` small grey images (8×8 unless given) with 3 classes:
 * a run on it trains in about a second.
 */
export function tinyIdxDir(
  dir: string,
  opts: { train?: number; test?: number; side?: number; testSide?: number; t10k?: boolean } = {},
): string {
  const { train = 300, test = 60, side = 8, testSide = side, t10k = true } = opts;
  mkdirSync(dir, { recursive: true });
  const images = (n: number, s: number): IdxArray => ({
    dims: [n, s, s],
    data: Uint8Array.from({ length: n * s * s }, (_, i) => ((i * 37 + Math.floor(i / 11)) % 7) * 36),
  });
  const labels = (n: number): IdxArray => ({
    dims: [n],
    data: Uint8Array.from({ length: n }, (_, i) => i % 3),
  });
  writeIdx(join(dir, 'train-images-idx3-ubyte'), images(train, side));
  writeIdx(join(dir, 'train-labels-idx1-ubyte'), labels(train));
  if (t10k) {
    writeIdx(join(dir, 't10k-images-idx3-ubyte'), images(test, testSide));
    writeIdx(join(dir, 't10k-labels-idx1-ubyte'), labels(test));
  }
  return dir;
}

/** Flags for a run that trains in about a second on tinyIdxDir. */
export const TINY = ['--hidden', '16', '--latent-dim', '2', '--epochs', '1', '--batch-size', '50'];
