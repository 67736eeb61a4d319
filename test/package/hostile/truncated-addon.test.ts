/**
 * Attack on a damaged native binary: a .node file cut short (an interrupted copy, extraction or link; a
 * full disk). Both the install script and the loader dlopen it in their own process, where glibc maps the
 * segments the ELF header promises past the end of the file, and the first touch kills node with SIGBUS.
 *
 * Found by a hostile test (fixed since): the install script, documented to "never fail the install", dies with SIGBUS (exit 135 from a
 * shell, so npm's install fails) when prebuilds/<platform>-<arch>/node.glibc.node is truncated: it loads
 * the candidate with require() in-process (`require(file).threads()`) instead of in a child process.
 *
 * Found by a hostile test (fixed since): every vaekit command dies with "Bus error" (no message from vaekit, no fallback to the prebuilt or
 * to the wasm kernels) when build/Release/vaekit_native.node is truncated, e.g. after a `npm rebuild
 * vaekit --build-from-source` cut off while linking; likewise with VAEKIT_NATIVE_ADDON naming such a file.
 * Expected: the candidate is tried where its death cannot take the process down (or checked first), and the
 * loader falls back and says why.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkoutAddon, fixtureSkip, installScript, makePackage, probe } from './fixture.js';

const skip = fixtureSkip;
/** The checkout's addon cut to its first 64 KiB (headers intact, segments missing). */
const truncated = () => readFileSync(checkoutAddon).subarray(0, 65536);

test('a truncated prebuilt binary does not fail the install script', { skip }, () => {
  const pkg = makePackage();
  writeFileSync(join(pkg, 'prebuilds', 'linux-x64', 'node.glibc.node'), truncated());
  // no node-gyp either: the script must still end with its one line and exit 0
  const r = installScript(pkg, { npm_config_build_from_source: '', PATH: '/nonexistent' });
  // observed: killed by SIGBUS, no output
  assert.equal(r.signal, null, `install script killed by ${r.signal}`);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /vaekit: native kernels: /);
});

test('a truncated build/Release addon falls back instead of killing the process', { skip }, () => {
  const pkg = makePackage();
  mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
  writeFileSync(join(pkg, 'build', 'Release', 'vaekit_native.node'), truncated());
  const p = probe(pkg);
  // observed: killed by SIGBUS before a word
  assert.equal(p.signal, null, `loading the native kernels killed node with ${p.signal}`);
  assert.equal(p.status, 0, p.out);
  assert.notEqual(p.origin, '', p.out);
});
