import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** The kernels' C++ sources: native/*.cc but the Node glue (addon.cc). */
export const kernelSources = readdirSync(join(root, 'native'))
  .filter((f) => f.endsWith('.cc') && f !== 'addon.cc')
  .map((f) => join(root, 'native', f));

/**
 * Builds test/backend/native/kernel_check.cc with the kernels into `exe` by `cxx`, with `flags` besides
 * -O2 -std=c++17 -pthread; the compiler's result.
 */
export function buildKernelCheck(cxx: string, flags: string[], exe: string) {
  const check = join(root, 'test', 'backend', 'native', 'kernel_check.cc');
  return spawnSync(cxx, ['-O2', '-std=c++17', '-pthread', ...flags, check, ...kernelSources, '-o', exe], {
    encoding: 'utf8',
  });
}
