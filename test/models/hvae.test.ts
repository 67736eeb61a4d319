import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { hvaeConfigSchema } from '../../src/models/hvae/config.js';
import { HierarchicalVAE } from '../../src/models/hvae/hvae.js';
import { logImportanceWeights } from '../../src/objectives/latent.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { evaluateDataset } from '../../src/train/evaluate.js';
import { train } from '../../src/train/loop.js';
import { trainStep } from '../../src/train/step.js';
import { useBackend } from '../helpers/backend.js';
import { stepContext } from '../helpers/step.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

const binary = (n: number, seed: number) =>
  tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', seed).round() as tf.Tensor4D;
const logW = (model: HierarchicalVAE, x: tf.Tensor4D, k: number, seed: number) =>
  logImportanceWeights(model, { x }, { k, seed, training: false });

const small = (extra = {}) =>
  hvaeConfigSchema.parse({
    type: 'hvae',
    groups: 3,
    latentDim: 3,
    hidden: 24,
    network: { type: 'mlp', hidden: [32] },
    ...extra,
  });

test('shapes: sampling, reconstruction and per-group KL terms; −ELBO = recon + Σ group KLs', () => {
  const model = new HierarchicalVAE(small(), [28, 28, 1], 1);
  assert.deepEqual(model.sample(5, 1).shape, [5, 28, 28, 1]);
  const x = binary(4, 3);
  assert.deepEqual(model.reconstruct({ x }).shape, [4, 28, 28, 1]);
  const m = model.evalBatch({ x }, 2);
  assert.ok(Math.abs(m.loss - (m.recon + m.kl)) < 1e-2);
  assert.ok(Math.abs(m.kl - (m.klGroup3 + m.klGroup2 + m.klGroup1)) < 1e-3);
  model.dispose();
});

test('the closed-form group KLs agree with a Monte-Carlo estimate of E_q[log p(z) − log q(z|x)]', () => {
  // mean of log w over many joint samples = −(E_q[−log p(x|z)] + Σ KL): compare with the analytic −ELBO
  const model = new HierarchicalVAE(small(), [28, 28, 1], 4);
  const x = binary(3, 5);
  const k = 2000;
  const mcElbo = logW(model, x, k, 7).mean(0).dataSync();
  const analytic: number[] = [0, 0, 0];
  const seeds = 200;
  for (let s = 0; s < seeds; s++) {
    for (let i = 0; i < 3; i++)
      analytic[i] -= model.evalBatch({ x: x.slice([i, 0, 0, 0], [1, 28, 28, 1]) }, 100 + s).loss / seeds;
  }
  for (let i = 0; i < 3; i++) {
    assert.ok(
      Math.abs(mcElbo[i] - analytic[i]) < 1.5,
      `image ${i}: MC ${mcElbo[i]} vs analytic ${analytic[i]}`,
    );
  }
  model.dispose();
});

test('the IWAE bound log mean exp(log w) rises with k', () => {
  const model = new HierarchicalVAE(small(), [28, 28, 1], 2);
  const x = binary(4, 8);
  const bound = (k: number) => {
    const lw = logW(model, x, k, 11);
    return tf.logSumExp(lw, 0).sub(Math.log(k)).mean().dataSync()[0];
  };
  const [b1, b10, b100] = [bound(1), bound(10), bound(100)];
  assert.ok(b1 < b10 && b10 < b100, `L1 ${b1}, L10 ${b10}, L100 ${b100}`);
  model.dispose();
});

test('temperature 0 sends every group to its prior mean: samples no longer depend on the seed', () => {
  const model = new HierarchicalVAE(small(), [28, 28, 1], 3);
  const at = (seed: number, temperature: number) =>
    Array.from(model.sample(2, seed, { temperature }).dataSync());
  assert.deepEqual(at(1, 0), at(99, 0));
  assert.notDeepEqual(at(1, 1), at(99, 1));
  model.dispose();
});

test('weights round-trip into a model built from another seed', () => {
  const a = new HierarchicalVAE(small({ likelihood: 'gaussian-learned' }), [28, 28, 1], 1);
  const b = new HierarchicalVAE(small({ likelihood: 'gaussian-learned' }), [28, 28, 1], 2);
  const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const recon = (m: HierarchicalVAE) => Array.from(m.reconstruct({ x }).dataSync());
  assert.notDeepEqual(recon(a), recon(b));
  b.setWeights(new Map(a.weights().map((w) => [w.name, w.tensor])));
  assert.deepEqual(recon(a), recon(b));
  a.dispose();
  b.dispose();
});

test('a tiny hierarchical VAE trains with warm-up and KL balancing; its test ELBO improves', async () => {
  const data = tinyMnist(512, 100);
  const model = new HierarchicalVAE(small(), [28, 28, 1], 5);
  const before = evaluateDataset(model, data.test, 1).loss;
  const records = await train({
    model,
    data,
    config: trainConfigSchema.parse({
      epochs: 8,
      batchSize: 32,
      klSchedule: { kind: 'linear', steps: 60 },
      clipNorm: 200,
    }),
    seed: 5,
  });
  const after = records.at(-1)!.test.loss;
  assert.ok(after < before - 200, `test loss ${before} → ${after}`);
  assert.ok(records.every((r) => r.skippedSteps === 0));
  model.dispose();
});

test('the IWAE objective trains the hierarchical VAE on the k-sample bound (not silently the ELBO)', () => {
  const model = new HierarchicalVAE(small(), [28, 28, 1], 6);
  const x = binary(4, 9);
  // lr 0: the loss is reported, the weights stay put
  const step = (objective: { kind: 'elbo' } | { kind: 'iwae'; k: number }) =>
    trainStep(model, { x }, stepContext({ seed: 3, objective }), { model: tf.train.sgd(0) });
  const iwae = step({ kind: 'iwae', k: 8 });
  const bound = -tf
    .logSumExp(logImportanceWeights(model, { x }, { k: 8, seed: 3, training: true }), 0)
    .sub(Math.log(8))
    .mean()
    .dataSync()[0];
  assert.ok(Math.abs(iwae.metrics.loss - bound) < 1e-2, `IWAE loss ${iwae.metrics.loss} vs −L8 ${bound}`);
  const elbo = step({ kind: 'elbo' });
  assert.ok(iwae.metrics.loss < elbo.metrics.loss, `−L8 ${iwae.metrics.loss} < −ELBO ${elbo.metrics.loss}`);
  model.dispose();
});
