/**
 * The discretised logistic mixture's log-likelihood (distributions/logistic-mixture.ts): on wasm — one native
 * kernel each way with the addon (backend/fused/logistic-mixture.ts), the tf-op formula without — against the
 * tf-op formula on the cpu backend, value and gradient for the parameters, with every branch of the formula
 * taken: the edge bins (x = 0 and 1), the bin mass σ(p) − σ(m) above 1e−5 and below it (sharp components far
 * from x), and log scales below the clamp at −7.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { nativeKernels } from '../../src/backend/native.js';
import { LogisticMixture } from '../../src/distributions/index.js';
import { assertClose, nativePaths, runOn, setup, values, withNative } from './compare.js';

await setup();

const SHAPE = [5, 17, 19, 3]; // N = 4845 elements: split over the native threads, and a ragged last chunk
const N = tf.util.sizeFromShape(SHAPE);
/** Every 8-bit level, 0 and 1 (the edge bins) among them. */
const X = Float32Array.from({ length: N }, (_, i) => ((i * 37) % 256) / 255);
const W = values(N, 7);

/**
 * params [B, h, w, c·3K]: logits in [−4, 4], pre-tanh locations in [−3, 3], log scales in [−9, 1] (some below
 * the clamp; the sharpest components put bins far from their location at a mass below 1e−5).
 */
function paramsFor(K: number): Float32Array {
  const u = values(N * 3 * K, 10 + K);
  return u.map((v, j) => {
    const block = Math.floor((j % (3 * K)) / K);
    return block === 0 ? 4 * v : block === 1 ? 3 * v : -4 + 5 * v;
  });
}

/** How many components take each branch (computed in double precision). */
function branches(params: Float32Array, K: number) {
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const count = { low: 0, high: 0, mass: 0, density: 0, clamped: 0 };
  for (let i = 0; i < N; i++) {
    const xs = 2 * X[i] - 1;
    for (let k = 0; k < K; k++) {
      const at = i * 3 * K;
      const mu = Math.tanh(params[at + K + k]);
      const c = params[at + 2 * K + k];
      const invS = Math.exp(-Math.max(c, -7));
      const delta = sigmoid(invS * (xs - mu + 1 / 255)) - sigmoid(invS * (xs - mu - 1 / 255));
      if (xs < -0.999) count.low++;
      else if (xs > 0.999) count.high++;
      else if (delta > 1e-5) count.mass++;
      else count.density++;
      if (c < -7) count.clamped++;
    }
  }
  return count;
}

/**
 * Agreement of two float32 evaluations of the formula: its gradient goes through differences of sigmoids and
 * sums that cancel, where the tf ops on cpu and on wasm already differ by 1.2e-4 (relative to 1 + |value|);
 * both are that far from the formula in double precision, and a wrong branch or clamp is off by far more.
 */
const TOL = [1e-4, 3e-4, 1e-4];

/** [log p(x) per element, dΣ(log p·w)/dparams, and with `mean` the mean] through LogisticMixture. */
function mixtureCase(K: number, mean = true) {
  const params = paramsFor(K);
  const shape = [...SHAPE.slice(0, 3), SHAPE[3] * 3 * K];
  return () => {
    const p = tf.tensor(params, shape);
    const x = tf.tensor(X, SHAPE);
    const w = tf.tensor(W, SHAPE);
    const logProb = (q: tf.Tensor) => new LogisticMixture(q, SHAPE[3], K).logProbElementwise(x);
    const d = new LogisticMixture(p, SHAPE[3], K);
    const value = d.logProbElementwise(x);
    const grad = tf.grad((q: tf.Tensor) => tf.sum(tf.mul(logProb(q), w)))(p);
    return mean ? [value, grad, d.mean()] : [value, grad];
  };
}

for (const K of [1, 3, 5]) {
  test(`K = ${K}: every branch of the formula occurs in the test data`, () => {
    const count = branches(paramsFor(K), K);
    for (const [branch, n] of Object.entries(count)) assert.ok(n >= 10, `${branch}: ${n} components`);
  });

  test(`K = ${K}: log p(x) and its gradient on wasm (native and not) match the tf-op formula on cpu`, async () => {
    const expected = await runOn('cpu', mixtureCase(K));
    for (const native of nativePaths()) {
      const actual = await withNative(native, () => runOn('wasm', mixtureCase(K)));
      for (const [i, e] of expected.entries())
        assertClose(actual[i], e, `K = ${K} (${native ? 'native' : 'wasm'}) output ${i}`, TOL[i]);
    }
  });
}

test('on wasm with the addon the log-likelihood runs one native kernel each way, and none of the tf-op chain', {
  skip: nativeKernels() == null,
}, async () => {
  await tf.setBackend('wasm');
  const info = await tf.profile(() => void tf.tidy(mixtureCase(3, false)));
  const names = info.kernels.map((k) => k.name);
  const count = (name: string) => names.filter((n) => n === name).length;
  assert.equal(count('VaekitLogisticMixture'), 2, names.join(', ')); // the value, and again inside tf.grad
  assert.equal(count('VaekitLogisticMixtureGrad'), 1, names.join(', '));
  for (const chain of [
    'Softplus',
    'Transpose',
    'Slice',
    'Tanh',
    'Sigmoid',
    'Exp',
    'Log',
    'Maximum',
    'Select',
  ])
    assert.ok(!names.includes(chain), `${chain} ran: ${names.join(', ')}`);
});

test('the native kernels refuse parameters outside the heap and K = 0', {
  skip: nativeKernels() == null,
}, () => {
  const native = nativeKernels();
  assert.ok(native != null);
  const heap = new Float32Array(100);
  assert.throws(() => native.logisticMixtureLogProb(heap, 0, 90, 95, 10, 3), /outside the heap/);
  assert.throws(() => native.logisticMixtureLogProb(heap, 20, 0, 10, 10, 3), /outside the heap/);
  assert.throws(() => native.logisticMixtureLogProbGrad(heap, 0, 30, 40, 75, 90, 10, 1), /outside the heap/);
  assert.throws(() => native.logisticMixtureLogProb(heap, 0, 60, 70, 10, 0), /K must be at least 1/);
  native.logisticMixtureLogProb(heap, 0, 60, 70, 10, 2); // 60 + 10 floats of params, x, out: inside
});
