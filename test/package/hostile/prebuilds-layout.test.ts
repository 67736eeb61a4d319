/**
 * Attack on prebuiltBinary (native/binary.cjs) with an odd prebuilds/ folder: it guards readdir of
 * prebuilds/ but not of the platform folder it picks, so when prebuilds/linux-x64 is not a readable
 * folder (a stray file of that name, a dangling symlink left by a copied package, no read permission),
 * it throws, and nobody catches it:
 *
 * - the install script, documented to "never fail the install", exits 1 with an ENOTDIR stack trace and
 *   no "vaekit: native kernels:" line (npm's install fails);
 * - the run-time loader rejects (loadNativeKernels throws ENOTDIR), so every command fails instead of
 *   falling back to build/Release or the wasm kernels.
 *
 * Expected: no prebuilt binary (say why), the install goes on and ends with its line, exit 0; the loader
 * falls back and says why.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixtureSkip, installScript, makePackage, probe } from './fixture.js';

const skip = fixtureSkip;

function strayPlatformFile(): string {
  const pkg = makePackage();
  rmSync(join(pkg, 'prebuilds', 'linux-x64'), { recursive: true });
  writeFileSync(join(pkg, 'prebuilds', 'linux-x64'), 'not a folder\n');
  return pkg;
}

test('install script: prebuilds/linux-x64 that is not a folder does not fail the install', { skip }, () => {
  const pkg = strayPlatformFile();
  const r = installScript(pkg, { npm_config_build_from_source: '', PATH: '/nonexistent' });
  // observed: exit 1, "Error: ENOTDIR: not a directory, scandir '…/prebuilds/linux-x64'"
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /vaekit: native kernels: /);
});

test('loader: prebuilds/linux-x64 that is not a folder falls back instead of throwing', { skip }, () => {
  const pkg = strayPlatformFile();
  const p = probe(pkg);
  // observed: exit 1, ENOTDIR thrown out of loadNativeKernels
  assert.equal(p.status, 0, p.out);
  assert.match(p.origin, /^none/, p.out);
});
