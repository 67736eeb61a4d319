import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { InputError } from '../../src/core/errors.js';
import { writeIdx } from '../../src/data/idx.js';
import { loadIdxPair } from '../../src/data/idxdataset.js';
import { loadDataset } from '../../src/data/load.js';

/** Write `n` 2x3 ubyte images (image i filled with value i) and their labels i % 10. */
function writePair(dir: string, prefix: string, n: number, gzip = false): void {
  const ext = gzip ? '.gz' : '';
  const images = Uint8Array.from({ length: n * 6 }, (_, k) => Math.floor(k / 6));
  writeIdx(join(dir, `${prefix}-images-idx3-ubyte${ext}`), { dims: [n, 2, 3], data: images }, { gzip });
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  writeIdx(join(dir, `${prefix}-labels-idx1-ubyte${ext}`), { dims: [n], data: labels }, { gzip });
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'vaekit-load-'));

test('an MNIST-style IDX directory keeps its own train/test split', () => {
  const dir = tempDir();
  writePair(dir, 'train', 12, true);
  writePair(dir, 't10k', 4);
  const { train, test: t } = loadDataset(dir);
  assert.equal(train.count, 12);
  assert.equal(t.count, 4);
  assert.deepEqual(train.shape, [2, 3, 1]);
  assert.equal(train.images[6], Math.fround(1 / 255));
  assert.deepEqual(Array.from(t.labels!), [0, 1, 2, 3]);
  assert.equal(loadDataset(join(dir, 'train-images-idx3-ubyte.gz')).train.count, 12);
});

test('a lone IDX images file is split 90/10 with its sibling labels', () => {
  const dir = tempDir();
  writePair(dir, 'digits', 20);
  const { train, test: t } = loadDataset(join(dir, 'digits-images-idx3-ubyte'));
  assert.equal(train.count, 18);
  assert.equal(t.count, 2);
  for (const ds of [train, t]) {
    for (let i = 0; i < ds.count; i++) assert.equal(ds.labels![i], Math.round(ds.images[i * 6] * 255) % 10);
  }
});

test('loadIdxPair rejects labels whose count differs from the images', () => {
  const dir = tempDir();
  writePair(dir, 'a', 5);
  writePair(dir, 'b', 6);
  assert.throws(
    () => loadIdxPair(join(dir, 'a-images-idx3-ubyte'), join(dir, 'b-labels-idx1-ubyte')),
    (e: unknown) => e instanceof InputError && /b-labels/.test(e.details.where),
  );
});

test('a directory of images loads as an image folder only when image options are given', () => {
  const dir = tempDir();
  for (let i = 0; i < 10; i++) {
    writeFileSync(join(dir, `${i}.png`), PNG.sync.write(new PNG({ width: 3, height: 3 })));
  }
  assert.throws(
    () => loadDataset(dir),
    (e: unknown) => e instanceof InputError && /train-images/.test(e.message),
  );
  const { train, test: t } = loadDataset(dir, { image: { size: 2, channels: 1 } });
  assert.equal(train.count + t.count, 10);
});

test('an unknown name is an InputError on the dataset', () => {
  assert.throws(
    () => loadDataset('cifar-11'),
    (e: unknown) => e instanceof InputError && e.details.where === 'dataset',
  );
});
