/**
 * Slice, SplitV and Unpack on wasm (backend/wasm/slice.ts: copies of contiguous runs on the heap, no copy of the
 * whole input first) against the cpu backend: every rank to 6, cuts on inner, outer and several axes, size
 * −1, empty slices, int32 and bool, the SplitV that a concatenation's gradient runs, and unstack.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { compareBackends, setup, values } from './compare.js';

await setup();

/** [shape, begin, size]. */
const CASES: [number[], number[], number[]][] = [
  [[7], [2], [4]],
  [
    [9, 100],
    [3, 0],
    [3, 100],
  ], // whole rows: one run
  [
    [9, 100],
    [0, 10],
    [9, 7],
  ],
  [
    [4, 5, 6, 7],
    [1, 2, 3, 4],
    [2, 3, 2, 3],
  ], // cut on every axis
  [
    [4, 5, 6, 7],
    [0, 0, 0, 2],
    [4, 5, 6, 5],
  ], // the channels
  [
    [4, 5, 6, 7],
    [1, 0, 0, 0],
    [-1, -1, -1, -1],
  ],
  [
    [5, 1, 1, 3],
    [2, 0, 0, 1],
    [3, 1, 1, 2],
  ],
  [
    [2, 3],
    [0, 0],
    [0, 3],
  ], // empty
  [
    [2, 3, 4, 5, 6, 7],
    [1, 1, 1, 1, 1, 1],
    [1, 2, 3, 4, 5, 6],
  ],
  [
    [2, 3, 4, 5, 6],
    [0, 1, 0, 2, 0],
    [2, 1, 4, 2, 6],
  ],
];

test('slices on wasm equal the cpu backend for float32, int32 and bool', async () => {
  for (const [shape, begin, size] of CASES) {
    const n = tf.util.sizeFromShape(shape);
    const v = values(n, n);
    await compareBackends(`slice ${shape} at ${begin} size ${size}`, () => [
      tf.slice(tf.tensor(v, shape), begin, size),
      tf.slice(tf.tensor(v, shape).mul(100).round().toInt(), begin, size).toFloat(),
      tf.slice(tf.tensor(v, shape).greater(0), begin, size).toFloat(),
    ]);
  }
});

test('split along each axis, and the gradient of a concatenation, equal the cpu backend', async () => {
  const shape = [3, 4, 5, 9];
  const v = values(tf.util.sizeFromShape(shape), 7);
  const w = values(tf.util.sizeFromShape(shape) + 3 * 4 * 5 * 2, 8);
  for (const axis of [0, 1, 2, 3]) {
    const sizes = axis === 3 ? [2, 6, 1] : [1, shape[axis] - 1];
    await compareBackends(`split on axis ${axis}`, () => tf.split(tf.tensor(v, shape), sizes, axis));
  }
  // d/da Σ w·concat([a, b], 3): w's matching channels, through SplitV
  await compareBackends('the gradient of a concatenation', () =>
    tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf
        .concat([a, b], 3)
        .mul(tf.tensor(w, [3, 4, 5, 11]))
        .sum(),
    )([tf.tensor(v, shape), tf.ones([3, 4, 5, 2])]),
  );
});

test('unstack along each axis equals the cpu backend', async () => {
  const shape = [3, 4, 2, 5];
  const v = values(tf.util.sizeFromShape(shape), 9);
  for (const axis of [0, 1, 2, 3, -1])
    await compareBackends(`unstack on axis ${axis}`, () => tf.unstack(tf.tensor(v, shape), axis));
});

test('a slice of a disposed-around input keeps its values (no view of the input)', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor(values(60, 3), [3, 4, 5]);
  const expected = x.dataSync().slice(20, 40);
  const y = tf.slice(x, [1, 0, 0], [1, 4, 5]);
  x.dispose();
  tf.randomNormal([3, 4, 5]).dispose(); // reuses the freed memory
  assert.deepEqual(y.dataSync(), expected);
  y.dispose();
});
