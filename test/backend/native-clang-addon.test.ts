/**
 * The addon built with clang passes the same tests as the GCC build `npm ci` makes: it is built here with
 * node-gyp (CC=clang, CXX=clang++) in a temporary folder, and the backend's tests that run the native kernels
 * run again on it (VAEKIT_NATIVE_ADDON names the file; the tests refuse to skip).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildAddon, nodeGyp, nodeHeaders } from '../helpers/node-gyp.js';

const here = import.meta.dirname;
const clang = spawnSync('clang++', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = !clang
  ? 'no clang++ here (apt-get install clang)'
  : !nodeGyp()
    ? "no node-gyp (npm's own) found"
    : !nodeHeaders()
      ? "no Node headers (include/node/node_api.h) beside node or in npm's nodedir"
      : false;

/** The backend's tests of the addon's kernels: all but the builds of other compilers, this one included. */
const kernelTests = readdirSync(here)
  .filter((f) => f.endsWith('.test.ts') && !/^native-(isa|portable|clang-addon)\./.test(f))
  .map((f) => join(here, f));

test('the addon built with clang loads and passes the native kernels tests', { skip }, () => {
  const addon = buildAddon(mkdtempSync(join(tmpdir(), 'vk-clang-addon-')), { CC: 'clang', CXX: 'clang++' });
  const loaded = createRequire(import.meta.url)(addon) as { compiler(): string; threads(): number };
  assert.match(loaded.compiler(), /^clang /);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=1', ...kernelTests],
    // without NODE_TEST_CONTEXT, which would make that runner report to this one instead of printing
    {
      env: { ...process.env, NODE_TEST_CONTEXT: undefined, VAEKIT_NATIVE_ADDON: addon },
      encoding: 'utf8',
      timeout: 900_000,
    },
  );
  const summary = r.stdout.split('\n').filter((l) => /^# (pass|fail|skipped)/.test(l));
  assert.equal(r.status, 0, `${summary.join(', ')}\n${r.stdout.slice(-4000)}`);
  assert.match(r.stdout, /^# fail 0$/m);
  assert.match(r.stdout, /^# skipped 0$/m, `a test skipped on the clang addon: ${summary.join(', ')}`);
  assert.match(r.stdout, /^# pass [1-9]/m);
});
