/**
 * Attack on the developer loop in a clone. README: "in a clone of this repository `npm ci` builds them
 * (node-gyp, about 5 s …)"; .ci/run fails CI unless npm ci made build/Release/vaekit_native.node.
 *
 * Found by a hostile test (fixed since): once a clone has run `npm pack` (prepack writes prebuilds/, git-ignored, never removed), its install
 * script takes that prebuilt binary ("vaekit: native kernels: prebuilt binary for linux-x64") and builds
 * nothing: `npm ci` / `npm run install` in the clone no longer builds native/*.cc, so after an edit of the
 * kernels the checkout keeps loading the old binary (build/Release from before, or the packed prebuilt),
 * and a CI cache that keeps prebuilds/ fails .ci/run's build/Release check.
 * Expected: in a clone (sources present, .git) the install builds from source, as the README says.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkoutAddon, fixtureSkip, repo } from './fixture.js';

test('npm run install in a clone that has packed before still builds the addon from source', {
  skip: fixtureSkip,
}, () => {
  const clone = join(mkdtempSync(join(tmpdir(), 'vk-clone-')), 'vaekit');
  execFileSync('git', ['clone', '-q', repo, clone]);
  symlinkSync(join(repo, 'node_modules'), join(clone, 'node_modules'));
  // what `npm pack` leaves behind (prebuilds/ is git-ignored)
  mkdirSync(join(clone, 'prebuilds', 'linux-x64'), { recursive: true });
  cpSync(checkoutAddon, join(clone, 'prebuilds', 'linux-x64', 'node.glibc.node'));
  const r = spawnSync('npm', ['run', 'install', '--foreground-scripts'], {
    cwd: clone,
    env: { ...process.env, npm_config_build_from_source: '' },
    encoding: 'utf8',
    timeout: 600_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, out);
  // observed: "vaekit: native kernels: prebuilt binary for linux-x64 (prebuilds/linux-x64/node.glibc.node)"
  // and no build/
  assert.match(out, /vaekit: native kernels: built from source/, out);
  assert.ok(existsSync(join(clone, 'build', 'Release', 'vaekit_native.node')));
});
