/**
 * Runs the PyTorch references (system python with torch) for the comparison rows:
 * bench/reference/pytorch_vae_bench.py for the mlp and conv VAEs, pytorch_nvae_bench.py for the NVAE.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export type TorchModel = 'mlp' | 'conv' | 'nvae';
export const SCRIPTS: Record<TorchModel, string> = {
  mlp: resolve(REPO, 'bench/reference/pytorch_vae_bench.py'),
  conv: resolve(REPO, 'bench/reference/pytorch_vae_bench.py'),
  nvae: resolve(REPO, 'bench/reference/pytorch_nvae_bench.py'),
};

/** Why PyTorch cannot run here, or null when it can. */
export function pytorchUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return probe.status === 0
    ? null
    : `${PYTHON} cannot import torch (apt: python3-torch libopenblas0-pthread)`;
}

/**
 * A PyTorch setting: torch's own threads, and OpenBLAS's. Debian's OpenBLAS spins its threads while it
 * waits, so 2 torch threads with 2 OpenBLAS threads can oversubscribe 2 cores; each is measured and the
 * best is the reference.
 */
export interface TorchSetting {
  threads: number;
  blasThreads: number;
}
export const TORCH_SETTINGS: TorchSetting[] = [
  { threads: 1, blasThreads: 1 },
  { threads: 2, blasThreads: 1 },
  { threads: 2, blasThreads: 2 },
];
export const settingLabel = (s: TorchSetting) => `torch ${s.threads} thr, blas ${s.blasThreads}`;

export interface TorchResult {
  version: string;
  /** The kernel set OpenBLAS chose (openblas_get_corename). */
  blasCore: string;
  msPerStep: number;
  imgPerSec: number;
  /** Values the model stores, counted as vaekit counts them (when the script prints them: the NVAE's). */
  stored?: number;
}

/**
 * One timed round of `steps` steps. This machine's OpenBLAS overrides (OPENBLAS_CORETYPE, which pins
 * older kernels, and OPENBLAS_L2_SIZE) are removed from the child's environment only: a user's machine
 * has neither, and OpenBLAS picks its kernels for the CPU it finds.
 */
export function runPytorch(model: TorchModel, s: TorchSetting, steps: number, warmup: number): TorchResult {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(s.blasThreads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const args = [SCRIPTS[model], model, String(s.threads), String(steps), String(warmup)];
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', cwd: REPO, env });
  const blas = /^openblas (\S+)/m.exec(r.stdout);
  const m = /^torch (\S+) .* ms\/step ([\d.]+) img\/s ([\d.]+)/m.exec(r.stdout);
  const stored = /^params .* stored (\d+)/m.exec(r.stdout);
  if (r.status !== 0 || m == null) throw new Error(`PyTorch ${model} failed: ${r.stderr || r.stdout}`);
  return {
    version: m[1],
    blasCore: blas?.[1] ?? '?',
    msPerStep: Number(m[2]),
    imgPerSec: Number(m[3]),
    ...(stored ? { stored: Number(stored[1]) } : {}),
  };
}
