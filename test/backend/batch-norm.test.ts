/**
 * batchNormTraining (backend/fused/batch-norm.ts): y, μ, v and the gradients for x, γ and β on wasm — native
 * kernels with the addon, the tf-op chain without — against autodiff of the tf.moments formula on the cpu
 * backend, on odd shapes, with and without the swish taken into the op; and that the returned μ and v carry
 * no gradient.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining } from '../../src/backend/index.js';
import { nativeKernels } from '../../src/backend/native.js';
import { assertClose, nativePaths, runOn, setup, values, withNative } from './compare.js';

await setup();

/**
 * The formula, differentiated by tfjs: y = γ·(x − μ)/√(v + ε) + β with tf.moments over [B, h, w]; with
 * `swish`, y·sigmoid(y) after it.
 */
function plain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  { swish = false }: { swish?: boolean } = {},
) {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const y = tf.add(tf.mul(gamma, tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon)))), beta);
  return { y: swish ? tf.mul(y, tf.sigmoid(y)) : y, mean, variance };
}

/** [y, μ, v, dx, dγ, dβ] of Σ y·w, for x with per-channel offsets and scales (so μ ≠ 0 and v ≠ 1). */
function bnCase(fused: boolean, shape: [number, number, number, number], epsilon: number, swish = false) {
  return () => {
    const C = shape[3];
    const n = tf.util.sizeFromShape(shape);
    const raw = values(n, 1);
    const x = tf.tensor4d(
      raw.map((v, i) => 5 * ((i % C) - C / 2) + (1 + (i % C)) * v),
      shape,
    );
    const gamma = tf.tensor1d(values(C, 2).map((v) => 1 + v));
    const beta = tf.tensor1d(values(C, 3));
    const w = tf.tensor4d(values(n, 4), shape);
    const f = fused ? batchNormTraining : plain;
    const out = f(x, gamma, beta, epsilon, { swish });
    const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, epsilon, { swish }).y, w));
    return [out.y, out.mean, out.variance, ...tf.grads(loss)([x, gamma, beta])];
  };
}

const CASES: [[number, number, number, number], number][] = [
  [[3, 5, 7, 6], 1e-5],
  [[2, 1, 1, 3], 1e-3],
  [[5, 9, 8, 16], 1e-3],
  [[9, 16, 16, 32], 1e-5], // enough rows to be split over the native threads
];

for (const [shape, epsilon] of CASES) {
  for (const swish of [false, true])
    test(`batchNormTraining${swish ? ' with swish' : ''} on [${shape}], ε ${epsilon}: y, μ, v and dx, dγ, dβ on wasm match autodiff of tf.moments on cpu`, async () => {
      const expected = await runOn('cpu', bnCase(false, shape, epsilon, swish));
      for (const native of nativePaths()) {
        const actual = await withNative(native, () => runOn('wasm', bnCase(true, shape, epsilon, swish)));
        for (const [i, e] of expected.entries())
          assertClose(actual[i], e, `[${shape}] (${native ? 'native' : 'wasm'}) output ${i}`, 2e-4);
      }
    });
}

test('with the addon, batch norm with swish runs the norm kernels alone, no swish kernel', {
  skip: nativeKernels() == null,
}, async () => {
  await tf.setBackend('wasm');
  const info = await tf.profile(() => void tf.tidy(bnCase(true, [3, 5, 7, 6], 1e-5, true)));
  const names = new Set(info.kernels.map((k) => k.name));
  assert.ok(names.has('VaekitBatchNorm') && names.has('VaekitBatchNormGrad'), [...names].join(', '));
  for (const other of ['VaekitSwish', 'VaekitSwishGrad', 'Sigmoid'])
    assert.ok(!names.has(other), `${other} ran`);
});

test('batchNormTraining on cpu matches autodiff of tf.moments', async () => {
  const [expected, actual] = [
    await runOn('cpu', bnCase(false, [3, 5, 7, 6], 1e-5)),
    await runOn('cpu', bnCase(true, [3, 5, 7, 6], 1e-5)),
  ];
  for (const [i, e] of expected.entries()) assertClose(actual[i], e, `output ${i}`);
});

test('the returned mean and variance carry no gradient', async () => {
  for (const backend of ['cpu', 'wasm']) {
    for (const native of backend === 'wasm' ? nativePaths() : [false]) {
      const [dx] = await withNative(native, () =>
        runOn(backend, () => {
          const x = tf.tensor4d(values(2 * 3 * 4 * 5, 5), [2, 3, 4, 5]);
          const g = tf.ones([5]) as tf.Tensor1D;
          const b = tf.zeros([5]) as tf.Tensor1D;
          return [
            tf.grad((a: tf.Tensor) => {
              const { mean, variance } = batchNormTraining(a as tf.Tensor4D, g, b, 1e-5);
              return tf.add(tf.sum(mean), tf.sum(variance));
            })(x),
          ];
        }),
      );
      assert.ok(
        dx.every((v) => v === 0),
        `${backend}${native ? ' native' : ''}: a gradient came through μ or v`,
      );
    }
  }
});

test('the native variance is accurate when |μ| ≫ σ (shifted sums)', {
  skip: nativeKernels() == null,
}, async () => {
  const shape: [number, number, number, number] = [4, 8, 8, 3];
  const x = Float32Array.from(values(tf.util.sizeFromShape(shape), 6).map((v) => 1000 + 0.01 * v));
  const [variance] = await runOn('wasm', () => [
    batchNormTraining(tf.tensor4d(x, shape), tf.ones([3]), tf.zeros([3]), 1e-5).variance,
  ]);
  for (let c = 0; c < 3; c++) {
    const xs = x.filter((_, i) => i % 3 === c);
    const m = xs.reduce((a, v) => a + v, 0) / xs.length;
    const v = xs.reduce((a, u) => a + (u - m) ** 2, 0) / xs.length; // in double, of the float32 inputs
    assert.ok(Math.abs(variance[c] - v) <= 1e-4 * v, `channel ${c}: variance ${variance[c]}, expected ${v}`);
  }
});

test('a NaN in a channel makes its native mean and variance NaN, not a variance of 0', {
  skip: nativeKernels() == null,
}, async () => {
  const shape: [number, number, number, number] = [2, 3, 3, 2];
  const x = Float32Array.from(values(tf.util.sizeFromShape(shape), 9));
  x[4] = Number.NaN; // channel 0
  const [mean, variance] = await runOn('wasm', () => {
    const r = batchNormTraining(tf.tensor4d(x, shape), tf.ones([2]), tf.zeros([2]), 1e-5);
    return [r.mean, r.variance];
  });
  assert.ok(Number.isNaN(mean[0]) && Number.isNaN(variance[0]), `channel 0: ${mean[0]}, ${variance[0]}`);
  assert.ok(Number.isFinite(mean[1]) && Number.isFinite(variance[1]), 'channel 1 is untouched');
});

test('on wasm with the addon batch norm runs its native kernels', {
  skip: nativeKernels() == null,
}, async () => {
  await tf.setBackend('wasm');
  const info = await tf.profile(() => void tf.tidy(bnCase(true, [3, 5, 7, 6], 1e-5)));
  const names = new Set(info.kernels.map((k) => k.name));
  for (const k of ['VaekitBatchNormStats', 'VaekitBatchNorm', 'VaekitBatchNormGrad'])
    assert.ok(names.has(k), `${k} did not run: ${[...names].join(', ')}`);
});
