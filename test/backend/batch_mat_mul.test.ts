import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { batchMatMulConfig } from '../../src/backend/wasm/batch_mat_mul.js';
import { compareBackends, setup, values } from './compare.js';

await setup();

/** matMul(a, b) alone (tfjs has no gradient for broadcast batch dims). */
function matMulOnly(aShape: number[], bShape: number[], tA: boolean, tB: boolean): () => tf.Tensor[] {
  return () => {
    const a = tf.tensor(values(tf.util.sizeFromShape(aShape), 1), aShape);
    const b = tf.tensor(values(tf.util.sizeFromShape(bShape), 2), bShape);
    return [tf.matMul(a, b, tA, tB)];
  };
}

/** matMul(a, b) and its gradients d/da, d/db of Σ w ⊙ matMul(a, b) (w breaks symmetry). */
function matMulAndGrads(aShape: number[], bShape: number[], tA: boolean, tB: boolean): () => tf.Tensor[] {
  return () => {
    const a = tf.tensor(values(tf.util.sizeFromShape(aShape), 1), aShape);
    const b = tf.tensor(values(tf.util.sizeFromShape(bShape), 2), bShape);
    const y = tf.matMul(a, b, tA, tB);
    const w = tf.tensor(values(y.size, 3), y.shape);
    const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, tA, tB), w)))([
      a,
      b,
    ]);
    return [y, da, db];
  };
}

/** Operand shapes for op(A) = [m, k], op(B) = [k, n] with batch dims in front. */
function shapes(
  m: number,
  k: number,
  n: number,
  tA: boolean,
  tB: boolean,
  batchA: number[],
  batchB: number[],
) {
  return [
    [...batchA, ...(tA ? [k, m] : [m, k])],
    [...batchB, ...(tB ? [n, k] : [k, n])],
  ];
}

test('patched BatchMatMul is the registered wasm kernel', () => {
  assert.equal(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc, batchMatMulConfig.kernelFunc);
});

for (const [tA, tB] of [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
]) {
  const tag = `transposeA=${tA} transposeB=${tB}`;
  test(`matMul 3x5x7 ${tag}: forward and gradients match cpu`, async () => {
    const [aS, bS] = shapes(3, 5, 7, tA, tB, [], []);
    await compareBackends(tag, matMulAndGrads(aS, bS, tA, tB));
  });
  test(`matMul 67x45x33 ${tag} (XNNPACK tiling, ragged edges) matches cpu`, async () => {
    const [aS, bS] = shapes(67, 45, 33, tA, tB, [], []);
    await compareBackends(tag, matMulAndGrads(aS, bS, tA, tB));
  });
  test(`batched matMul [2,3]x(3x5x7) ${tag} matches cpu`, async () => {
    const [aS, bS] = shapes(3, 5, 7, tA, tB, [2, 3], [2, 3]);
    await compareBackends(tag, matMulAndGrads(aS, bS, tA, tB));
  });
  test(`broadcast batch: A batched, B shared, ${tag} matches cpu`, async () => {
    const [aS, bS] = shapes(3, 5, 7, tA, tB, [4], []);
    await compareBackends(tag, matMulOnly(aS, bS, tA, tB));
  });
  test(`broadcast batch: A shared, B batched, ${tag} matches cpu`, async () => {
    const [aS, bS] = shapes(3, 5, 7, tA, tB, [1], [4]);
    await compareBackends(tag, matMulOnly(aS, bS, tA, tB));
  });
}

test('vector-like shapes (m = 1, n = 1, k = 1) match cpu', async () => {
  await compareBackends('1x9x4', matMulAndGrads([1, 9], [9, 4], false, false));
  await compareBackends('6x9x1 T', matMulAndGrads([9, 6], [1, 9], true, true));
  await compareBackends('5x1x3', matMulAndGrads([5, 1], [3, 1], false, true));
});
