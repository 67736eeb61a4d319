/**
 * The fused ops of the VAE loss (backend/fused/): forward and gradients against the cpu backend, with the
 * native addon and without it (compareBackends); their hand-written gradients against tfjs's autodiff of
 * the unfused formulas; that the native kernels are what runs; and the vectorised exp at its extremes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { bernoulliLogProb, gaussianKlToStandard, reparameterise } from '../../src/backend/index.js';
import { nativeKernels } from '../../src/backend/native.js';
import { assertClose, compareBackends, runOn, setup, values } from './compare.js';

await setup();

/** Logits over a wide range (softplus's both tails) and binary and grey targets. */
const LOGITS = values(37 * 50, 1).map((v) => 30 * v * Math.abs(v));
const TARGETS = values(37 * 50, 2).map((v, i) => (i % 3 === 0 ? (v + 1) / 2 : v > 0 ? 1 : 0));
/** Row weights, so each row's gradient differs. */
const WEIGHTS = (rows: number) => tf.range(1, rows + 1).div(rows);

function bernoulliCase(fused: boolean, shape: number[]) {
  return () => {
    const l = tf.tensor(LOGITS, shape);
    const x = tf.tensor(TARGETS, shape);
    const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor1D => {
      if (fused) return bernoulliLogProb(a, b);
      const e = tf.sub(tf.mul(b, a), tf.add(tf.relu(a), tf.log1p(tf.exp(tf.neg(tf.abs(a))))));
      return tf.sum(e, [...Array(e.rank).keys()].slice(1)) as tf.Tensor1D;
    };
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), WEIGHTS(shape[0])));
    return [f(l, x), ...tf.grads(loss)([l, x])];
  };
}

test('bernoulliLogProb and its gradients match the cpu backend (2-D and 4-D, ragged rows)', async () => {
  await compareBackends('bernoulliLogProb [37, 50]', bernoulliCase(true, [37, 50]));
  await compareBackends('bernoulliLogProb [37, 5, 10, 1]', bernoulliCase(true, [37, 5, 10, 1]));
});

test('bernoulliLogProb’s gradient is the autodiff of the unfused formula', async () => {
  const [expected, actual] = [
    await runOn('cpu', bernoulliCase(false, [37, 50])),
    await runOn('cpu', bernoulliCase(true, [37, 50])),
  ];
  for (const [i, e] of expected.entries()) assertClose(actual[i], e, `output ${i}`);
});

const MEAN = values(64 * 20, 3).map((v) => 3 * v);
const LOG_VAR = values(64 * 20, 4).map((v) => 8 * v);
const EPS = values(64 * 20, 5).map((v) => 2 * v);

function gaussianCase(fused: boolean) {
  return () => {
    const mu = tf.tensor2d(MEAN, [64, 20]);
    const lv = tf.tensor2d(LOG_VAR, [64, 20]);
    const eps = tf.tensor2d(EPS, [64, 20]);
    const w = tf.tensor2d(values(64 * 20, 6), [64, 20]);
    const kl = (m: tf.Tensor, v: tf.Tensor) =>
      fused ? gaussianKlToStandard(m, v) : tf.mul(0.5, tf.sub(tf.add(tf.square(m), tf.exp(v)), tf.add(1, v)));
    const z = (m: tf.Tensor, v: tf.Tensor) =>
      fused ? reparameterise(m, v, eps) : tf.add(m, tf.mul(tf.exp(tf.mul(0.5, v)), eps));
    const weighted = (g: (m: tf.Tensor, v: tf.Tensor) => tf.Tensor) => (m: tf.Tensor, v: tf.Tensor) =>
      tf.sum(tf.mul(g(m, v), w));
    return [kl(mu, lv), z(mu, lv), ...tf.grads(weighted(kl))([mu, lv]), ...tf.grads(weighted(z))([mu, lv])];
  };
}

test('gaussianKlToStandard, reparameterise and their gradients match the cpu backend', async () => {
  await compareBackends('Gaussian KL and z = μ + σε', gaussianCase(true));
});

test('the Gaussian ops’ gradients are the autodiff of the unfused formulas', async () => {
  const [expected, actual] = [
    await runOn('cpu', gaussianCase(false)),
    await runOn('cpu', gaussianCase(true)),
  ];
  for (const [i, e] of expected.entries()) assertClose(actual[i], e, `output ${i}`);
});

/** relu's gradient at values around 0 (0 itself included: step(0) = 0) for a weighted sum. */
function reluCase() {
  const x = tf.tensor2d(
    values(33 * 40, 7).map((v, i) => (i % 7 === 0 ? 0 : v)),
    [33, 40],
  );
  const w = tf.tensor2d(values(33 * 40, 8), [33, 40]);
  return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), w)))(x)];
}

test('relu’s gradient matches the cpu backend', async () => {
  await compareBackends('d/dx Σ relu(x)·w', reluCase);
});

test('on wasm with the addon the step records the native kernels', {
  skip: nativeKernels() == null,
}, async () => {
  await tf.setBackend('wasm');
  const info = await tf.profile(() => {
    tf.tidy(() => void bernoulliCase(true, [37, 50])());
    tf.tidy(() => void gaussianCase(true)());
    tf.tidy(() => void reluCase());
  });
  const names = new Set(info.kernels.map((k) => k.name));
  for (const k of [
    'BernoulliLogProb',
    'BernoulliLogProbGrad',
    'GaussianKl',
    'GaussianKlGrad',
    'Reparameterise',
    'ReparameteriseGrad',
    'ReluGrad',
  ])
    assert.ok(names.has(`Vaekit${k}`), `Vaekit${k} did not run`);
});

test('the vectorised exp is accurate to float32 over its whole range, with ∞ and NaN as Math.exp', async () => {
  // z = 0 + e^{lv/2}·1 = e^{lv/2}
  const half = Array.from({ length: 2001 }, (_, i) => -90 + 0.09 * i);
  const lv = [...half.map((h) => 2 * h), Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];
  const [z] = await runOn('wasm', () => {
    const mu = tf.zeros([lv.length]);
    return [reparameterise(mu, tf.tensor1d(lv), tf.onesLike(mu))];
  });
  lv.forEach((v, i) => {
    const expected = Math.fround(Math.exp(Math.fround(v) / 2)); // of the float32 input
    if (Number.isNaN(expected) || !Number.isFinite(expected) || expected === 0) {
      assert.ok(
        Object.is(z[i], expected) || (expected === 0 && z[i] < 1e-37),
        `e^${v / 2}: ${z[i]}, expected ${expected}`,
      );
    } else if (expected > 1e-37) {
      assert.ok(Math.abs(z[i] - expected) <= 4e-7 * expected, `e^${v / 2}: ${z[i]}, expected ${expected}`);
    }
  });
});

test('the native softplus is accurate to float32 in both tails', {
  skip: nativeKernels() == null,
}, async () => {
  // one logit per row and x = 0: each row is −softplus(l)
  const logits = Array.from({ length: 1601 }, (_, i) => Math.fround(-80 + 0.1 * i));
  const [out] = await runOn('wasm', () => [
    bernoulliLogProb(tf.tensor2d(logits, [logits.length, 1]), tf.zeros([logits.length, 1])),
  ]);
  logits.forEach((l, i) => {
    const expected = -(Math.max(l, 0) + Math.log1p(Math.exp(-Math.abs(l))));
    assert.ok(
      Math.abs(out[i] - expected) <= 3e-7 * Math.abs(expected),
      `softplus(${l}): ${-out[i]}, expected ${-expected}`,
    );
  });
});
