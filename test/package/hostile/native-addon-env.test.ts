/**
 * Attack on VAEKIT_NATIVE_ADDON (README: "`VAEKIT_NATIVE_ADDON=<file.node>` loads a given build"; the
 * README's benchmark recipe is `VAEKIT_NATIVE_ADDON=<build> npm run bench …`).
 *
 * Found by a hostile test (fixed since): a relative path never loads. The loader passes the value straight to require() from
 * dist/backend/native.js, so `VAEKIT_NATIVE_ADDON=build/Release/vaekit_native.node` is looked up as a
 * package in node_modules ("Cannot find module 'build/Release/vaekit_native.node'") and
 * `./build/Release/vaekit_native.node` relative to dist/backend/, not to the directory the user is in:
 * "native kernels none for linux-x64 (Cannot find module …): the wasm kernels alone". The file exists.
 *
 * Found by a hostile test (fixed since): an empty VAEKIT_NATIVE_ADDON (`VAEKIT_NATIVE_ADDON= vaekit train`, the usual way to unset it for
 * one command) turns the native kernels off instead of meaning "not set": "none for linux-x64 (The argument
 * 'id' must be a non-empty string. Received ''): the wasm kernels alone" although the prebuilt loads.
 *
 * Found by a hostile test (fixed since): the loader accepts any loadable .node without checking that it is vaekit's (or that it has the
 * kernels this version calls). Given another N-API addon (here one from node_modules) the banner says
 * "native kernels from VAEKIT_NATIVE_ADDON (…)" and training dies at the first matrix product:
 * "vaekit: internal error: TypeError: native.sgemm is not a function … this is a bug in vaekit", exit 1.
 * The same happens with an older vaekit build that lacks a kernel added since. Expected: refuse it at load
 * (missing functions named) and fall back to the wasm kernels, or stop with exit 2 naming the variable.
 *
 * Found by a hostile test (fixed since): a binary for another architecture is reported as missing. VAEKIT_NATIVE_ADDON naming an aarch64
 * .node on x86-64 (or such a file in build/Release) gives "none for linux-x64 (/path/x.node: cannot open
 * shared object file: No such file or directory)" — dlopen's misleading text repeated as is — while the file
 * is there. Expected: the line says it is a binary for another machine (aarch64), not that it is absent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixtureSkip, makePackage, probe, repo } from './fixture.js';

const skip = fixtureSkip;

test('VAEKIT_NATIVE_ADDON with a path relative to the working directory loads that file', { skip }, () => {
  const pkg = makePackage();
  const user = mkdtempSync(join(tmpdir(), 'vk-user-'));
  mkdirSync(join(user, 'builds'));
  cpSync(join(pkg, 'prebuilds', 'linux-x64', 'node.glibc.node'), join(user, 'builds', 'mine.node'));
  for (const given of ['builds/mine.node', './builds/mine.node']) {
    const p = probe(pkg, { VAEKIT_NATIVE_ADDON: given }, user);
    assert.equal(p.status, 0, p.out);
    // observed: "none for linux-x64 (Cannot find module 'builds/mine.node'): the wasm kernels alone"
    assert.ok(p.loaded, `VAEKIT_NATIVE_ADDON=${given} (the file exists in ${user}): ${p.origin}`);
  }
});

test('an empty VAEKIT_NATIVE_ADDON is "not set": the package\'s own binary still loads', { skip }, () => {
  const pkg = makePackage();
  const p = probe(pkg, { VAEKIT_NATIVE_ADDON: '' });
  // observed: "none for linux-x64 (The argument 'id' must be a non-empty string. Received ''): …"
  assert.match(p.origin, /^prebuilt for linux-x64/, p.origin);
});

/** Some N-API addon in node_modules that is not vaekit's (rolldown's, lightningcss's …), or null. */
function foreignAddon(): string | null {
  const seen = new Set<string>();
  const walk = (dir: string, depth: number): string | null => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return null;
    }
    for (const e of entries) {
      const f = join(dir, e);
      if (e.endsWith('.node') && statSync(f).isFile()) return f;
      if (depth > 0 && statSync(f, { throwIfNoEntry: false })?.isDirectory()) {
        const real = realpathSync(f);
        if (seen.has(real)) continue;
        seen.add(real);
        const found = walk(f, depth - 1);
        if (found) return found;
      }
    }
    return null;
  };
  for (const e of readdirSync(join(repo, 'node_modules'))) {
    if (!/rolldown|lightningcss|biome/.test(e)) continue;
    const found = walk(join(repo, 'node_modules', e), 3);
    if (found) return found;
  }
  return null;
}

test("VAEKIT_NATIVE_ADDON naming an addon that is not vaekit's is refused, not a crash in training", {
  skip: skip || (foreignAddon() ? false : 'no other N-API addon in node_modules'),
}, () => {
  const other = foreignAddon()!;
  const runs = mkdtempSync(join(tmpdir(), 'vk-foreign-runs-'));
  const r = spawnSync(
    process.execPath,
    [
      join(repo, 'bin', 'vaekit.js'),
      'train',
      '--epochs',
      '1',
      '--batch-size',
      '900',
      '--hidden',
      '16',
      '--runs-dir',
      runs,
    ],
    { env: { ...process.env, VAEKIT_NATIVE_ADDON: other }, encoding: 'utf8', timeout: 300_000 },
  );
  const out = `${r.stdout}\n${r.stderr}`;
  // observed: banner "native kernels from VAEKIT_NATIVE_ADDON (…)", then
  // "vaekit: internal error: TypeError: native.sgemm is not a function", exit 1
  assert.doesNotMatch(out, /internal error|is not a function/, out);
  assert.ok(r.status === 0 || r.status === 2, `exit ${r.status}: ${out}`);
});

test('an addon built for another architecture is reported as such, not as a missing file', {
  skip:
    skip ||
    (spawnSync('aarch64-linux-gnu-g++', ['--version'], { stdio: 'ignore' }).status === 0
      ? false
      : 'no aarch64-linux-gnu-g++ (apt-get install g++-aarch64-linux-gnu)'),
}, () => {
  const pkg = makePackage();
  const dir = mkdtempSync(join(tmpdir(), 'vk-arm64-addon-'));
  writeFileSync(join(dir, 'a.cc'), 'extern "C" int vaekit_probe() { return 1; }\n');
  const file = join(dir, 'arm64.node');
  const cc = spawnSync('aarch64-linux-gnu-g++', ['-shared', '-fPIC', join(dir, 'a.cc'), '-o', file], {
    encoding: 'utf8',
  });
  assert.equal(cc.status, 0, cc.stderr);
  const p = probe(pkg, { VAEKIT_NATIVE_ADDON: file });
  assert.equal(p.status, 0, p.out);
  assert.ok(!p.loaded);
  // observed: "none for linux-x64 (…/arm64.node: cannot open shared object file: No such file or directory): …"
  assert.doesNotMatch(p.origin, /No such file or directory/, p.origin);
});
