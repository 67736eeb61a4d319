/**
 * The native kernels are compiled for AVX-512, AVX2+FMA and baseline x86-64, and the machine picks one at load
 * time; the tests of the addon exercise only that one. Here each variant is built alone with g++ and checked
 * (test/backend/native/kernel_check.cc), with each width of the GEMM's register tile (32 columns where AVX-512
 * runs, else 16).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildKernelCheck } from '../helpers/kernel-check.js';

const gxx = spawnSync('g++', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'vk-isa-'));

/** Does this CPU run code built with -march=<level>? */
function cpuHas(level: string): boolean {
  const probe = spawnSync('sh', ['-c', `echo | g++ -march=${level} -x c++ - -o /dev/null -dM -E`]);
  if (probe.status !== 0) return false;
  const need = { 'x86-64-v4': 'avx512f', 'x86-64-v3': 'avx2', 'x86-64': '' }[level] ?? '';
  return need === '' || spawnSync('grep', ['-q', `\\b${need}\\b`, '/proc/cpuinfo']).status === 0;
}

for (const level of ['x86-64-v4', 'x86-64-v3', 'x86-64']) {
  for (const nr of [16, 32]) {
    const skip =
      !gxx || arch() !== 'x64' ? 'needs g++ on x86-64' : !cpuHas(level) ? `this CPU lacks ${level}` : false;
    test(`native kernels built for ${level} alone, GEMM register tile 6×${nr}, match their definitions`, {
      skip,
    }, () => {
      const exe = join(dir, `${level}-${nr}`);
      const build = buildKernelCheck(
        'g++',
        [`-march=${level}`, '-DVAEKIT_CLONES=', `-DVAEKIT_NR=${nr}`],
        exe,
      );
      assert.equal(build.status, 0, build.stderr);
      const run = spawnSync(exe, { encoding: 'utf8' });
      assert.match(run.stdout, /^mismatches 0$/m, run.stdout);
      assert.equal(run.status, 0);
    });
  }
}
