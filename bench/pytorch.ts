/** Runs shared/reference/pytorch_vae_bench.py (system python with torch) for the comparison rows. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SCRIPT = resolve(REPO, '../shared/reference/pytorch_vae_bench.py');

/** Why PyTorch cannot run here, or null when it can. */
export function pytorchUnavailable(): string | null {
  if (!existsSync(SCRIPT)) return `${SCRIPT} not found`;
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return probe.status === 0
    ? null
    : `${PYTHON} cannot import torch (apt: python3-torch libopenblas0-pthread)`;
}

export interface TorchResult {
  version: string;
  msPerStep: number;
  imgPerSec: number;
}

/**
 * Runs the script with `threads` torch threads. OpenBLAS is held to one thread: Debian's torch
 * calls it from inside its own OpenMP threads, and letting both spawn threads on 2 cores made
 * PyTorch 5-8x slower here (125-150 vs 16-38 ms/step for the MLP) — we compare to the fast setting.
 * Output line: "torch <ver> <model> threads <t> ms/step <ms> img/s <rate>".
 */
export function runPytorch(model: 'mlp' | 'conv', threads: number): TorchResult {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
  const r = spawnSync(PYTHON, [SCRIPT, model, String(threads)], { encoding: 'utf8', cwd: REPO, env });
  const m = /torch (\S+) .* ms\/step ([\d.]+) img\/s ([\d.]+)/.exec(r.stdout);
  if (r.status !== 0 || m == null) throw new Error(`PyTorch ${model} failed: ${r.stderr || r.stdout}`);
  return { version: m[1], msPerStep: Number(m[2]), imgPerSec: Number(m[3]) };
}
