import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { FASHION_MNIST_DIR, loadBuiltin } from '../../src/data/builtin.js';
import type { Dataset } from '../../src/data/dataset.js';

function assertImages(ds: Dataset, count: number): void {
  assert.equal(ds.count, count);
  assert.deepEqual(ds.shape, [28, 28, 1]);
  assert.equal(ds.images.length, count * 784);
  assert.ok(ds.images.every((v) => v >= 0 && v <= 1));
  assert.ok(ds.images.some((v) => v > 0.5));
  assert.equal(ds.labels!.length, count);
  assert.deepEqual([...new Set(ds.labels)].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

test('mnist: 9000 train / 1000 test, 28x28x1 in [0,1], labels 0..9', () => {
  const { train, test: t } = loadBuiltin('mnist');
  assertImages(train, 9000);
  assertImages(t, 1000);
});

test('mnist: the split is the same on every call', () => {
  const a = loadBuiltin('mnist');
  const b = loadBuiltin('mnist');
  assert.deepEqual(a.test.labels, b.test.labels);
  assert.deepEqual(a.test.images, b.test.images);
  assert.deepEqual(a.train.labels, b.train.labels);
});

test('fashion-mnist: 60000 train / 10000 test', (t) => {
  if (!existsSync(FASHION_MNIST_DIR)) {
    t.skip('dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)');
    return;
  }
  const { train, test: te } = loadBuiltin('fashion-mnist');
  assertImages(train, 60000);
  assertImages(te, 10000);
});

test('fashion-mnist: a missing directory is an InputError with the apt hint', () => {
  assert.throws(
    () => loadBuiltin('fashion-mnist', { dir: '/nonexistent/fashion' }),
    (e: unknown) =>
      e instanceof InputError && /apt-get install dataset-fashion-mnist/.test(e.details.hint ?? ''),
  );
});
