import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { importanceSampledLogLikelihood } from '../../src/eval/log-likelihood.js';
import { elboSums } from '../../src/objectives/latent.js';
import { useBackend } from '../helpers/backend.js';
import { LinearGaussian, W3 } from './linear-gaussian.js';

before(() => useBackend('cpu'));

const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

test('with the exact posterior every importance weight equals p(x): the estimate is exact for any k', () => {
  const model = new LinearGaussian({ w: W3, b: [0.1, -0.2, 0.3, 0], sigma: 0.5 });
  const data = model.sampleData(20, 1);
  const exact = model.exactLogLikelihood(data.images);
  const est = importanceSampledLogLikelihood(model, data, { k: 3, seed: 2 });
  for (let i = 0; i < data.count; i++) assert.ok(Math.abs(est.perImage[i] - exact[i]) < 1e-3, `image ${i}`);
  // bits/dim = nats / (D ln 2)
  assert.ok(Math.abs(est.bitsPerDim - est.nll / (4 * Math.LN2)) < 1e-9);
});

test('with a distorted encoder the IS estimate converges to the exact log p(x) and IWAE(k) rises with k', () => {
  const model = new LinearGaussian({ w: W3, b: [0, 0, 0, 0], sigma: 0.5, meanScale: 0.3, logVarShift: 2 });
  const data = model.sampleData(100, 3);
  const exact = mean(model.exactLogLikelihood(data.images));
  const bound = (k: number, rows = 5000) =>
    -importanceSampledLogLikelihood(model, data, { k, seed: 5, rows }).nll;
  const elbo = tf.tidy(() => {
    const x = tf.tensor4d(data.images, [data.count, ...data.shape]);
    return -elboSums(model, { x }, 1).loss / data.count;
  });
  const ks = [1, 5, 50, 500, 5000];
  const bounds = ks.map((k) => bound(k));
  // the ELBO and the 1-sample bound estimate the same thing; the distortion costs well over a nat
  assert.ok(Math.abs(elbo - bounds[0]) < 0.5, `ELBO ${elbo} vs L_1 ${bounds[0]}`);
  assert.ok(exact - bounds[0] > 1, `gap at k=1: ${exact - bounds[0]}`);
  for (let i = 1; i < ks.length; i++)
    assert.ok(bounds[i] > bounds[i - 1], `L_${ks[i]} = ${bounds[i]} ≤ L_${ks[i - 1]} = ${bounds[i - 1]}`);
  assert.ok(
    bounds.every((b) => b < exact + 0.01),
    `bounds ${bounds} above log p(x) ${exact}`,
  );
  assert.ok(exact - bounds.at(-1)! < 0.05, `k=5000 leaves a gap of ${exact - bounds.at(-1)!} nats`);
  // chunking does not change the answer: 5000 samples in chunks of 128 rows
  assert.ok(Math.abs(bound(5000, 128) - bounds.at(-1)!) < 0.05);
});

test('the running log-sum-exp survives log-weights far below float range', () => {
  // a sharp likelihood (σ = 1e-3) makes log w around −10⁵ for most samples; exp would underflow to 0
  const model = new LinearGaussian({ w: W3, b: [0, 0, 0, 0], sigma: 1e-3, meanScale: 0.5, logVarShift: 2 });
  const data = model.sampleData(5, 7);
  const est = importanceSampledLogLikelihood(model, data, { k: 200, seed: 1, rows: 50 });
  assert.ok(est.perImage.every(Number.isFinite), `estimates ${est.perImage}`);
  const exact = model.exactLogLikelihood(data.images);
  assert.ok(est.perImage.every((v, i) => v <= exact[i] + 1e-2));
});

test('progress is reported per chunk of images and limit takes the first images', () => {
  const model = new LinearGaussian({ w: W3, b: [0, 0, 0, 0], sigma: 0.5 });
  const data = model.sampleData(30, 1);
  const seen: number[] = [];
  const est = importanceSampledLogLikelihood(model, data, {
    k: 10,
    rows: 40,
    limit: 9,
    onProgress: (d) => seen.push(d),
  });
  assert.equal(est.count, 9);
  assert.deepEqual(seen, [4, 8, 9]);
});

test('a model with several latent groups is estimated from its joint log-weights', () => {
  // log w_i = log p(x|z_i) + Σ_g log-ratio_g: here 0 + (i-th sample index) + 0, so the log-mean-exp over
  // k = 4 samples is log((1 + e + e² + e³)/4) for every image
  const calls: number[] = [];
  const model = {
    latentTerms: (batch: { x: tf.Tensor }, s: { k: number }) => {
      calls.push(s.k);
      const b = batch.x.shape[0];
      const index = tf.range(0, s.k).expandDims(1).tile([1, b]).reshape([-1]) as tf.Tensor1D;
      const zeros = tf.zeros([s.k * b]) as tf.Tensor1D;
      const group = (ratio: tf.Tensor1D) => ({
        logRatio: () => ratio,
        klPerDim: () => tf.zeros([s.k * b, 1]) as tf.Tensor2D,
      });
      return { logPx: zeros, groups: [group(index), group(zeros)] };
    },
  };
  const data = new LinearGaussian({ w: W3, b: [0, 0, 0, 0], sigma: 1 }).sampleData(3, 1);
  const est = importanceSampledLogLikelihood(model, data, { k: 4, rows: 12 });
  const expected = Math.log((1 + Math.E + Math.E ** 2 + Math.E ** 3) / 4);
  assert.deepEqual(calls, [4]);
  assert.ok(est.perImage.every((v) => Math.abs(v - expected) < 1e-5));
});
