/**
 * Found by a hostile test (fixed since): the cleanup of abandoned staging folders is not best-effort: in a folder shared by several users
 * (a sticky, world-writable folder like /tmp or a team's exports folder), one user's export killed mid-write
 * leaves `.vaekit-staging-<host>-<pid>` owned by that user, and from then on every other user's export into
 * that folder fails (exit 2, nothing written), after loading and checking the model, on the rmSync of a folder
 * it may not remove:
 *   vaekit: error: /tmp/ex2/shared/.vaekit-staging-vm-3999999/model-card.json: expected a usable path (unlink),
 *   found no permission (EACCES)
 * Expected: a temporary that cannot be removed is left alone and the export is written.
 * Run as root, the test leaves root's dead staging folder and exports as uid 65534 (skipped otherwise).
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { stagingName } from '../../../src/io/staged-folder.js';
import { cannotRunAsNobody, trainTiny, vaekitAsNobody, vaekitFromSource } from '../../helpers/cli-source.js';
import { idxDigits } from '../../helpers/idx-digits.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack2-other-'));
const vaekit = vaekitFromSource(work);
// vaekit's own temporaries in this process's space are `${own}<pid>`
const own = stagingName(0).slice(0, -1);

before(() => {
  const data = idxDigits(100, 50);
  chmodSync(data, 0o755);
  const r = trainTiny(vaekit, 'vae', data);
  assert.equal(r.code, 0, r.err);
  chmodSync(work, 0o755);
});

test("another user's abandoned staging folder in a shared folder does not stop my export", {
  skip: cannotRunAsNobody(),
}, () => {
  const shared = join(work, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  // what root's export killed with kill -9 leaves: its staging folder, its pid long gone
  const dead = join(shared, `${own}3999999`);
  mkdirSync(dead);
  writeFileSync(join(dead, 'model-card.json'), '{}\n');
  const r = vaekitAsNobody(work, 'export', 'runs/vae', '--format', 'onnx', '-o', join(shared, 'mine'));
  assert.equal(r.code, 0, `exit ${r.code}: ${r.err.trim()}`);
  assert.ok(existsSync(join(shared, 'mine', 'decoder.onnx')));
});
