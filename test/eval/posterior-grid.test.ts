import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../src/core/errors.js';
import { boxAround, cellCentres, posteriorGrid } from '../../src/eval/posterior-grid.js';
import { useBackend } from '../helpers/backend.js';
import { LinearGaussian, W_CORRELATED, W3 } from './linear-gaussian.js';

before(() => useBackend('wasm'));

test('the box holds every mean ± reach·σ_max; cells run left to right, top (largest z₂) to bottom', () => {
  const box = boxAround(
    [
      { mean: [0, 1], sd: [0.1, 0.5] },
      { mean: [2, 1], sd: [0.2, 0.2] },
    ],
    4,
  );
  // z₁ spans [−2, 4], z₂ spans [−1, 3]: the square is as wide as the wider span
  assert.deepEqual(box, { centre: [1, 1], half: 3 });
  const z = cellCentres(box, 3);
  assert.deepEqual(Array.from(z.slice(0, 6)), [-1, 3, 1, 3, 3, 3]);
  assert.deepEqual(Array.from(z.slice(12)), [-1, -1, 1, -1, 3, -1]);
});

test('on a linear-Gaussian model with a correlated posterior the grid gives log p(x) and E[z|x]', () => {
  // the encoder is the best diagonal Gaussian distorted, so the box must hold both q_φ and q*
  const model = new LinearGaussian({
    w: W_CORRELATED,
    b: [0.5, -1, 0, 1],
    sigma: 0.7,
    meanScale: 0.5,
    logVarShift: 1,
  });
  const data = model.sampleData(6, 2);
  const exact = model.exactLogLikelihood(data.images);
  const means = model.posteriorMeans(data.images);
  const numTensors = tf.memory().numTensors;
  for (let n = 0; n < data.count; n++) {
    const x = tf.tensor4d(data.images.subarray(4 * n, 4 * n + 4), [1, 1, 1, 4]);
    const [mu, logVar] = tf.tidy(() => {
      const p = model.posteriorParams({ x });
      return [p.slice([0, 0], [1, 2]).dataSync(), p.slice([0, 2], [1, 2]).dataSync()];
    });
    const encoder = { mean: mu, sd: Array.from(logVar, (v) => Math.exp(v / 2)) };
    const best = { mean: means[n], sd: model.postVar.map(Math.sqrt) };
    const grid = posteriorGrid(model, { x }, boxAround([encoder, best], 5), 64, 1000);
    x.dispose();
    assert.ok(Math.abs(grid.logPx - exact[n]) < 0.05, `image ${n}: log p(x) ${grid.logPx} vs ${exact[n]}`);
    assert.ok(Math.abs(grid.mass.reduce((a, v) => a + v, 0) - 1) < 1e-9);
    for (let j = 0; j < 2; j++) {
      assert.ok(Math.abs(grid.mean[j] - means[n][j]) < 0.01, `image ${n}: E[z${j}|x] ${grid.mean[j]}`);
    }
  }
  assert.equal(tf.memory().numTensors, numTensors, 'no tensor left behind');
});

test('the grid refuses a latent that is not 2-dimensional', () => {
  const model = new LinearGaussian({ w: W3, b: [0, 0, 0, 0], sigma: 0.5 });
  const x = tf.zeros([1, 1, 1, 4]) as tf.Tensor4D;
  assert.throws(() => posteriorGrid(model, { x }, { centre: [0, 0], half: 3 }, 8), InputError);
});
