/**
 * Attack on the native-kernel loader's fallback (src/backend/native.ts) and the install script's one line
 * (scripts/install-native.cjs), in an installed package whose prebuilds/linux-x64 binary loads fine.
 *
 * Found by a hostile test (fixed since): build/Release shadows the working prebuilt binary. node-gyp-build.resolve only checks that a .node
 * FILE exists in build/Release, so an unloadable one there (a stale build from another architecture —
 * node_modules copied between an arm64 laptop and an x64 container — or any damaged file) is taken, its
 * require fails, and the loader gives up: "native kernels none for linux-x64 (… invalid ELF header): the
 * wasm kernels alone", although prebuilds/linux-x64/node.glibc.node sits beside it and loads. At the same
 * time the install script (PREBUILDS_ONLY) says "prebuilt binary for linux-x64", so the install line and
 * `vaekit train`'s banner disagree and the user trains at half speed.
 * Expected: the loader tries the next candidate (the prebuilt) when build/Release does not load, and says so.
 *
 * Found by a hostile test (fixed since): the install script's "none" line is false. With a build from source asked for
 * (npm_config_build_from_source=true, i.e. `npm rebuild vaekit --build-from-source`) and no node-gyp or
 * compiler, it prints "none (…); training uses the wasm kernels, about half as fast", yet training then
 * loads the prebuilt binary ("prebuilt for linux-x64"): the line must say what runtime will actually use.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixtureSkip, installScript, makePackage, probe } from './fixture.js';

const skip = fixtureSkip;

test('an unloadable build/Release/vaekit_native.node does not hide the prebuilt binary that loads', {
  skip,
}, () => {
  const pkg = makePackage();
  assert.equal(probe(pkg).origin, 'prebuilt for linux-x64', 'the fixture itself');
  // what a build for another machine (or a damaged file) looks like to this one: not loadable here
  mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
  writeFileSync(join(pkg, 'build', 'Release', 'vaekit_native.node'), Buffer.alloc(65536, 0x5a));
  const install = installScript(pkg, { npm_config_build_from_source: '' });
  assert.match(install.out, /vaekit: native kernels: prebuilt binary for linux-x64/);
  const p = probe(pkg);
  assert.equal(p.status, 0, p.out);
  // observed: "none for linux-x64 (…vaekit_native.node: invalid ELF header): the wasm kernels alone"
  assert.match(p.origin, /^prebuilt for linux-x64/, `install said prebuilt; the loader said: ${p.origin}`);
  assert.ok(p.loaded);
});

test('when the asked-for build from source fails, the install line names what training will use', {
  skip,
}, () => {
  const pkg = makePackage();
  // no node-gyp on PATH (and so no build): what a machine without the build tools gives
  const bare = mkdtempSync(join(tmpdir(), 'vk-no-node-gyp-'));
  const install = installScript(pkg, { npm_config_build_from_source: 'true', PATH: bare });
  assert.equal(install.status, 0, install.out);
  const line = /^vaekit: native kernels: .*$/m.exec(install.out)?.[0] ?? '';
  const p = probe(pkg);
  assert.equal(p.origin, 'prebuilt for linux-x64', p.out);
  // observed: "vaekit: native kernels: none (build from source asked for, and the build from source
  // failed: …); training uses the wasm kernels, about half as fast" — and training loads the prebuilt
  assert.doesNotMatch(line, /training uses the wasm kernels/, `install said: ${line}; runtime: ${p.origin}`);
});
