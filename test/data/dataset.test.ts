import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { type Dataset, imageSize, splitDataset, splitIndices, subset } from '../../src/data/dataset.js';

const ds: Dataset = {
  name: 'toy',
  shape: [1, 2, 1],
  count: 4,
  images: Float32Array.from([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]),
  labels: Int32Array.from([0, 1, 2, 3]),
};

test('imageSize is h*w*c', () => {
  assert.equal(imageSize({ shape: [28, 28, 3] }), 2352);
});

test('subset picks images and labels in the given order', () => {
  const s = subset(ds, [3, 1]);
  assert.equal(s.count, 2);
  assert.deepEqual(Array.from(s.images), Array.from(Float32Array.from([0.6, 0.7, 0.2, 0.3])));
  assert.deepEqual(Array.from(s.labels!), [3, 1]);
  assert.throws(() => subset(ds, [4]), RangeError);
});

test('splitIndices partitions 0..n-1 deterministically', () => {
  const a = splitIndices(100, 0.2, 5);
  assert.equal(a.test.length, 20);
  assert.deepEqual(
    [...a.train, ...a.test].sort((x, y) => x - y),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.deepEqual(splitIndices(100, 0.2, 5), a);
  assert.notDeepEqual(splitIndices(100, 0.2, 6).test, a.test);
  assert.throws(() => splitIndices(10, 1), InputError);
});

test('splitDataset keeps every image once', () => {
  const { train, test: t } = splitDataset(ds, 0.25);
  assert.equal(train.count + t.count, 4);
  assert.deepEqual([...train.labels!, ...t.labels!].sort(), [0, 1, 2, 3]);
});
