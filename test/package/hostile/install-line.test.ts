/**
 * Attack on the install script's one line ("says truthfully what serves"). The loader takes build/Release
 * before the prebuilt (README: "A build in build/Release comes before a prebuilt binary"), but the install
 * script, when the prebuilt passes its checks and no build from source is asked for, says the prebuilt
 * serves without looking at build/Release, and leaves it there.
 *
 * Reproduce: `npm rebuild vaekit --build-from-source` (build/Release is made), then `npm rebuild vaekit`
 * (back to the default). Seen: the install says "vaekit: native kernels: prebuilt binary for linux-x64
 * (prebuilds/linux-x64/node.glibc.node)" while every later `vaekit train` says "native kernels built from
 * source" and loads build/Release. Expected: the two agree (the script removes the old build, or names it
 * as what serves).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixtureSkip, installScript, makePackage, probe } from './fixture.js';

test("after a build from source, a plain rebuild's line names what the loader then takes", {
  skip: fixtureSkip,
}, () => {
  const pkg = makePackage();
  // what `npm rebuild vaekit --build-from-source` left: a working build of the same sources
  mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
  cpSync(
    join(pkg, 'prebuilds', 'linux-x64', 'node.glibc.node'),
    join(pkg, 'build', 'Release', 'vaekit_native.node'),
  );
  const r = installScript(pkg, { npm_config_build_from_source: '' });
  assert.equal(r.status, 0, r.out);
  const line = /vaekit: native kernels: (.*)/.exec(r.out)?.[1] ?? '';
  const p = probe(pkg);
  assert.equal(p.status, 0, p.out);
  const saysPrebuilt = /^prebuilt binary/.test(line);
  const loadsPrebuilt = /^prebuilt for/.test(p.origin);
  // observed: install "prebuilt binary for linux-x64 (…)", loader "built from source"
  assert.equal(saysPrebuilt, loadsPrebuilt, `install script: "${line}"; the loader then: "${p.origin}"`);
});
