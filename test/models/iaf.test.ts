/**
 * The inverse autoregressive flow posterior (models/vae/iaf.ts) and its MADE (nn/made.ts): the
 * log-determinant and the density against autodiff Jacobians, the autoregressive masks, the gap it closes
 * on a linear-Gaussian model with a correlated posterior, and a VAE and a CVAE that train with it.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng, tfSeed } from '../../src/core/random.js';
import { type Likelihood, standardNormalLogProb } from '../../src/distributions/index.js';
import { cvaeConfigSchema } from '../../src/models/cvae/config.js';
import { ConditionalVAE } from '../../src/models/cvae/cvae.js';
import { modelSize } from '../../src/models/registry.js';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { type IafConfig, IafPosterior } from '../../src/models/vae/iaf.js';
import { VAE } from '../../src/models/vae/vae.js';
import { Made } from '../../src/nn/made.js';
import { type Decode, elboSums, iwaeBound, repeatRows } from '../../src/objectives/latent.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { evaluateDataset } from '../../src/train/evaluate.js';
import { train } from '../../src/train/loop.js';
import { makeOptimizers, trainStep } from '../../src/train/step.js';
import { LinearGaussian, W_CORRELATED } from '../eval/linear-gaussian.js';
import { useBackend } from '../helpers/backend.js';
import { stepContext } from '../helpers/step.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

const iaf = (c: Partial<IafConfig> = {}): IafConfig => ({
  type: 'iaf',
  flowSteps: 2,
  flowHidden: [8],
  flowContext: 3,
  ...c,
});

/** Replaces every variable by N(0, 0.4²) draws, so no gate sits near its starting value. */
function randomise(vars: tf.Variable[], seed: number): void {
  vars.forEach((v, i) => {
    v.assign(tf.randomNormal(v.shape, 0, 0.4, 'float32', seed + i));
  });
}

/** The Jacobian ∂f(x)_j / ∂x_i of f: [1, m] → [1, m] at x, row by row from tf.grad. */
function jacobian(f: (x: tf.Tensor2D) => tf.Tensor2D, x: tf.Tensor2D): number[][] {
  const m = x.shape[1];
  return Array.from({ length: m }, (_, j) =>
    Array.from(
      tf
        .grad((v: tf.Tensor) =>
          f(v as tf.Tensor2D)
            .slice([0, j], [1, 1])
            .sum(),
        )(x)
        .dataSync(),
    ),
  );
}

/** log |det a| by Gaussian elimination with partial pivoting (float64). */
function logAbsDet(a: number[][]): number {
  const m = a.map((row) => [...row]);
  let logDet = 0;
  for (let c = 0; c < m.length; c++) {
    const p = m.reduce((best, row, r) => (r >= c && Math.abs(row[c]) > Math.abs(m[best][c]) ? r : best), c);
    [m[c], m[p]] = [m[p], m[c]];
    logDet += Math.log(Math.abs(m[c][c]));
    for (let r = c + 1; r < m.length; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k < m.length; k++) m[r][k] -= f * m[c][k];
    }
  }
  return logDet;
}

const rowOf = (t: tf.Tensor2D, r: number) => t.slice([r, 0], [1, -1]) as tf.Tensor2D;

test('the flow’s log-determinant Σ_t Σ_j log σ_t,j is log |det ∂z_T/∂z_0| (autodiff Jacobian)', () => {
  for (const m of [3, 4]) {
    const family = new IafPosterior(m, iaf({ flowSteps: 3 }), new Rng(m));
    randomise(family.trainableVariables(), 10 * m);
    const z0 = tf.randomNormal([3, m], 0, 1.5, 'float32', 7) as tf.Tensor2D;
    const h = tf.randomNormal([3, 3], 0, 1, 'float32', 8) as tf.Tensor2D;
    const logDet = family.transform(z0, h).logDet.sum(1).dataSync();
    for (let r = 0; r < 3; r++) {
      const j = jacobian((z) => family.transform(z, rowOf(h, r)).z, rowOf(z0, r));
      // a triangular map would have a zero above (or below) the diagonal; alternating orders mix both
      assert.ok(
        j.some((row, a) => row.some((v, b) => b > a && v !== 0)),
        'the flow mixes the dimensions',
      );
      const expected = logAbsDet(j);
      assert.ok(
        Math.abs(logDet[r] - expected) < 1e-5 * (10 + Math.abs(expected)),
        `m = ${m}, row ${r}: ${logDet[r]} vs ${expected}`,
      );
      assert.ok(Math.abs(expected) > 0.1, 'a non-trivial Jacobian');
    }
    family.dispose();
  }
});

test('MADE is autoregressive: (shift, gate)_j depends on z_i only when i comes before j in its order', () => {
  const m = 5;
  for (const order of [
    [0, 1, 2, 3, 4],
    [4, 3, 2, 1, 0],
    [2, 0, 4, 1, 3],
  ]) {
    const made = new Made(order, [7, 6], 2, new Rng(3), 0);
    randomise(made.variables, 5);
    const z = tf.randomNormal([1, m], 0, 1, 'float32', 2) as tf.Tensor2D;
    const h = tf.randomNormal([1, 2], 0, 1, 'float32', 3) as tf.Tensor2D;
    const rank = (j: number) => order.indexOf(j);
    for (const head of ['shift', 'gate'] as const) {
      const jac = jacobian((v) => made.apply(v, h)[head], z);
      for (let j = 0; j < m; j++) {
        for (let i = 0; i < m; i++) {
          const d = jac[j][i];
          if (rank(i) >= rank(j)) assert.equal(d, 0, `${head}_${j} depends on z_${i} (order ${order})`);
          else assert.notEqual(d, 0, `${head}_${j} ignores z_${i} (order ${order})`);
        }
      }
    }
    made.dispose();
  }
});

test('log q(z_T|x) in the terms is the change of variables log q_0(z_0) − log |det ∂z_T/∂z_0|', () => {
  const m = 3;
  const k = 2;
  const family = new IafPosterior(m, iaf(), new Rng(1));
  randomise(family.trainableVariables(), 30);
  const params = tf.randomNormal([2, family.paramWidth], 0, 0.5, 'float32', 4) as tf.Tensor2D;
  const noDecoder: Decode = (z) => ({ logProb: () => tf.zeros([z.shape[0]]) }) as unknown as Likelihood;
  const x = tf.zeros([2, 1, 1, 1]) as tf.Tensor4D;
  const t = family.terms(params, noDecoder, { x }, { k, seed: 5, training: false });
  const logRatio = t.groups[0].logRatio().dataSync();
  const klSum = t.groups[0].klPerDim().sum(1).dataSync();
  // the same draws the family makes: ε for k samples of each row, sample-major
  const eps = tf.randomNormal([k * 2, m], 0, 1, 'float32', tfSeed(5)) as tf.Tensor2D;
  const rows = repeatRows(params, k);
  const mean = rows.slice([0, 0], [-1, m]);
  const logVar = rows.slice([0, m], [-1, m]);
  const h = rows.slice([0, 2 * m], [-1, -1]) as tf.Tensor2D;
  const z0 = mean.add(logVar.mul(0.5).exp().mul(eps)) as tf.Tensor2D;
  // log N(z_0; μ, σ²) = log N(ε; 0, I) − Σ_j ½ log σ_j²
  const logQ0 = standardNormalLogProb(eps).sub(logVar.sum(1).mul(0.5)).dataSync();
  const zT = family.transform(z0, h).z;
  const logP = standardNormalLogProb(zT).dataSync();
  for (let r = 0; r < k * 2; r++) {
    const j = jacobian((z) => family.transform(z, rowOf(h, r)).z, rowOf(z0, r));
    const logQ = logQ0[r] - logAbsDet(j);
    assert.ok(
      Math.abs(logRatio[r] - (logP[r] - logQ)) < 1e-4,
      `row ${r}: ${logRatio[r]} vs ${logP[r] - logQ}`,
    );
    // the per-dimension KL adds up to the Monte-Carlo estimate log q − log p
    assert.ok(Math.abs(klSum[r] + logRatio[r]) < 1e-4);
  }
  // and `sample` draws the same z_T for the same seed
  assert.ok(family.sample(params, k, 5).sub(zT).abs().max().dataSync()[0] < 1e-6);
  family.dispose();
});

test('on a linear-Gaussian model with a correlated posterior, a fitted IAF closes most of the diagonal Gaussian’s gap', () => {
  const model = new LinearGaussian({ w: W_CORRELATED, b: [0.5, 0, -0.5, 0], sigma: 0.3 });
  const data = model.sampleData(1, 4);
  const x = tf.tensor4d(data.images, [1, 1, 1, 4]);
  const logPx = model.exactLogLikelihood(data.images)[0];
  const gaussianGap = model.approximationGap(); // log p(x) − the best diagonal Gaussian's ELBO
  const family = new IafPosterior(2, iaf({ flowSteps: 2, flowHidden: [16], flowContext: 4 }), new Rng(2));
  // λ starts at the best diagonal Gaussian, the context at zero
  const start = model.posteriorParams({ x }).concat(tf.zeros([1, 4]), 1);
  const lambda = tf.variable(start) as tf.Variable<tf.Rank.R2>;
  const elbo = (k: number, seed: number) => {
    const t = family.terms(lambda, (z) => model.decode(z), { x }, { k, seed, training: true });
    return t.logPx.add(t.groups[0].logRatio()).mean() as tf.Scalar;
  };
  const optimizer = tf.train.adam(0.01);
  for (let step = 0; step < 400; step++) {
    tf.tidy(() => {
      optimizer.minimize(() => elbo(32, step + 1).neg() as tf.Scalar, false, [
        lambda,
        ...family.trainableVariables(),
      ]);
    });
  }
  const fitted = tf.tidy(() => elbo(20000, 999).dataSync()[0]);
  const gap = logPx - fitted;
  assert.ok(gaussianGap > 0.2, `the diagonal family's gap ${gaussianGap}`);
  assert.ok(gap > -0.02, `an ELBO above log p(x): gap ${gap}`);
  assert.ok(gap < 0.5 * gaussianGap, `IAF gap ${gap} vs the diagonal Gaussian's ${gaussianGap}`);
  family.dispose();
});

test('a tiny VAE with an IAF posterior trains; its bounds are ordered and its checkpoint restores the flow', async () => {
  const data = tinyMnist(256, 64);
  const config = vaeConfigSchema.parse({
    latentDim: 4,
    network: { type: 'mlp', hidden: [32] },
    posterior: { type: 'iaf', flowSteps: 2, flowHidden: [16], flowContext: 8 },
  });
  const model = new VAE(config, [28, 28, 1], 3);
  assert.match(model.family.description, /IAF posterior, 2 steps \(KL by Monte Carlo\)/);
  const stored = model.weights().reduce((n, w) => n + w.tensor.size, 0);
  assert.equal(modelSize({ ...config, type: 'vae' }, { inputShape: [28, 28, 1] }).parameters, stored);
  const before = evaluateDataset(model, data.test, 1).loss;
  const records = await train({
    model,
    data,
    config: trainConfigSchema.parse({ epochs: 2, batchSize: 32, learningRate: 3e-3 }), // 16 steps
    seed: 3,
  });
  const after = records.at(-1)!.test.loss;
  assert.ok(after < before - 100, `test loss went from ${before} to ${after}`);

  const x = tf.tensor4d(data.test.images, [64, 28, 28, 1]);
  const bound = (k: number, seed: number) =>
    tf.tidy(() => iwaeBound(model, { x }, { k, seed, training: false }).mean().dataSync()[0]);
  // the ELBO's loss is −(log p(x|z) + log p(z) − log q(z|x)) at the same draws the IWAE bound with k = 1 takes
  const sums = elboSums(model, { x }, 4);
  assert.ok(Math.abs(sums.loss / 64 + bound(1, 4)) < 1e-3 * Math.abs(sums.loss / 64), `${sums.loss / 64}`);
  assert.ok(Math.abs(sums.loss - sums.recon - sums.kl) < 1e-2);
  const elbo = [1, 2, 3, 4, 5].reduce((a, s) => a + bound(1, s), 0) / 5;
  const l10 = bound(10, 6);
  const l200 = bound(200, 7);
  assert.ok(elbo < l10 && l10 < l200, `ELBO ${elbo}, L10 ${l10}, L200 ${l200}`);

  // weights() holds the flow under stable names, and setWeights restores it
  const names = model.weights().map((w) => w.name);
  assert.ok(names.includes('posterior/0') && names.some((n) => n.startsWith('encoder/')));
  const other = new VAE(config, [28, 28, 1], 4);
  const lw = (m: VAE) => tf.tidy(() => iwaeBound(m, { x }, { k: 3, seed: 1, training: false }).dataSync());
  assert.notDeepEqual(lw(other), lw(model));
  other.setWeights(new Map(model.weights().map((w) => [w.name, w.tensor])));
  assert.deepEqual(lw(other), lw(model));
  model.dispose();
  other.dispose();
});

test('a conditional VAE takes the IAF posterior: λ from the conditioned encoder, one finite step, exact size', async () => {
  const config = cvaeConfigSchema.parse({
    type: 'cvae',
    latentDim: 2,
    network: { type: 'mlp', hidden: [16] },
    posterior: { type: 'iaf', flowSteps: 3 },
  });
  const model = new ConditionalVAE(config, [28, 28, 1], 10, 1);
  const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 2).round() as tf.Tensor4D;
  const batch = { x, labels: tf.tensor1d([0, 1, 2, 3], 'int32') };
  assert.deepEqual(model.posteriorParams(batch).shape, [4, 2 * 2 + 32]);
  assert.deepEqual(model.posterior(batch).mean.shape, [4, 2]);
  const stored = model.weights().reduce((n, w) => n + w.tensor.size, 0);
  assert.equal(modelSize(config, { inputShape: [28, 28, 1], classes: 10 }).parameters, stored);
  const flow = model.family.trainableVariables();
  const first = flow[0].clone();
  const r = trainStep(model, batch, stepContext(), makeOptimizers(model, trainConfigSchema.parse({}), 1));
  assert.equal(r.finite, true);
  assert.ok(flow[0].sub(first).abs().max().dataSync()[0] > 0, 'the flow trains');
  model.dispose();
});
