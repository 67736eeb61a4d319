import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { DiagGaussian, standardNormalLogProb } from '../../src/distributions/index.js';
import { useBackend } from '../helpers/backend.js';

before(() => useBackend('cpu'));

test('closed-form KL(q ‖ N(0, I)) equals a Monte-Carlo estimate E_q[log q(z) − log p(z)]', () => {
  const mean = tf.tensor2d([[0.5, -1.2, 2.0]]);
  const logVar = tf.tensor2d([[-0.7, 0.4, -2.0]]);
  const q = new DiagGaussian(mean, logVar);
  const closed = q.klToStandardNormal().dataSync()[0];
  // 200,000 samples: tile the single posterior and sample each row independently.
  const n = 200_000;
  const qs = new DiagGaussian(mean.tile([n, 1]), logVar.tile([n, 1]));
  const z = qs.sample(7);
  const terms = qs.logProb(z).sub(standardNormalLogProb(z));
  const mc = terms.mean().dataSync()[0];
  const se = Math.sqrt(tf.moments(terms).variance.dataSync()[0] / n);
  assert.ok(Math.abs(mc - closed) < 4 * se + 1e-3, `closed ${closed} vs MC ${mc} ± ${se}`);
  // and the per-dimension closed form matches ½(μ² + σ² − 1 − log σ²) by hand
  const byHand = [0.5, -1.2, 2.0].map((m, i) => {
    const lv = [-0.7, 0.4, -2.0][i];
    return 0.5 * (m * m + Math.exp(lv) - 1 - lv);
  });
  const perDim = q.klToStandardNormalPerDim().dataSync();
  for (const [i, v] of byHand.entries()) assert.ok(Math.abs(perDim[i] - v) < 1e-5);
});

test('KL is zero exactly when q is the prior', () => {
  const q = DiagGaussian.standard([4, 5]);
  assert.deepEqual(Array.from(q.klToStandardNormal().dataSync()), [0, 0, 0, 0]);
});

test('logProb matches the Gaussian density formula', () => {
  const q = new DiagGaussian(tf.tensor2d([[1, -2]]), tf.tensor2d([[Math.log(4), Math.log(0.25)]]));
  const z = tf.tensor2d([[2, -2.5]]);
  const expected =
    -0.5 * (Math.log(2 * Math.PI * 4) + 1 / 4) - 0.5 * (Math.log(2 * Math.PI * 0.25) + 0.25 / 0.25);
  assert.ok(Math.abs(q.logProb(z).dataSync()[0] - expected) < 1e-5);
});

test('reparameterised gradient of E[z²] w.r.t. μ and σ is (2μ, 2σ)', () => {
  // z = μ + σ·ε, E[z²] = μ² + σ², so ∂/∂μ = 2μ and ∂/∂σ = 2σ; estimate with many samples.
  const n = 400_000;
  const mu = tf.scalar(0.7);
  const sigma = tf.scalar(1.3);
  const f = (m: tf.Tensor, s: tf.Tensor) => {
    const ones = tf.ones([n, 1]);
    const q = new DiagGaussian(ones.mul(m), ones.mul(tf.log(s).mul(2)));
    return q.sample(11).square().mean();
  };
  const [gMu, gSigma] = tf
    .grads(f)([mu, sigma])
    .map((g) => g.dataSync()[0]);
  assert.ok(Math.abs(gMu - 1.4) < 0.02, `∂/∂μ = ${gMu}, expected 1.4`);
  assert.ok(Math.abs(gSigma - 2.6) < 0.03, `∂/∂σ = ${gSigma}, expected 2.6`);
});

test('sampling is repeatable with a seed and temperature scales the spread', () => {
  const q = DiagGaussian.standard([10000, 2]);
  assert.deepEqual(Array.from(q.sample(3).dataSync()), Array.from(q.sample(3).dataSync()));
  const std = Math.sqrt(tf.moments(q.sample(5, 0.5)).variance.dataSync()[0]);
  assert.ok(Math.abs(std - 0.5) < 0.02, `std at t=0.5: ${std}`);
});
