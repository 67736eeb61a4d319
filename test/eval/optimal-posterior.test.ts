import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { optimisePosterior } from '../../src/eval/optimal-posterior.js';
import { localElbo } from '../../src/objectives/local-elbo.js';
import { useBackend } from '../helpers/backend.js';
import { LinearGaussian, W_CORRELATED } from './linear-gaussian.js';

before(() => useBackend('wasm'));

test('on a linear-Gaussian model the local optimisation reaches the best diagonal Gaussian, and the approximation gap is the closed form', () => {
  // the encoder is the best diagonal Gaussian distorted: mean halved, variances × e²
  const model = new LinearGaussian({
    w: W_CORRELATED,
    b: [0.5, -1, 0, 1],
    sigma: 0.7,
    meanScale: 0.5,
    logVarShift: 2,
  });
  const data = model.sampleData(16, 3);
  const x = tf.tensor4d(data.images, [16, 1, 1, 4]);
  const batch = { x };
  const start = model.posteriorParams(batch);
  const r = optimisePosterior(model, start, batch, { seed: 1, samples: 20, lr: 0.02, tolerance: 0.002 });
  assert.ok(r.converged, `converged within ${r.steps} steps`);
  const m = model.latentDim;
  const p = r.params.arraySync();
  const mean = p.flatMap((row) => row.slice(0, m));
  const logVar = p.flatMap((row) => row.slice(m));
  const exactAtOptimum = model.exactElbo(data.images, mean, logVar);
  const logPx = model.exactLogLikelihood(data.images);
  const gap = model.approximationGap();
  assert.ok(gap > 0.05, `the correlated posterior leaves a gap: ${gap}`);
  const means = model.posteriorMeans(data.images);
  for (let n = 0; n < 16; n++) {
    // L[q*] within 0.01 nats of its closed-form value log p(x) − gap
    assert.ok(
      Math.abs(exactAtOptimum[n] - (logPx[n] - gap)) < 0.01,
      `image ${n}: ${exactAtOptimum[n]} vs ${logPx[n] - gap}`,
    );
    for (let j = 0; j < m; j++) {
      assert.ok(Math.abs(mean[n * m + j] - means[n][j]) < 0.05, `mean ${n},${j}`);
      assert.ok(
        Math.abs(Math.exp(logVar[n * m + j]) - model.postVar[j]) < 0.05 * model.postVar[j],
        `variance ${n},${j}`,
      );
    }
  }
  // the Monte-Carlo estimate of L[q*] that the gap report uses agrees with the closed form
  const estimate = localElbo(model, r.params, batch, { k: 4000, seed: 5 }).arraySync();
  const meanGap = estimate.reduce((a, e, n) => a + logPx[n] - e, 0) / 16;
  assert.ok(Math.abs(meanGap - gap) < 0.02, `approximation gap ${meanGap} vs ${gap}`);
  // and the amortisation gap of the distorted encoder is positive
  const atStart = model.exactElbo(
    data.images,
    start.arraySync().flatMap((r) => r.slice(0, m)),
    start.arraySync().flatMap((r) => r.slice(m)),
  );
  assert.ok(atStart.every((e, n) => e < exactAtOptimum[n] - 0.1));
});

test('the optimisation leaves no tensors behind and says when it did not converge', () => {
  const model = new LinearGaussian({ w: W_CORRELATED, b: [0, 0, 0, 0], sigma: 0.5, meanScale: 0 });
  const x = tf.tensor4d(model.sampleData(4, 1).images, [4, 1, 1, 4]);
  const start = model.posteriorParams({ x });
  const before = tf.memory().numTensors;
  const r = optimisePosterior(model, start, { x }, { maxSteps: 30, window: 10, tolerance: 1e-9 });
  assert.equal(r.steps, 30);
  assert.equal(r.converged, false);
  assert.equal(r.windows.length, 4, 'the start and three windows');
  r.params.dispose();
  assert.equal(tf.memory().numTensors, before);
});
