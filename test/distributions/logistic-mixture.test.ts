import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { DiagGaussian, LogisticMixture } from '../../src/distributions/index.js';
import { useBackend } from '../helpers/backend.js';

before(() => useBackend('cpu'));

test('the discretised logistic mixture is a distribution over the 256 levels: probabilities sum to 1', () => {
  const K = 3;
  // 4 "pixels" with random parameters, including a very sharp and a very flat component
  const params = tf.randomNormal([4, 1, 1, 3 * K], 0, 2, 'float32', 5);
  const sharp = tf.tensor4d([[[[0, 0, 0, 0.3, -0.8, 0.1, -6, 3, -1]]]]);
  const all = tf.concat([params, sharp]); // [5, 1, 1, 9]
  const levels = tf.range(0, 256).div(255).reshape([256, 1, 1, 1]);
  for (let i = 0; i < 5; i++) {
    const p = all.slice([i, 0, 0, 0], [1, 1, 1, 3 * K]).tile([256, 1, 1, 1]);
    const d = new LogisticMixture(p, 1, K);
    const total = tf.exp(d.logProbElementwise(levels)).sum().dataSync()[0];
    assert.ok(Math.abs(total - 1) < 2e-3, `pixel ${i}: Σ P = ${total}`);
  }
});

test('one logistic component: the bin probability matches σ differences computed by hand', () => {
  const mu = 0.2;
  const logS = -2;
  const d = new LogisticMixture(tf.tensor4d([[[[5, Math.atanh(mu), logS]]]]), 1, 1);
  const x = 150 / 255;
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const xs = 2 * x - 1;
  const s = Math.exp(logS);
  const expected = Math.log(sig((xs + 1 / 255 - mu) / s) - sig((xs - 1 / 255 - mu) / s));
  const got = d.logProbElementwise(tf.tensor4d([[[[x]]]])).dataSync()[0];
  assert.ok(Math.abs(got - expected) < 1e-4, `${got} vs ${expected}`);
  // and the mean is the location mapped back to [0, 1]
  assert.ok(Math.abs(d.mean().dataSync()[0] - (mu + 1) / 2) < 1e-5);
});

test('the logits, locations and log scales are made on first use, and again after a tidy disposed them', () => {
  const params = tf.tensor4d([[[[0.5, -1, Math.atanh(0.3), 0.2, -9, -1]]]]); // K = 2, one log scale clamped
  const d = new LogisticMixture(params, 1, 2);
  const before = tf.memory().numTensors;
  const mean = tf.tidy(() => d.mean().dataSync()[0]);
  assert.equal(tf.memory().numTensors, before, 'the blocks made inside the tidy went with it');
  assert.deepEqual(Array.from(d.logScales.dataSync()), [-7, -1]);
  assert.ok(Math.abs(d.means.dataSync()[0] - 0.3) < 1e-6);
  assert.deepEqual(Array.from(d.logits.dataSync()), [0.5, -1]);
  assert.ok(Math.abs(d.mean().dataSync()[0] - mean) < 1e-7);
});

test('KL between two diagonal Gaussians matches the closed form and is 0 for equal ones', () => {
  const q = new DiagGaussian(tf.tensor2d([[0.3, -1]]), tf.tensor2d([[Math.log(0.5), Math.log(2)]]));
  const p = new DiagGaussian(tf.tensor2d([[1, 0]]), tf.tensor2d([[Math.log(1.5), Math.log(0.7)]]));
  const kl = q.klToPerDim(p).dataSync();
  const byHand = (m1: number, v1: number, m2: number, v2: number) =>
    0.5 * (Math.log(v2 / v1) + (v1 + (m1 - m2) ** 2) / v2 - 1);
  assert.ok(Math.abs(kl[0] - byHand(0.3, 0.5, 1, 1.5)) < 1e-5);
  assert.ok(Math.abs(kl[1] - byHand(-1, 2, 0, 0.7)) < 1e-5);
  assert.deepEqual(Array.from(q.klToPerDim(q).dataSync()), [0, 0]);
  // against the standard normal it equals klToStandardNormalPerDim
  const std = DiagGaussian.standard([1, 2]);
  const a = Array.from(q.klToPerDim(std).dataSync());
  const b = Array.from(q.klToStandardNormalPerDim().dataSync());
  a.forEach((v, i) => {
    assert.ok(Math.abs(v - b[i]) < 1e-6);
  });
});
