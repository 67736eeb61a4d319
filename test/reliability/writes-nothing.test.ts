/**
 * Class 3 of issue #13 — "bad input writes nothing". Data shapes and sizes and the model (its memory, its
 * fit to the image size) are validated before the run directory exists, and "training … → runs/X" is
 * printed only after that; so the same command, corrected, is never told "existing run".
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeImageGrid } from '../../src/io/png.js';
import { assertInputError, listTree, TINY, tempDir, tinyIdxDir, vaekitIn } from './cli.js';

test('bad data or an unbuildable model leaves no run directory, and the corrected command then trains', () => {
  const root = tempDir('nothing');
  const data = tinyIdxDir(join(root, 'data'));
  const mixed = tinyIdxDir(join(root, 'mixed'), { side: 8, testSide: 12 });
  const folder = join(root, 'folder');
  mkdirSync(folder);
  const png = encodeImageGrid(new Float32Array(64).fill(0.5), 1, [8, 8, 1], { padding: 0 });
  for (let i = 0; i < 20; i++) writeFileSync(join(folder, `img${i}.png`), png);
  const before = listTree(root);
  const cases: [string, string[], RegExp][] = [
    ['a batch larger than the dataset', ['--dataset', data, '--batch-size', '301'], /batchSize.*300/],
    ['train and test images of different sizes', ['--dataset', mixed], /t10k-images.*8×8×1.*12×12×1/],
    ['an oversize model', ['--dataset', data, '--hidden', '10000000'], /GiB/],
    [
      'an oversize batch of activations',
      ['--dataset', data, '--batch-size', '300', '--hidden', '3000000'],
      /GiB/,
    ],
    [
      'a batch whose activations pass the memory limit',
      ['--dataset', data, '--batch-size', '300', '--hidden', '300000'],
      /activations for a batch of 300/,
    ],
    ['a conv net that does not fit the image', ['--dataset', data, '--filters', '8,8,8,8'], /divisible/],
    [
      'an image folder too large to decode into memory',
      ['--dataset', folder, '--image-size', '4096', '--channels', '3'],
      /at most 2 GiB of decoded images.*--stream/s,
    ],
  ];
  for (const [what, flags, message] of cases) {
    // a conv net takes no --hidden (the two flags choose different networks)
    const tiny = flags.includes('--filters')
      ? TINY.filter((f, i) => f !== '--hidden' && TINY[i - 1] !== '--hidden')
      : TINY;
    const r = vaekitIn(root, ['train', ...tiny, '--runs-dir', 'runs', '--name', 'x', ...flags]);
    assertInputError(r, message, what);
    assert.doesNotMatch(r.out, /training .*→/, `${what}: announced a run that was not started`);
    assert.deepEqual(listTree(root), before, `${what}: something was written`);
  }
  // no dead end: the same name, with the input corrected, trains
  const ok = vaekitIn(root, ['train', ...TINY, '--runs-dir', 'runs', '--name', 'x', '--dataset', data]);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /training vae on .* → runs\/x/);
  assert.ok(existsSync(join(root, 'runs', 'x', 'checkpoints', 'latest.json')));
});

test('a streamed folder whose file fails to decode during the first epoch leaves no run behind', () => {
  const root = tempDir('nothing-stream');
  const folder = join(root, 'folder');
  mkdirSync(folder);
  const png = encodeImageGrid(new Float32Array(64).fill(0.5), 1, [8, 8, 1], { padding: 0 });
  for (let i = 0; i < 20; i++) writeFileSync(join(folder, `img${i}.png`), png);
  writeFileSync(join(folder, 'zz-torn.png'), png.subarray(0, png.length >> 1)); // met only while training
  const before = listTree(root);
  const flags = ['--runs-dir', 'runs', '--name', 'x', '--dataset', folder, '--image-size', '8', '--stream'];
  const small = ['--hidden', '8', '--latent-dim', '2', '--epochs', '1', '--batch-size', '5'];
  const r = vaekitIn(root, ['train', ...small, ...flags]);
  assertInputError(r, /zz-torn\.png/, 'a torn PNG in a streamed folder');
  assert.doesNotMatch(r.err, /read requests/, "pngjs's own wording");
  assert.deepEqual(listTree(root), before, 'the failed run left files behind');
  // the corrected command (skip what does not decode) runs under the same name
  const ok = vaekitIn(root, ['train', ...small, ...flags, '--skip-bad-files']);
  assert.equal(ok.code, 0, ok.err);
});
