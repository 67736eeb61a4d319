/**
 * Attack on the install script's child-process probe of the prebuilt binary: spawnSync(process.execPath,
 * ['-e', 'require(file).threads()']) has no timeout. A prebuilt whose load never returns (an initialiser
 * that blocks: a thread pool waiting on a futex that never comes under some sandbox/seccomp, a dlopen
 * waiting on a lock) hangs `npm install` forever, with no line — the script is documented to "never fail the
 * install" and to say in one line what serves. The sources digest does not help: it covers native/, not the
 * binary.
 *
 * Reproduce: replace prebuilds/linux-x64/node.glibc.node with an N-API addon whose Init is `for (;;)
 * pause();`, run scripts/install-native.cjs. Seen: still running after 45 s (a child `node -e require(…)`
 * blocked). Expected: the probe gives up after some seconds ("does not load here (timed out)") and the
 * script goes on to the build from source or "none", exit 0.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixtureSkip, makePackage } from './fixture.js';

const HANG = `#include <node_api.h>
#include <unistd.h>
static napi_value Init(napi_env env, napi_value exports) { for (;;) pause(); return exports; }
NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
`;
const noGxx = spawnSync('g++', ['--version'], { stdio: 'ignore' }).status !== 0 ? 'no g++' : false;

test('a prebuilt whose load blocks does not hang the install script', {
  skip: fixtureSkip || noGxx,
}, async () => {
  const pkg = makePackage();
  const src = join(pkg, '..', 'hang.cc');
  writeFileSync(src, HANG);
  const out = join(pkg, 'prebuilds', 'linux-x64', 'node.glibc.node');
  const cc = spawnSync(
    'g++',
    [
      '-shared',
      '-fPIC',
      '-I/usr/include/node',
      `-I${join(process.execPath, '..', '..', 'include', 'node')}`,
      '-DNODE_GYP_MODULE_NAME=hang',
      src,
      '-o',
      out,
    ],
    { encoding: 'utf8' },
  );
  if (cc.status !== 0) return assert.fail(`cannot build the blocking addon: ${cc.stderr}`);
  // its own process group, so that the blocked probe (a grandchild) is ended with it
  const child = spawn(process.execPath, [join(pkg, 'scripts', 'install-native.cjs')], {
    cwd: pkg,
    env: { ...process.env, npm_config_build_from_source: '', PATH: '/nonexistent' },
    detached: true,
  });
  let text = '';
  child.stdout.on('data', (d) => (text += d));
  child.stderr.on('data', (d) => (text += d));
  const ended = await new Promise<boolean>((res) => {
    const timer = setTimeout(() => res(false), 45_000);
    child.on('exit', () => {
      clearTimeout(timer);
      res(true);
    });
  });
  if (!ended) process.kill(-(child.pid as number), 'SIGKILL');
  // observed: still running after 45 s, nothing printed
  assert.ok(ended, `install script still running after 45 s; said: ${JSON.stringify(text)}`);
  assert.match(text, /vaekit: native kernels: /);
});
