import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Bernoulli, GaussianLikelihood } from '../../src/distributions/index.js';
import { useBackend } from '../helpers/backend.js';

before(() => useBackend('cpu'));

test('Bernoulli logProb equals x·log p + (1−x)·log(1−p) where that is stable', () => {
  const logits = [-4, -1.5, -0.2, 0, 0.3, 2, 5];
  const xs = [0, 1, 0.3, 1, 0, 0.8, 1];
  const d = new Bernoulli(tf.tensor2d([logits]));
  const got = d.logProbElementwise(tf.tensor2d([xs])).dataSync();
  logits.forEach((l, i) => {
    const p = 1 / (1 + Math.exp(-l));
    const naive = xs[i] * Math.log(p) + (1 - xs[i]) * Math.log(1 - p);
    assert.ok(Math.abs(got[i] - naive) < 1e-5, `l=${l} x=${xs[i]}: ${got[i]} vs ${naive}`);
  });
  const sum = d.logProb(tf.tensor2d([xs])).dataSync()[0];
  assert.ok(Math.abs(sum - Array.from(got).reduce((a, b) => a + b)) < 1e-4);
});

test('Bernoulli logProb stays finite and exact for extreme logits', () => {
  const d = new Bernoulli(tf.tensor2d([[100, -100, 100, -100]]));
  const got = Array.from(d.logProbElementwise(tf.tensor2d([[1, 0, 0, 1]])).dataSync());
  // log σ(100) ≈ 0, log(1 − σ(100)) = −100 (exactly, up to e^{−100})
  assert.ok(Math.abs(got[0]) < 1e-6 && Math.abs(got[1]) < 1e-6);
  assert.ok(Math.abs(got[2] + 100) < 1e-3 && Math.abs(got[3] + 100) < 1e-3);
});

test('Gaussian likelihood with fixed σ matches −½ Σ[(x−μ)²/σ² + log 2πσ²]', () => {
  const sigma = 0.3;
  const g = new GaussianLikelihood(tf.tensor2d([[0.1, 0.5, 0.9]]), tf.scalar(Math.log(sigma)));
  const x = [0, 0.7, 1];
  const mu = [0.1, 0.5, 0.9];
  const expected = x.reduce(
    (s, xi, i) => s - 0.5 * ((xi - mu[i]) ** 2 / sigma ** 2 + Math.log(2 * Math.PI * sigma ** 2)),
    0,
  );
  assert.ok(Math.abs(g.logProb(tf.tensor2d([x])).dataSync()[0] - expected) < 1e-4);
});

test('learned σ: the gradient of log p w.r.t. log σ vanishes at the maximum-likelihood σ', () => {
  // For residuals r, d/d(log σ) Σ log N(r; 0, σ²) = Σ r²/σ² − n = 0 at σ² = mean(r²).
  const r = [0.2, -0.4, 0.1, 0.5];
  const sigmaMl = Math.sqrt(r.reduce((s, v) => s + v * v, 0) / r.length);
  const grad = tf.grad((ls: tf.Tensor) =>
    new GaussianLikelihood(tf.zeros([1, 4]), ls as tf.Scalar).logProb(tf.tensor2d([r])).sum(),
  )(tf.scalar(Math.log(sigmaMl)));
  assert.ok(Math.abs(grad.dataSync()[0]) < 1e-4);
});
