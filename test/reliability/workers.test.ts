/**
 * Class 9 of issue #13 — resources: more --workers than the machine has cores is refused with a message
 * (64 workers on 2 cores used to run on), before anything is written.
 */

import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertInputError, listTree, TINY, tempDir, tinyIdxDir, vaekitIn } from './cli.js';

test('--workers above the number of cores exits 2 naming the cores', () => {
  const root = tempDir('workers');
  const data = tinyIdxDir(join(root, 'data'));
  const before = listTree(root);
  const cores = availableParallelism();
  for (const workers of [cores + 1, 64]) {
    const r = vaekitIn(root, [
      'train',
      ...TINY,
      '--dataset',
      data,
      '--workers',
      String(workers),
      '--name',
      'w',
    ]);
    assertInputError(
      r,
      new RegExp(`workers.*at most the ${cores} CPU cores.*found ${workers}`),
      `${workers}`,
    );
  }
  assert.deepEqual(listTree(root), before);
});
