/**
 * The native kernels are portable C++: GCC and clang, x86-64 and aarch64 (NEON through the vector extensions),
 * with no x86-only attribute in a non-x86 build. Each build here compiles native/*.cc (all but the Node glue)
 * with -Wall -Werror and test/backend/native/kernel_check.cc, which checks GEMM, the blocked convolution,
 * im2col/col2im, the depthwise convolution, the reductions, tile, Adam, the Bernoulli log-likelihood and the
 * discretised logistic mixture's log-likelihood and gradient against definitions computed in double precision;
 * the aarch64 build runs under qemu-user. CI installs the compilers and qemu (.ci/run); elsewhere a missing one
 * skips its build and says which package brings it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildKernelCheck, kernelSources } from '../helpers/kernel-check.js';

const dir = mkdtempSync(join(tmpdir(), 'vk-portable-'));
const works = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;

/** The kernel sums of every build, to compare the builds with each other. */
const KERNELS = [
  'gemm',
  'blocked convolution',
  'im2col/col2im',
  'depthwise',
  'reductions',
  'tile',
  'adam',
  'bernoulli',
  'logistic mixture',
];

const builds = [
  { name: 'g++, x86-64', cxx: 'g++', pkg: 'g++', run: [] as string[], host: 'x64' },
  { name: 'clang++, x86-64', cxx: 'clang++', pkg: 'clang', run: [], host: 'x64' },
  {
    name: 'aarch64-linux-gnu-g++, aarch64 under qemu-user',
    cxx: 'aarch64-linux-gnu-g++',
    pkg: 'g++-aarch64-linux-gnu and qemu-user',
    run: ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu'],
    host: 'x64',
  },
];

for (const b of builds) {
  const tools = [b.cxx, ...b.run.slice(0, 1)];
  const missing = tools.find((t) => !works(t));
  const skip =
    arch() !== b.host
      ? `builds for it from ${b.host} only`
      : missing
        ? `no ${missing} here (apt-get install ${b.pkg})`
        : false;
  test(`native kernels built with ${b.name} match their definitions`, { skip }, () => {
    const exe = join(dir, b.cxx);
    const build = buildKernelCheck(b.cxx, ['-Wall', '-Werror'], exe);
    assert.equal(build.status, 0, build.stderr);
    const [cmd, ...args] = [...b.run, exe];
    const run = spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000 });
    for (const kernel of KERNELS)
      assert.match(run.stdout, new RegExp(`^${kernel} mismatches 0$`, 'm'), run.stdout);
    assert.match(run.stdout, /^mismatches 0$/m);
    assert.equal(run.status, 0, run.stderr);
  });
}

test('no x86-only attribute or builtin reaches an aarch64 build of the kernels', {
  skip: works('aarch64-linux-gnu-g++')
    ? false
    : 'no aarch64-linux-gnu-g++ (apt-get install g++-aarch64-linux-gnu)',
}, () => {
  for (const source of kernelSources) {
    // the preprocessed source, as the aarch64 compiler sees it
    const pre = spawnSync('aarch64-linux-gnu-g++', ['-std=c++17', '-E', '-P', source], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    assert.equal(pre.status, 0, pre.stderr);
    assert.doesNotMatch(
      pre.stdout,
      /target_clones|x86-64|__builtin_ia32|__builtin_cpu_supports|avx/i,
      source,
    );
  }
});
