/**
 * Found by a hostile test (fixed since): the staging cleanup tells a live export from a dead one by `kill(pid, 0)` on this host name, which is
 * wrong across PID namespaces that share a host name and a folder (two containers with host networking, which
 * take the host's name, on one shared volume; a pod with hostNetwork). An export running in another PID
 * namespace sees the live exporter's `.vaekit-staging-<host>-<pid>` as abandoned (no such pid there) and
 * deletes it mid-write: here a live process's staging folder (pid of a running `sleep`, a file inside) was
 * removed by `vaekit export` run under `unshare --pid --fork --mount-proc` into the same parent.
 * Expected: a staging folder whose owner cannot be shown to be gone is left alone (e.g. record a boot id /
 * pid-namespace id / start time in it, or only remove temporaries older than some age).
 * Needs root and util-linux unshare; skipped otherwise.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stagingName } from '../../../src/io/staged-folder.js';
import { sourceCliArgs, trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';
import { idxDigits } from '../../helpers/idx-digits.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack2-pidns-'));
const vaekit = vaekitFromSource(work);
const canUnshare =
  process.getuid?.() === 0 && spawnSync('unshare', ['-p', '-f', '--mount-proc', 'true']).status === 0;
const live = spawn('sleep', ['600'], { stdio: 'ignore' });

before(() => {
  const r = trainTiny(vaekit, 'vae', idxDigits(100, 50));
  assert.equal(r.code, 0, r.err);
});
after(() => live.kill());

test("an export in another PID namespace does not delete a live exporter's staging folder", {
  skip: !canUnshare && 'needs root and unshare',
}, () => {
  const parent = join(work, 'shared');
  mkdirSync(parent);
  // the staging folder of an export still running (pid alive on this host, in the first namespace)
  const staging = join(parent, stagingName(live.pid as number));
  mkdirSync(staging);
  writeFileSync(join(staging, 'model-card.json'), '{}\n');
  const r = spawnSync(
    'unshare',
    [
      '-p',
      '-f',
      '--mount-proc',
      process.execPath,
      ...sourceCliArgs('export', 'runs/vae', '--format', 'onnx', '-o', join(parent, 'other')),
    ],
    { cwd: work, encoding: 'utf8', timeout: 300_000 },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(
    existsSync(join(staging, 'model-card.json')),
    `the live process ${live.pid}'s staging folder ${staging} was deleted`,
  );
});
