/**
 * From a hostile round: second-order gradients (tf.grad of tf.grad, as in a gradient penalty or a
 * Hessian-vector product) through a sum or mean of a rank-5 or rank-6 tensor. The broadcast gradient of
 * fused/reduce-grad.ts is a Tile, and tfjs 4.22 has a Tile gradient only up to rank 4, so above it the
 * gradient keeps tfjs's formula (dy · ones, a Mul), which differentiates at any rank.
 */
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertClose, runOn, setup, values, withNative } from '../compare.js';

await setup();

const backends: [string, boolean][] = [
  ['cpu', true],
  ['wasm', true],
  ['wasm', false],
];

/** d/dx Σ w·(∂/∂x Σ reduce(x²)²): the Sum/Mean gradient differentiated again. */
function secondOrder(shape: number[], axes: number[], mean: boolean) {
  return () => {
    const n = tf.util.sizeFromShape(shape);
    const x = tf.tensor(values(n, 4), shape);
    const w = tf.tensor(values(n, 5), shape);
    const red = (t: tf.Tensor) => (mean ? tf.mean(t, axes) : tf.sum(t, axes));
    const inner = (u: tf.Tensor) => red(u.square()).square().sum();
    return [tf.grad((t: tf.Tensor) => tf.grad(inner)(t).mul(w).sum())(x)];
  };
}

/** Each case beside the same numbers at rank 4 (axes merged or unit axes dropped), where Tile has a gradient. */
const cases: [string, () => tf.Tensor[], () => tf.Tensor[]][] = [
  [
    'sum over the last axis of a rank-5 tensor',
    secondOrder([2, 3, 2, 2, 3], [4], false),
    // the same numbers as rank 4 (the leading axes merged), where Tile has a gradient
    () => secondOrder([24, 1, 1, 3], [3], false)(),
  ],
  [
    'mean over axes 1 and 3 of a rank-6 tensor',
    secondOrder([2, 2, 1, 3, 1, 2], [1, 3], true),
    () => {
      // [2, 2, 1, 3, 1, 2] with axes 1, 3 ≡ [2, 2, 3, 2] with axes 1, 2 (the unit axes dropped)
      const n = 24;
      const x = tf.tensor(values(n, 4), [2, 2, 3, 2]);
      const w = tf.tensor(values(n, 5), [2, 2, 3, 2]);
      const inner = (u: tf.Tensor) => tf.mean(u.square(), [1, 2]).square().sum();
      return [tf.grad((t: tf.Tensor) => tf.grad(inner)(t).mul(w).sum())(x)];
    },
  ],
];

for (const [name, f, reference] of cases) {
  for (const [backend, native] of backends) {
    test(`second-order gradient, ${name}, on ${backend}${native ? '' : ' without the addon'}`, async () => {
      const expected = await withNative(native, () => runOn(backend, reference));
      const actual = await withNative(native, () => runOn(backend, f));
      assertClose(actual[0], expected[0], name);
    });
  }
}
