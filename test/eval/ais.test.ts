import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/random.js';
import type { Dataset } from '../../src/data/dataset.js';
import { annealedImportanceSampling, sigmoidSchedule } from '../../src/eval/ais.js';
import { importanceSampledLogLikelihood } from '../../src/eval/log-likelihood.js';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
import { elboSums } from '../../src/objectives/latent.js';
import { useBackend } from '../helpers/backend.js';
import { LinearGaussian, W_CORRELATED, W3 } from './linear-gaussian.js';

before(() => useBackend('cpu'));

const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
const B = [0.1, -0.2, 0.3, 0];

/** The model with σ = 0.5, 20 images drawn from it, and their exact log p(x). */
function problem(w: number[][], spec: { sigma?: number; meanScale?: number; logVarShift?: number } = {}) {
  const model = new LinearGaussian({ w, b: B, sigma: 0.5, ...spec });
  const data = model.sampleData(20, 1);
  return { model, data, exact: model.exactLogLikelihood(data.images) };
}

/** Mean over images of |log p̂(x) − log p(x)|. */
const meanAbsError = (est: Float64Array, exact: number[]) =>
  mean(Array.from(est, (v, i) => Math.abs(v - exact[i])));

test('the sigmoid schedule runs from 0 to 1, increasing, symmetric about the middle', () => {
  const beta = sigmoidSchedule(10);
  assert.equal(beta.length, 11);
  assert.equal(beta[0], 0);
  assert.equal(beta[10], 1);
  for (let t = 1; t <= 10; t++) {
    assert.ok(beta[t] > beta[t - 1]);
    assert.ok(Math.abs(beta[t] + beta[10 - t] - 1) < 1e-12);
  }
  // the steps are smallest at both ends
  assert.ok(beta[1] - beta[0] < beta[6] - beta[5]);
});

for (const [name, w] of [
  ['W3', W3],
  ['W_CORRELATED', W_CORRELATED],
] as const) {
  test(`AIS matches the exact log p(x) on ${name} and beats IS with a poor proposal at the same decoder cost`, () => {
    const { model, data, exact } = problem(w, { meanScale: 0.5, logVarShift: -1 });
    const o = { steps: 200, leapfrog: 5, chains: 8, seed: 1 };
    const ais = annealedImportanceSampling(model, data, o);
    const aisError = mean(ais.perImage) - mean(exact);
    assert.ok(Math.abs(aisError) < 0.1, `AIS mean error ${aisError}`);
    // IS with the same number of decoder evaluations per image, C·((T − 1)·L + 1), all forward only
    // (AIS also takes a gradient at each, about three times the work)
    const k = o.chains * ((o.steps - 1) * o.leapfrog + 1);
    const is = importanceSampledLogLikelihood(model, data, { k, seed: 1 });
    const isError = mean(is.perImage) - mean(exact);
    assert.ok(
      Math.abs(aisError) < Math.abs(isError) / 2,
      `AIS error ${aisError} against IS error ${isError}`,
    );
    assert.ok(meanAbsError(ais.perImage, exact) < meanAbsError(is.perImage, exact));
  });
}

test('the error shrinks as the number of annealing steps grows', () => {
  const { model, data, exact } = problem(W3);
  const error = (steps: number) =>
    meanAbsError(
      annealedImportanceSampling(model, data, { steps, leapfrog: 5, chains: 8, seed: 2 }).perImage,
      exact,
    );
  const coarse = error(10);
  const fine = error(200);
  assert.ok(fine < coarse / 3, `mean |error| ${coarse} at T = 10, ${fine} at T = 200`);
});

test('the step sizes adapt so that about 65 % of proposals are accepted', () => {
  // σ = 0.1: a posterior sharp enough that the step sizes settle below their ceiling of 0.5
  const { model, data } = problem(W_CORRELATED, { sigma: 0.1 });
  const est = annealedImportanceSampling(model, data, { steps: 300, leapfrog: 5, chains: 8, seed: 3 });
  assert.ok(Math.abs(est.acceptance - 0.65) < 0.1, `acceptance ${est.acceptance}`);
  assert.ok(est.stepSize.max < 0.5 && est.stepSize.min > 0.01, `step sizes ${JSON.stringify(est.stepSize)}`);
  assert.ok(est.stepSize.min < est.stepSize.max, 'each chain adapts its own step size');
});

test('deterministic for a seed, no tensor left behind, chains split over ops, progress per image group', () => {
  const { model, data, exact } = problem(W3);
  const before = tf.memory().numTensors;
  const o = { steps: 50, leapfrog: 5, chains: 6, seed: 4, limit: 5 };
  const a = annealedImportanceSampling(model, data, o);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(annealedImportanceSampling(model, data, o).perImage, a.perImage);
  assert.notDeepEqual(annealedImportanceSampling(model, data, { ...o, seed: 5 }).perImage, a.perImage);
  assert.equal(a.count, 5);
  // 4 rows an op: one image at a time, its 6 chains as 4 + 2
  const seen: number[] = [];
  const split = annealedImportanceSampling(model, data, { ...o, rows: 4, onProgress: (d) => seen.push(d) });
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.equal(tf.memory().numTensors, before);
  // 6 chains of 49 transitions: a rough estimate, but of the right images
  assert.ok(meanAbsError(split.perImage, exact) < 1, `${split.perImage} vs ${exact}`);
  assert.ok(Math.abs(a.bitsPerDim - a.nll / (4 * Math.LN2)) < 1e-9);
  assert.throws(() => annealedImportanceSampling(model, data, { chains: 0 }), /chains/);
});

test('on a small VAE, AIS gives a finite log p(x) above the ELBO, close to IS with many samples', () => {
  const model = new VAE(
    vaeConfigSchema.parse({ latentDim: 2, network: { type: 'mlp', hidden: [16] } }),
    [4, 4, 1],
    7,
  );
  const rng = new Rng(1);
  const n = 6;
  const images = Float32Array.from({ length: n * 16 }, () => (rng.next() < 0.3 ? 1 : 0));
  const data: Dataset = { name: 'binary', shape: [4, 4, 1], count: n, images };
  const before = tf.memory().numTensors;
  const est = annealedImportanceSampling(model, data, { steps: 100, leapfrog: 5, chains: 8, seed: 1 });
  assert.equal(tf.memory().numTensors, before);
  assert.ok(est.perImage.every(Number.isFinite), `${est.perImage}`);
  const elbo = tf.tidy(() => -elboSums(model, { x: tf.tensor4d(images, [n, 4, 4, 1]) }, 1).loss / n);
  assert.ok(-est.nll > elbo - 0.1, `AIS ${-est.nll} against the ELBO ${elbo}`);
  // a 2-d latent: 5000 samples from q make IS a good estimate here
  const is = importanceSampledLogLikelihood(model, data, { k: 5000, seed: 1 });
  assert.ok(Math.abs(est.nll - is.nll) < 0.05, `AIS ${-est.nll} against IS ${-is.nll}`);
  model.dispose();
});
