/**
 * The gradients of Sum and Mean (backend/fused/reduce-grad.ts: dy broadcast, not multiplied by a ones
 * tensor) on wasm and cpu, over one, several, negative and all axes, with and without keepDims, against
 * the gradient written out element by element; and that no ones tensor of the input's shape is made.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertClose, runOn, setup, values } from './compare.js';

await setup();

const SHAPE = [3, 4, 5];
const X = values(60, 1);

/** d Σ(w ⊙ reduce(x)) / dx at index (i, j, k): w at the reduced index, divided by |axes| for mean. */
function expected(axes: number[], mean: boolean): Float32Array {
  const keptShape = SHAPE.map((n, d) => (axes.includes(d) ? 1 : n));
  const w = values(tf.util.sizeFromShape(keptShape), 2);
  const size = axes.reduce((s, d) => s * SHAPE[d], 1);
  const out = new Float32Array(60);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 4; j++)
      for (let k = 0; k < 5; k++) {
        const at = [i, j, k].map((v, d) => (axes.includes(d) ? 0 : v));
        const wi = (at[0] * keptShape[1] + at[1]) * keptShape[2] + at[2];
        out[(i * 4 + j) * 5 + k] = w[wi] / (mean ? size : 1);
      }
  return out;
}

const CASES: { axis: number | number[]; axes: number[] }[] = [
  { axis: 0, axes: [0] },
  { axis: -1, axes: [2] },
  { axis: [0, 2], axes: [0, 2] },
  { axis: [1, 2], axes: [1, 2] },
  { axis: [0, 1, 2], axes: [0, 1, 2] },
];

test('the gradients of sum and mean equal dy broadcast over the reduced axes, on wasm and cpu', async () => {
  for (const backend of ['wasm', 'cpu'])
    for (const { axis, axes } of CASES)
      for (const mean of [false, true])
        for (const keepDims of [false, true]) {
          const [grad] = await runOn(backend, () => {
            const keptShape = SHAPE.map((n, d) => (axes.includes(d) ? 1 : n));
            const outShape = keepDims ? keptShape : SHAPE.filter((_, d) => !axes.includes(d));
            const w = tf.tensor(values(tf.util.sizeFromShape(keptShape), 2), outShape);
            const reduce = (x: tf.Tensor) => (mean ? tf.mean(x, axis, keepDims) : tf.sum(x, axis, keepDims));
            return [tf.grad((x: tf.Tensor) => tf.sum(tf.mul(reduce(x), w)))(tf.tensor(X, SHAPE))];
          });
          assertClose(
            grad,
            expected(axes, mean),
            `${backend} ${mean ? 'mean' : 'sum'} axis ${axis} keepDims ${keepDims}`,
          );
        }
});

test('the sum of an int32 tensor has a float32 gradient of ones', async () => {
  await tf.setBackend('wasm');
  const g = tf.grad((x: tf.Tensor) => tf.sum(x))(tf.tensor([1, 2, 3], [3], 'int32'));
  assert.equal(g.dtype, 'float32');
  assert.deepEqual(Array.from(g.dataSync()), [1, 1, 1]);
});

test('the mean gradient on wasm makes no ones tensor of the input shape', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor(X, SHAPE);
  const info = await tf.profile(() => void tf.grad((t: tf.Tensor) => tf.mean(t, [1, 2]).sum())(x));
  const full = info.kernels.filter(
    (k) => k.name === 'Multiply' && k.outputShapes.some((s) => String(s) === '3,4,5'),
  );
  assert.deepEqual(full, [], 'dy was multiplied by a ones tensor');
});
