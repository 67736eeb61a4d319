/**
 * Attack on VAEKIT_NATIVE_ADDON naming a good addon whose file name does not end in .node (a build copied
 * as libvaekit.so, vaekit_native.node.bak, a content-addressed cache path). binaryProblem accepts it (a
 * whole ELF shared object for this machine), then the loader hands it to require(), which reads any
 * extension other than .node as JavaScript: "VAEKIT_NATIVE_ADDON=…/libvaekit.so does not load (Invalid or
 * unexpected token); the wasm kernels alone". The line is wrong about the file (it loads: same bytes as
 * the prebuilt), and the user gets the wasm kernels. Expected: the file is loaded as an addon
 * (process.dlopen), or refused with a line that says the name must end in .node.
 */
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixtureSkip, makePackage, probe } from './fixture.js';

test('VAEKIT_NATIVE_ADDON naming a good addon called libvaekit.so', { skip: fixtureSkip }, () => {
  const pkg = makePackage();
  const file = join(pkg, '..', 'libvaekit.so');
  cpSync(join(pkg, 'prebuilds', 'linux-x64', 'node.glibc.node'), file);
  const p = probe(pkg, { VAEKIT_NATIVE_ADDON: file });
  assert.equal(p.status, 0, p.out);
  // observed: "none: VAEKIT_NATIVE_ADDON=…/libvaekit.so does not load (Invalid or unexpected token); …"
  assert.doesNotMatch(p.origin, /Invalid or unexpected token/, p.origin);
  assert.ok(p.loaded || /\.node/.test(p.origin), p.origin);
});
