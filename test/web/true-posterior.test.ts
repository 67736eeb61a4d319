import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { diagonalGaussianFamily, type PosteriorFamily } from '../../src/objectives/latent.js';
import { truePosterior } from '../../src/web/client/true-posterior.js';
import { LinearGaussian, W_CORRELATED } from '../eval/linear-gaussian.js';
import { useBackend } from '../helpers/backend.js';

before(() => useBackend('wasm'));

// the encoder is the best diagonal Gaussian distorted (mean halved, variances × e), so both gaps are > 0
const spec = { w: W_CORRELATED, b: [0.5, -1, 0, 1], sigma: 0.7, meanScale: 0.5, logVarShift: 1 };

test('on a linear-Gaussian model the panel’s numbers are the closed-form log p(x), q* and gaps', () => {
  const model = new LinearGaussian(spec);
  const data = model.sampleData(3, 4);
  const exact = model.exactLogLikelihood(data.images);
  const means = model.posteriorMeans(data.images);
  const numTensors = tf.memory().numTensors;
  for (let n = 0; n < data.count; n++) {
    const image = data.images.subarray(4 * n, 4 * n + 4);
    const x = tf.tensor4d(image, [1, 1, 1, 4]);
    const view = truePosterior(model, { x }, 1);
    x.dispose();
    const { amortised, optimal } = view;
    const logVar = Array.from(amortised.sd, (s) => 2 * Math.log(s));
    const [exactAmortised] = model.exactElbo(image, amortised.mean, logVar);
    assert.ok(Math.abs(view.grid.logPx - exact[n]) < 0.05, `log p(x) ${view.grid.logPx} vs ${exact[n]}`);
    assert.ok(
      Math.abs(amortised.elbo - exactAmortised) < 0.1,
      `L[q_φ] ${amortised.elbo} vs ${exactAmortised}`,
    );
    const approximation = view.grid.logPx - optimal.elbo;
    assert.ok(
      Math.abs(approximation - model.approximationGap()) < 0.1,
      `approximation gap ${approximation} vs ${model.approximationGap()}`,
    );
    assert.ok(optimal.elbo - amortised.elbo > 0.3, `amortisation gap ${optimal.elbo - amortised.elbo}`);
    for (let j = 0; j < 2; j++) {
      assert.ok(
        Math.abs(optimal.mean[j] - means[n][j]) < 0.05,
        `q* mean ${optimal.mean[j]} vs ${means[n][j]}`,
      );
    }
    assert.equal(optimal.samples, null, 'a Gaussian family is drawn as ellipses alone');
  }
  assert.equal(tf.memory().numTensors, numTensors, 'no tensor left behind');
});

/** The linear-Gaussian model with a family that claims no closed-form KL, as a flow would. */
class FlowLike extends LinearGaussian {
  override readonly family: PosteriorFamily = { ...diagonalGaussianFamily(2), closedFormKl: false };
}

test('a family without a closed-form KL (a flow) is drawn with samples of q_φ and q*', () => {
  const model = new FlowLike(spec);
  const x = tf.tensor4d(model.sampleData(1, 5).images, [1, 1, 1, 4]);
  const view = truePosterior(model, { x }, 2);
  x.dispose();
  for (const q of [view.amortised, view.optimal]) {
    assert.equal(q.samples?.length, 300 * 2);
    const mean = [0, 1].map((j) => q.samples!.filter((_, i) => i % 2 === j).reduce((a, v) => a + v, 0) / 300);
    for (let j = 0; j < 2; j++) assert.ok(Math.abs(mean[j] - q.mean[j]) < 4 * (q.sd[j] / Math.sqrt(300)));
  }
});
