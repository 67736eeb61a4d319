import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import {
  type ImageBatch as Batch,
  batchCount,
  batches,
  epochBatches,
  epochPermutation,
} from '../../src/data/batches.js';
import type { Dataset } from '../../src/data/dataset.js';

// 23 images of shape [1,2,1]; image i holds (i/100, 0.5) and label i.
const count = 23;
const ds: Dataset = {
  name: 'toy',
  shape: [1, 2, 1],
  count,
  images: Float32Array.from({ length: count * 2 }, (_, k) => (k % 2 ? 0.5 : Math.floor(k / 2) / 100)),
  labels: Int32Array.from({ length: count }, (_, i) => i),
};

const order = (bs: Batch[]) => bs.flatMap((b) => Array.from(b.indices));

test('one epoch covers every index exactly once, with matching images and labels', () => {
  const bs = [...batches(ds, 5, new Rng(1))];
  assert.deepEqual(
    bs.map((b) => b.size),
    [5, 5, 5, 5, 3],
  );
  assert.deepEqual(
    order(bs).sort((a, b) => a - b),
    Array.from({ length: count }, (_, i) => i),
  );
  for (const b of bs) {
    assert.equal(b.x.length, b.size * 2);
    b.indices.forEach((j, i) => {
      assert.equal(b.x[2 * i], Math.fround(j / 100));
      assert.equal(b.labels![i], j);
    });
  }
});

test('dropLast drops the short final batch', () => {
  const bs = [...batches(ds, 5, new Rng(1), { dropLast: true })];
  assert.equal(bs.length, 4);
  assert.equal(batchCount(count, 5, true), 4);
});

test('each epoch is shuffled differently; shuffle=false keeps order', () => {
  const rng = new Rng(2);
  const e1 = order([...batches(ds, 4, rng)]);
  const e2 = order([...batches(ds, 4, rng)]);
  assert.notDeepEqual(e1, e2);
  assert.deepEqual(
    order([...batches(ds, 4, rng, { shuffle: false })]),
    Array.from({ length: count }, (_, i) => i),
  );
});

test('a batch larger than the dataset is an InputError on batchSize', () => {
  assert.throws(
    () => batches(ds, 24, new Rng(0)),
    (e: unknown) => e instanceof InputError && e.details.where === 'batchSize',
  );
  assert.throws(() => batches(ds, 0, new Rng(0)), InputError);
});

test('resuming from batch k yields the same remaining batches (dynamic binarisation included)', () => {
  const opts = { binarization: 'dynamic' as const };
  const rng = new Rng(9);
  const epochStart = rng.state;
  const perm = epochPermutation(count, rng);
  const full: Batch[] = [];
  const states: number[] = [];
  for (const b of epochBatches(ds, perm, 4, 0, rng, opts)) {
    full.push(b);
    states.push(rng.state);
  }
  assert.ok(full.every((b) => b.x.every((v) => v === 0 || v === 1)));
  const k = 2;
  const resumedPerm = epochPermutation(count, Rng.fromState(epochStart));
  const rest = [...epochBatches(ds, resumedPerm, 4, k, Rng.fromState(states[k - 1]), opts)];
  assert.deepEqual(rest, full.slice(k));
});

test('a start batch past the end is an InputError', () => {
  assert.throws(() => epochBatches(ds, epochPermutation(count, new Rng(0)), 4, 7, new Rng(0)), InputError);
});
