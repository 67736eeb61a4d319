import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
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

test('a flow posterior (IAF) is drawn with samples of q_φ and q*, and its numbers are finite', () => {
  const config = vaeConfigSchema.parse({
    latentDim: 2,
    network: { type: 'mlp', hidden: [16] },
    posterior: { type: 'iaf', flowSteps: 2 },
  });
  const model = new VAE(config, [4, 4, 1], 3);
  assert.equal(model.family.closedFormKl, false);
  const x = tf.randomUniform([1, 4, 4, 1], 0, 1, 'float32', 5).round() as tf.Tensor4D;
  const view = truePosterior(model, { x }, 2);
  x.dispose();
  for (const q of [view.amortised, view.optimal]) {
    assert.equal(q.samples?.length, 300 * 2);
    assert.ok(q.samples!.every(Number.isFinite));
    assert.ok(Number.isFinite(q.elbo));
    // the dots are q's own samples: their mean is the moment-matched Gaussian's mean, within sampling error
    const mean = [0, 1].map((j) => q.samples!.filter((_, i) => i % 2 === j).reduce((a, v) => a + v, 0) / 300);
    for (let j = 0; j < 2; j++)
      assert.ok(Math.abs(mean[j] - q.mean[j]) < 0.5 * q.sd[j], `${mean[j]} vs ${q.mean[j]}`);
  }
  assert.ok(Number.isFinite(view.grid.logPx));
  assert.ok(view.optimal.elbo > view.amortised.elbo - 0.5, 'q* is not worse than the encoder');
  model.dispose();
});
