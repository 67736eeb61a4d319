/**
 * Found by a hostile test (fixed since): -o inside a folder the user cannot write (mode 0555, a non-root user) passes the up-front checks of
 * checkExportFolder (it only looks for the parent's existence), so vaekit loads the checkpoint, builds and
 * checks every graph, and then stops with an error about a folder the user never named:
 *   vaekit: error: /tmp/ex2/rop/ro/.vaekit-staging-vm-24026: expected a usable path (mkdir), found no permission (EACCES)
 * Expected: refused before the model is loaded, with an error about -o (its parent is not writable), as
 * a missing parent is ("-o …: expected a folder inside an existing folder"). Run as root, the test drops to
 * uid 65534 with setpriv (skipped where that cannot be done).
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cannotRunAsNobody, trainTiny, vaekitAsNobody, vaekitFromSource } from '../../helpers/cli-source.js';
import { idxDigits } from '../../helpers/idx-digits.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack2-ro-'));
const vaekit = vaekitFromSource(work);

before(() => {
  const data = idxDigits(100, 50);
  chmodSync(data, 0o755);
  const r = trainTiny(vaekit, 'vae', data);
  assert.equal(r.code, 0, r.err);
  chmodSync(work, 0o755);
  mkdirSync(join(work, 'ro'));
  chmodSync(join(work, 'ro'), 0o555);
});

test("-o in a folder the user cannot write: refused about -o, not with an error naming vaekit's staging folder", {
  skip: cannotRunAsNobody(),
}, () => {
  const r = vaekitAsNobody(work, 'export', 'runs/vae', '--format', 'onnx', '-o', join(work, 'ro', 'out'));
  assert.equal(r.code, 2, r.out + r.err);
  assert.doesNotMatch(r.err, /vaekit-staging/, `the error names vaekit's staging folder: ${r.err.trim()}`);
  assert.match(r.err, /-o/, `the error does not name -o: ${r.err.trim()}`);
});
