/**
 * Found by a hostile test (fixed since): the staging cleanup of `vaekit export` (src/io/staged-folder.ts, removeAbandoned) deletes, recursively,
 * any entry beside -o whose name starts with `.vaekit-staging-<host>-` and whose tail is not the pid of a live
 * process — including tails that are not pids at all (Number('my-notes') is NaN, pidAlive(NaN) is false).
 * A user's own folder `.vaekit-staging-<host>-my-notes` (or a file of that name) in the parent of -o is gone
 * after an export: observed `ls -a` of the parent after `vaekit export runs/vae --format onnx -o st/out` held
 * only `out` and `.vaekit-staging-<host>-1` (pid 1 is alive); `.vaekit-staging-<host>-my-notes/keep.txt` was removed.
 * Expected: only vaekit's own temporaries (`.vaekit-staging-<host>-<digits>` of a dead pid) are ever removed.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { stagingName } from '../../../src/io/staged-folder.js';
import { trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';
import { idxDigits } from '../../helpers/idx-digits.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack2-staging-'));
const vaekit = vaekitFromSource(work);
// vaekit's own temporaries in this process's space are `${own}<pid>`
const own = stagingName(0).slice(0, -1);

before(() => {
  const r = trainTiny(vaekit, 'vae', idxDigits(100, 50));
  assert.equal(r.code, 0, r.err);
});

test("an export never removes a user's folder whose name merely starts with .vaekit-staging-<host>- (not a pid)", () => {
  const parent = join(work, 'exports');
  mkdirSync(parent);
  const mine = join(parent, `${own}my-notes`);
  mkdirSync(mine);
  writeFileSync(join(mine, 'keep.txt'), 'precious\n');
  const file = join(parent, `${own}2024.bak`);
  writeFileSync(file, 'also mine\n');
  const r = vaekit('export', 'runs/vae', '--format', 'onnx', '-o', join(parent, 'vae'));
  assert.equal(r.code, 0, r.err);
  assert.ok(
    existsSync(join(mine, 'keep.txt')),
    `${mine} (not vaekit's: its tail is no pid) was deleted by the export`,
  );
  assert.equal(readFileSync(join(mine, 'keep.txt'), 'utf8'), 'precious\n');
  assert.ok(existsSync(file), `the file ${file} was deleted by the export`);
});
