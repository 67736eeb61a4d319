/**
 * Attack on native/binary.cjs's binaryProblem, the "look before dlopen" that is meant to keep a damaged
 * .node from killing the process (the loader dlopens build/Release and VAEKIT_NATIVE_ADDON in-process,
 * after that look alone). The look only checks that the section header table fits in the file; it never
 * looks at what dlopen maps (the PT_LOAD segments), so two damaged binaries pass it and kill node:
 *
 * 1. A binary whose section headers are gone (`llvm-objcopy --strip-sections` / sstrip: e_shoff = 0,
 *    e_shnum = 0 — it loads fine whole) cut short to 64 KiB: its "end" is computed as 0, binaryProblem says
 *    null, and the loader dies with SIGBUS (seen: probe killed by SIGBUS, no output).
 * 2. A binary of the right size whose middle is zeros (a preallocated/sparse download or copy interrupted,
 *    `rsync --inplace` cut off, a disk error): binaryProblem says null, the loader dies with SIGSEGV while
 *    running the zeroed code (seen: probe killed by SIGSEGV).
 *
 * Expected (as for a plain truncated file, test/package/hostile/truncated-addon.test.ts): the loader falls
 * back to the prebuilt or the wasm kernels and says why, e.g. by checking the PT_LOAD segments against the
 * file size, and a recorded digest of the binary itself, or by trying the candidate in a child first.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkoutAddon, fixtureSkip, makePackage, probe } from './fixture.js';

const skip = fixtureSkip;

/** The checkout's addon with its section headers removed (what llvm-objcopy --strip-sections writes). */
function sectionless(): Buffer {
  const b = Buffer.from(readFileSync(checkoutAddon));
  const tmp = join(makePackage(), '..', 'ss.node');
  const r = spawnSync('llvm-objcopy', ['--strip-sections', checkoutAddon, tmp]);
  if (r.status === 0) return readFileSync(tmp);
  // the same by hand: a loader never reads section headers
  b.writeBigUInt64LE(0n, 40);
  b.writeUInt16LE(0, 60);
  b.writeUInt16LE(0, 62);
  return b;
}

test('a section-stripped addon cut short is refused, not dlopened into SIGBUS', { skip }, () => {
  const pkg = makePackage();
  mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
  writeFileSync(join(pkg, 'build', 'Release', 'vaekit_native.node'), sectionless().subarray(0, 65536));
  const p = probe(pkg);
  // observed: signal SIGBUS, nothing printed
  assert.equal(p.signal, null, `loading the native kernels killed node with ${p.signal}`);
  assert.equal(p.status, 0, p.out);
  assert.match(p.origin, /build\/Release/, p.origin);
});

test('an addon of full size with a zeroed middle is refused, not run into SIGSEGV', { skip }, () => {
  const pkg = makePackage();
  const z = Buffer.from(readFileSync(checkoutAddon));
  z.fill(0, 0x4000, Math.min(0x34000, z.length - 0x4000));
  mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
  writeFileSync(join(pkg, 'build', 'Release', 'vaekit_native.node'), z);
  const p = probe(pkg);
  // observed: signal SIGSEGV, nothing printed
  assert.equal(p.signal, null, `loading the native kernels killed node with ${p.signal}`);
  assert.equal(p.status, 0, p.out);
  assert.notEqual(p.origin, '', p.out);
});
