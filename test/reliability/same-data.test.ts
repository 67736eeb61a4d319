/**
 * A run reads the data it was trained on, from any folder, or refuses: its config.json names the dataset by an
 * absolute path and records a digest of the images, and every reader (resume, eval, encode, reconstruct, serve)
 * compares it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertInputError, tempDir, tinyIdxDir, vaekitIn } from './cli.js';

const TINY = ['--hidden', '8', '--latent-dim', '2', '--epochs', '1', '--batch-size', '50', '--seed', '3'];
const EVAL = ['--limit', '10', '--k', '4', '--iwae-k', '2'];

/** The same IDX folder with every pixel inverted: the same size, other images. */
function invert(dir: string): void {
  for (const f of ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte']) {
    const b = readFileSync(join(dir, f));
    for (let i = 16; i < b.length; i++) b[i] = 255 - b[i];
    writeFileSync(join(dir, f), b);
  }
}

test('a relative dataset path is stored absolute: eval from another folder scores the same data', () => {
  const root = tempDir('same-data');
  tinyIdxDir(join(root, 'digits'));
  const r = vaekitIn(root, ['train', '--dataset', 'digits', '--runs-dir', 'runs', '--name', 'a', ...TINY]);
  assert.equal(r.code, 0, r.err);
  const config = JSON.parse(readFileSync(join(root, 'runs', 'a', 'config.json'), 'utf8'));
  assert.equal(config.data.dataset, join(root, 'digits'));
  assert.match(config.dataDigest, /^[0-9a-f]{32}$/);
  // another folder with a folder of the same name holding other images
  const other = join(root, 'other');
  mkdirSync(other);
  tinyIdxDir(join(other, 'digits'));
  invert(join(other, 'digits'));
  const here = vaekitIn(root, ['eval', 'runs/a', ...EVAL]);
  const there = vaekitIn(other, ['eval', '../runs/a', ...EVAL]);
  assert.equal(here.code, 0, here.err);
  assert.equal(there.code, 0, there.err);
  const number = (out: string) => out.match(/ELBO[^\n]*?(-?\d+\.\d+)/)?.[1];
  assert.ok(number(here.out), `no ELBO in the output:\n${here.out}`);
  assert.equal(number(there.out), number(here.out), `${here.out}\n---\n${there.out}`);
});

test('data that changed since the run was created is refused by every reader, naming config.json', () => {
  const root = tempDir('changed-data');
  const data = tinyIdxDir(join(root, 'digits'));
  const r = vaekitIn(root, ['train', '--dataset', data, '--runs-dir', 'runs', '--name', 'a', ...TINY]);
  assert.equal(r.code, 0, r.err);
  invert(data);
  for (const args of [
    ['eval', 'runs/a', ...EVAL],
    ['train', '--resume', 'runs/a', '--epochs', '2'],
    ['encode', 'runs/a', '-o', 'z.csv'],
    ['reconstruct', 'runs/a', '-o', 'r.png'],
    ['serve', 'runs/a', '--port', '0'],
  ]) {
    const c = vaekitIn(root, args);
    assertInputError(c, /config\.json data\.dataset.*the images the run was trained on/, args.join(' '));
  }
});

test('a run whose dataset is gone says that the name comes from config.json', () => {
  const root = tempDir('gone-data');
  const data = tinyIdxDir(join(root, 'digits'));
  const r = vaekitIn(root, ['train', '--dataset', data, '--runs-dir', 'runs', '--name', 'a', ...TINY]);
  assert.equal(r.code, 0, r.err);
  const config = join(root, 'runs', 'a', 'config.json');
  const c = JSON.parse(readFileSync(config, 'utf8'));
  writeFileSync(config, JSON.stringify({ ...c, data: { ...c.data, dataset: join(root, 'nowhere') } }));
  assertInputError(vaekitIn(root, ['eval', 'runs/a', ...EVAL]), /config\.json data\.dataset/);
});
