/**
 * Attack on the "built from source at install" path of the README's platform table (macOS, musl, other
 * CPUs), under the npm this project documents (npm 11: a dependency's install script runs only once approved
 * with `npm install-scripts approve vaekit`; `npm install-scripts ls` in a fresh consumer lists vaekit as
 * not yet covered, and no build/ is made).
 *
 * Found by a hostile test (fixed since): on a platform with no prebuilt binary, a plain `npm install vaekit` therefore builds nothing, and the
 * only thing the user is told — `vaekit train`'s banner — is "native kernels none for linux-x64 (No native
 * build was found for platform=linux arch=x64 runtime=node abi=115 uv=1 libc=glibc node=20.20.2): the wasm
 * kernels alone": nothing says the kernels can be had (approve the install script, or `npm rebuild vaekit`),
 * although that is about 2× (MLP) to 4.5× (conv) the training speed by the README's own table.
 * Expected: when no binary is found, the line names the way to build one.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixtureSkip, makePackage, probe } from './fixture.js';

test('with no binary for the platform, the native-kernels line says how to build one', {
  skip: fixtureSkip,
}, () => {
  const pkg = makePackage();
  // a platform the package has no prebuilt binary for, installed by npm 11 without approving the script
  rmSync(join(pkg, 'prebuilds'), { recursive: true });
  const p = probe(pkg);
  assert.equal(p.status, 0, p.out);
  assert.match(p.origin, /^none /);
  // observed: "none for linux-x64 (No native build was found for platform=linux arch=x64 …): the wasm kernels alone"
  assert.match(p.origin, /npm rebuild vaekit|install-scripts approve vaekit|--build-from-source/, p.origin);
});
