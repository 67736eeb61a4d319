/**
 * The "smaller, but do them" list of issue #13: --resume takes no other settings; an IDX folder without
 * its t10k file is named as an IDX folder; a streamed folder reports the files it skipped; a PNG of width
 * 0 is refused; JSON configs refuse duplicate keys as YAML does; `channels: 2` says what is allowed; an
 * empty config file is refused rather than read as "all defaults".
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { decodeImage } from '../../src/io/image.js';
import { encodeImageGrid } from '../../src/io/png.js';
import { readConfigFile } from '../../src/run/parse.js';
import { assertInputError, listTree, TINY, tempDir, tinyIdxDir, vaekitIn } from './cli.js';

const root = tempDir('smaller');
const data = tinyIdxDir(join(root, 'data'));
const vaekit = (...args: string[]) => vaekitIn(root, args);

test('--resume refuses every setting but --epochs and --backend, --runs-dir included', () => {
  const t = vaekit('train', ...TINY, '--dataset', data, '--runs-dir', 'runs', '--name', 'r');
  assert.equal(t.code, 0, t.err);
  const before = listTree(root);
  for (const flags of [
    ['--lr', '0.1'],
    ['--model', 'hvae'],
    ['--dataset', 'mnist'],
    ['--latent-dim', '3'],
    ['-c', 'x.yaml'],
    ['--name', 'other'],
    ['--runs-dir', 'elsewhere'],
    ['--batch-size', '10'],
    ['--seed', '4'],
  ]) {
    const r = vaekit('train', '--resume', join('runs', 'r'), ...flags);
    const shown = flags[0] === '-c' ? '--config' : flags[0];
    assertInputError(
      r,
      new RegExp(`--resume: expected only --epochs and --backend.*found ${shown}`),
      flags[0],
    );
  }
  assert.deepEqual(listTree(root), before);
});

test('an IDX folder missing its t10k file is named as such, not as an empty image folder', () => {
  const half = tinyIdxDir(join(root, 'half'), { t10k: false });
  for (const dataset of [half, join(half, 'train-images-idx3-ubyte')]) {
    const r = vaekit('train', ...TINY, '--dataset', dataset, '--runs-dir', 'runs', '--name', 'h');
    assertInputError(r, /train-images-idx3-ubyte.* but no t10k-images/, dataset);
    assert.doesNotMatch(r.err, /PNG|image files/);
  }
});

test('a PNG (or JPEG) of width or height 0 is refused, not read as a black image', () => {
  const png = encodeImageGrid(new Float32Array(5), 1, [5, 1, 1], { padding: 0 });
  for (const [offset, found] of [
    [16, '0×5'],
    [20, '1×0'],
  ] as const) {
    const bytes = Buffer.from(png);
    bytes.writeUInt32BE(0, offset);
    assert.throws(
      () => decodeImage(bytes, 'zero.png'),
      (e: unknown) => e instanceof InputError && e.message.includes(`at least 1×1 pixel, found ${found}`),
    );
  }
});

test('--stream --skip-bad-files reports how many training files it skipped', () => {
  const folder = join(root, 'stream');
  mkdirSync(folder);
  const png = encodeImageGrid(new Float32Array(64).fill(0.5), 1, [8, 8, 1], { padding: 0 });
  for (let i = 0; i < 100; i++)
    writeFileSync(join(folder, `img${String(i).padStart(3, '0')}.png`), i % 10 === 3 ? 'broken' : png);
  const r = vaekit(
    'train',
    ...TINY,
    '--batch-size',
    '10',
    '--dataset',
    folder,
    '--image-size',
    '8',
    '--channels',
    '1',
    '--stream',
    '--skip-bad-files',
    '--runs-dir',
    'runs',
    '--name',
    's',
  );
  assert.equal(r.code, 0, r.err);
  // all 10 broken files are met: those of the test split when it is read, the rest during the epoch
  assert.match(r.err, /skipped 10 file\(s\) that could not be decoded/);
});

test('config files: duplicate JSON keys, channels 2, an empty file — each refused, naming the field', () => {
  const write = (name: string, text: string) => {
    writeFileSync(join(root, name), text);
    return join(root, name);
  };
  assert.throws(
    () => readConfigFile(write('dup.json', '{"train": {"epochs": 1, "batchSize": 2, "epochs": 3}}')),
    (e: unknown) =>
      e instanceof InputError &&
      /dup\.json\.train: expected each key once, found the key "epochs" twice/.test(e.message),
  );
  assert.throws(
    () => readConfigFile(write('dup.yaml', 'train:\n  epochs: 1\n  epochs: 3\n')),
    (e: unknown) => e instanceof InputError && /unique/.test(e.message),
  );
  for (const [file, message] of [
    [
      write('dup2.json', '{"model": {"latentDim": 2}, "model": {"latentDim": 3}}'),
      /dup2\.json: expected each key once, found the key "model" twice/,
    ],
    [write('ch.yaml', 'data:\n  channels: 2\n'), /ch\.yaml\.data\.channels: expected 1 or 3, found 2/],
    [write('ch.json', '{"data": {"channels": 2}}'), /ch\.json\.data\.channels: expected 1 or 3, found 2/],
    [write('empty.yaml', ''), /empty\.yaml: expected a mapping of config sections.*found an empty file/],
    [write('comments.yaml', '# nothing yet\n'), /found an empty file/],
    [write('empty.json', '{}'), /empty\.json: expected at least one setting/],
    [write('list.yaml', '- 1\n- 2\n'), /found a list/],
  ] as const) {
    const r = vaekit('train', '-c', file, '--runs-dir', 'runs', '--name', 'c');
    assertInputError(r, message, file);
  }
  // a wrong value in the file is refused even when a flag overrides the field
  const typed = write('typed.json', '{"train": {"epochs": "3"}}');
  assertInputError(
    vaekit('train', '-c', typed, '--epochs', '1', '--runs-dir', 'runs', '--name', 'c'),
    /typed\.json\.train\.epochs/,
    'a string epochs overridden by --epochs',
  );
  assert.ok(!existsSync(join(root, 'runs', 'c')), 'nothing was written');
  assert.equal(readFileSync(join(root, 'ch.yaml'), 'utf8'), 'data:\n  channels: 2\n');
});
