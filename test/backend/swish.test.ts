/**
 * swish (backend/fused/swish.ts): forward and gradient on wasm — native kernels with the addon, the tf-op
 * chain without — against the cpu backend's x·sigmoid(x) and its autodiff, over both tails.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { swish } from '../../src/backend/index.js';
import { nativeKernels } from '../../src/backend/native.js';
import { assertClose, nativePaths, runOn, setup, values, withNative } from './compare.js';

await setup();

const SHAPE = [5, 33, 31, 17]; // 87k elements: split over the native threads
const N = tf.util.sizeFromShape(SHAPE);
/** x over [−40, 40], denser near 0, with 0 itself. */
const X = values(N, 1).map((v, i) => (i % 17 === 0 ? 0 : 40 * v * Math.abs(v)));
const W = values(N, 2);

/** [y, dΣ(y·w)/dx] with the fused op or the tf-op formula. */
function swishCase(fused: boolean) {
  return () => {
    const x = tf.tensor(X, SHAPE);
    const w = tf.tensor(W, SHAPE);
    const f = (a: tf.Tensor) => (fused ? swish(a) : tf.mul(a, tf.sigmoid(a)));
    return [f(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), w)))(x)];
  };
}

test('swish and its gradient on wasm (native and not) match the tf-op formula on cpu', async () => {
  const expected = await runOn('cpu', swishCase(false));
  for (const native of nativePaths()) {
    const actual = await withNative(native, () => runOn('wasm', swishCase(true)));
    for (const [i, e] of expected.entries())
      assertClose(actual[i], e, `swish (${native ? 'native' : 'wasm'}) output ${i}`);
  }
});

test('swish on cpu is the tf-op formula', async () => {
  const [expected, actual] = [await runOn('cpu', swishCase(false)), await runOn('cpu', swishCase(true))];
  for (const [i, e] of expected.entries()) assertClose(actual[i], e, `output ${i}`);
});

test('on wasm with the addon swish runs one native kernel each way', {
  skip: nativeKernels() == null,
}, async () => {
  await tf.setBackend('wasm');
  const info = await tf.profile(() => void tf.tidy(swishCase(true)));
  const names = new Set(info.kernels.map((k) => k.name));
  assert.ok(names.has('VaekitSwish') && names.has('VaekitSwishGrad'), [...names].join(', '));
  assert.ok(!names.has('Sigmoid'), 'the tf-op chain ran');
});
