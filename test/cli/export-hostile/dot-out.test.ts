/**
 * Found by a hostile test (fixed since): `-o <new>/.` or `-o <new>/..` (a path whose last part is . or .., under a folder that does not exist)
 * passes the up-front checks of checkExportFolder (lstat of the path: ENOENT, so "does not exist"; the
 * parent of resolve(path) exists), so vaekit loads the model, builds, checks and writes the whole export,
 * and only then fails at the rename, with an error that names its own staging folder:
 *   vaekit export runs/vae --format tfjs -o p/dot/.
 *   vaekit: error: /tmp/ex2/p/.vaekit-staging-vm-19433 → p/dot/.: expected a usable path (rename), found no
 *   such file or folder (ENOENT)
 * For `-o p/dd/..` the staging folder is even made in the grandparent (resolve('p/dd/..') is p).
 * Expected: refused before anything is loaded or written, with an error about -o (not about a staging
 * folder the user never named) — as the dangling-link case of test/cli/export-hostile/output.test.ts is.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';
import { idxDigits } from '../../helpers/idx-digits.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack2-dot-'));
const vaekit = vaekitFromSource(work);

before(() => {
  const r = trainTiny(vaekit, 'vae', idxDigits(100, 50));
  assert.equal(r.code, 0, r.err);
  mkdirSync(join(work, 'p'));
});

for (const out of ['p/new/.', 'p/new2/..']) {
  test(`-o ${out}: refused up front about -o, not after the export with an error naming vaekit's staging folder`, () => {
    const r = vaekit('export', 'runs/vae', '--format', 'tfjs', '-o', out);
    if (r.code === 0) return; // writing the export somewhere sensible is also fine
    assert.equal(r.code, 2, r.out + r.err);
    assert.doesNotMatch(r.err, /vaekit-staging/, `the error names vaekit's staging folder: ${r.err.trim()}`);
    assert.doesNotMatch(
      r.out,
      /matches the model/,
      `the export was built and checked before being refused: ${r.out}`,
    );
  });
}
