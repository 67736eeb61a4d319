import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { inferenceGaps, meanWithError } from '../../src/eval/gaps.js';
import { useBackend } from '../helpers/backend.js';
import { LinearGaussian, W_CORRELATED } from './linear-gaussian.js';

before(() => useBackend('wasm'));

test('on a linear-Gaussian model both gaps match their closed forms and add up to the total gap', () => {
  const model = new LinearGaussian({
    w: W_CORRELATED,
    b: [0.5, -1, 0, 1],
    sigma: 0.7,
    meanScale: 0.6,
    logVarShift: 0.5,
  });
  const data = model.sampleData(24, 7);
  const g = inferenceGaps(model, data, 24, {
    k: 2000,
    ais: { steps: 200, chains: 16, leapfrog: 5 },
    elboSamples: 2000,
    optimise: { samples: 20, lr: 0.02, tolerance: 0.002 },
    batchSize: 12,
    seed: 3,
    rows: 50_000,
  });
  assert.equal(g.images, 24);
  const exact = model.exactLogLikelihood(data.images);
  // log p̂(x) within 0.03 nats of the exact value on average (0.5 per image: AIS has 16 chains), both reported
  g.perImage.logLikelihood.forEach((l, i) => {
    assert.ok(Math.abs(l - exact[i]) < 0.5, `image ${i}: ${l} vs ${exact[i]}`);
  });
  const exactMean = meanWithError(exact).mean;
  assert.ok(
    Math.abs(g.logLikelihood.best.mean - exactMean) < 0.03,
    `${g.logLikelihood.best.mean} vs ${exactMean}`,
  );
  assert.ok(g.logLikelihood.ais && g.logLikelihood.is);
  for (const e of [g.logLikelihood.ais, g.logLikelihood.is]) assert.ok(Math.abs(e.mean - exactMean) < 0.1);
  // approximation gap: KL(q* ‖ p(z|x)) = ½ (Σ log Λ_jj − log det Λ)
  const closed = model.approximationGap();
  assert.ok(
    Math.abs(g.approximationGap.mean - closed) < 0.03,
    `approximation gap ${g.approximationGap.mean} vs ${closed}`,
  );
  // amortisation gap: the exact ELBO of q* minus the exact ELBO of the distorted encoder
  const rows = model.posteriorParams({ x: tfImages(data.images) }).arraySync();
  const m = model.latentDim;
  const encoderElbo = model.exactElbo(
    data.images,
    rows.flatMap((r) => r.slice(0, m)),
    rows.flatMap((r) => r.slice(m)),
  );
  const amortisation = meanWithError(exact.map((l, i) => l - closed - encoderElbo[i])).mean;
  assert.ok(amortisation > 0.5, `the distorted encoder leaves an amortisation gap: ${amortisation}`);
  assert.ok(
    Math.abs(g.amortisationGap.mean - amortisation) < 0.05,
    `${g.amortisationGap.mean} vs ${amortisation}`,
  );
  // the two gaps add up to the total, image by image (the same samples)
  for (let i = 0; i < 24; i++) {
    const sum = g.perImage.approximationGap[i] + g.perImage.amortisationGap[i];
    assert.ok(Math.abs(sum - (g.perImage.logLikelihood[i] - g.perImage.elboAmortised[i])) < 1e-9);
  }
  assert.ok(Math.abs(g.totalGap.mean - (g.approximationGap.mean + g.amortisationGap.mean)) < 1e-9);
  assert.ok(g.optimisation.converged === g.optimisation.batches);
  assert.ok(g.approximationGap.standardError > 0 && g.approximationGap.standardError < 0.05);
});

function tfImages(images: Float32Array) {
  return tf.tensor4d(images, [images.length / 4, 1, 1, 4]);
}

/** The linear-Gaussian model whose importance weights overflow (NaN), while its ELBO and p(x|z) stay finite. */
class BrokenWeights extends LinearGaussian {
  override latentTermsAt(...args: Parameters<LinearGaussian['latentTermsAt']>) {
    const t = super.latentTermsAt(...args);
    return {
      ...t,
      groups: t.groups.map((g) => ({ ...g, logRatio: () => g.logRatio().mul(Number.NaN) as tf.Tensor1D })),
    };
  }
}

test('a non-finite estimate of log p(x) is not chosen over a finite one, and bad settings are refused up front', () => {
  const model = new BrokenWeights({ w: W_CORRELATED, b: [0, 0, 0, 0], sigma: 0.7 });
  const data = model.sampleData(4, 2);
  const o = {
    k: 50,
    ais: { steps: 50, chains: 4, leapfrog: 3 },
    elboSamples: 50,
    optimise: { maxSteps: 100 },
    batchSize: 4,
    seed: 1,
    rows: 5000,
  };
  const g = inferenceGaps(model, data, 4, o);
  assert.ok(Number.isNaN(g.logLikelihood.is!.mean));
  assert.equal(g.logLikelihood.used, 'ais');
  assert.ok(Number.isFinite(g.approximationGap.mean));
  for (const [limit, bad] of [
    [4, { batchSize: 0 }],
    [0, {}],
    [4, { k: 0, ais: null }],
  ] as const) {
    const started = performance.now();
    assert.throws(() => inferenceGaps(model, data, limit, { ...o, ...bad }), RangeError);
    assert.ok(performance.now() - started < 1000, 'refused before any work');
  }
});

test('an estimate of log p(x) below L[q*] is warned about, with one image or with an outlier; so are AIS without moves and q* left unconverged', () => {
  const model = new LinearGaussian({ w: W_CORRELATED, b: [0.5, -1, 0, 1], sigma: 0.2, meanScale: 0.5 });
  const data = model.sampleData(6, 4);
  // AIS with one annealing step is importance sampling from the prior: far too low for a sharp posterior
  const o = {
    k: 0,
    ais: { steps: 1, chains: 1, leapfrog: 1 },
    elboSamples: 50,
    optimise: {},
    batchSize: 6,
    seed: 1,
    rows: 5000,
  };
  for (const limit of [1, 6]) {
    const g = inferenceGaps(model, data, limit, o);
    assert.ok(g.approximationGap.mean < 0);
    assert.ok(
      g.warnings.some((w) => /below L\[q\*\]/.test(w)),
      `limit ${limit}: ${g.warnings}`,
    );
    assert.ok(g.warnings.some((w) => /no HMC move/.test(w)));
  }
  const short = inferenceGaps(model, data, 6, { ...o, k: 200, ais: null, optimise: { maxSteps: 10 } });
  assert.ok(
    short.warnings.some((w) => /stopped before converging in 1 of 1 batches/.test(w)),
    `${short.warnings}`,
  );
  const healthy = inferenceGaps(model, data, 6, { ...o, k: 2000, ais: null });
  assert.deepEqual(healthy.warnings, []);
  for (const bad of [{ k: 2.5 }, { elboSamples: 0 }, { rows: 0 }])
    assert.throws(() => inferenceGaps(model, data, 6, { ...o, ...bad }), RangeError);
  assert.throws(
    () => inferenceGaps(model, { ...data, count: 0, images: new Float32Array(0) }, 6, o),
    RangeError,
  );
});
