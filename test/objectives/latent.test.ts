import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../src/core/errors.js';
import { hvaeConfigSchema } from '../../src/models/hvae/config.js';
import { HierarchicalVAE } from '../../src/models/hvae/hvae.js';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
import {
  iwaeBound,
  type LatentModel,
  latentLoss,
  logImportanceWeights,
  logMeanExp,
} from '../../src/objectives/latent.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { evaluateDataset } from '../../src/train/evaluate.js';
import { train } from '../../src/train/loop.js';
import { LinearGaussian, W3 } from '../eval/linear-gaussian.js';
import { useBackend } from '../helpers/backend.js';
import { stepContext } from '../helpers/step.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

const max = (t: tf.Tensor) => t.abs().max().dataSync()[0];

test('log-mean-exp is stable and exact', () => {
  const a = tf.tensor2d([
    [-1000, 0],
    [-1000, Math.log(3)],
  ]);
  const r = Array.from(logMeanExp(a).dataSync());
  assert.ok(Math.abs(r[0] - -1000) < 1e-3, `${r[0]}`);
  assert.ok(Math.abs(r[1] - Math.log(2)) < 1e-6, `${r[1]}`);
});

test('log importance weights are [k, B]; with the exact posterior each one is log p(x)', () => {
  const model = new LinearGaussian({ w: W3, b: [0, 1, 0, -1], sigma: 0.5 });
  const data = model.sampleData(6, 2);
  const x = tf.tensor4d(data.images, [6, 1, 1, 4]);
  const lw = logImportanceWeights(model, { x }, { k: 7, seed: 1, training: false });
  assert.deepEqual(lw.shape, [7, 6]);
  const exact = model.exactLogLikelihood(data.images);
  for (const row of lw.arraySync()) assert.ok(row.every((w, b) => Math.abs(w - exact[b]) < 1e-3));
  // a caller-built copy of x repeated k times gives the same weights
  const tiledX = tf.concat(new Array(7).fill(x), 0) as tf.Tensor4D;
  const again = logImportanceWeights(model, { x }, { k: 7, seed: 1, training: false, tiledX });
  assert.ok(max(again.sub(lw)) < 1e-5);
});

/**
 * The IWAE loss a model should get with weight β on the prior-to-posterior log-ratio, computed here from
 * the model's own terms: −mean_b log (1/k) Σ_i exp(log p(x|z_i) + β·Σ_g log-ratio_g).
 */
function iwaeByHand(model: LatentModel, x: tf.Tensor4D, k: number, beta: number, seed: number): number {
  return tf.tidy(() => {
    const t = model.latentTerms({ x }, { k, seed, training: true });
    const ratio = tf.addN(t.groups.map((g) => g.logRatio()));
    const logW = t.logPx.add(ratio.mul(beta)).reshape([k, -1]) as tf.Tensor2D;
    return -logMeanExp(logW).mean().dataSync()[0];
  });
}

test('the VAE and the hierarchical VAE apply β identically under IWAE: to every group’s log-ratio, nowhere else', () => {
  const x = tf.randomUniform([6, 4, 4, 1], 0, 1, 'float32', 3).greater(0.5).cast('float32') as tf.Tensor4D;
  const vae = new VAE(
    vaeConfigSchema.parse({ latentDim: 3, network: { type: 'mlp', hidden: [8] } }),
    [4, 4, 1],
    1,
  );
  const hvae = new HierarchicalVAE(
    hvaeConfigSchema.parse({
      type: 'hvae',
      groups: 3,
      latentDim: 2,
      hidden: 8,
      network: { type: 'mlp', hidden: [8] },
    }),
    [4, 4, 1],
    1,
  );
  for (const model of [vae, hvae]) {
    const loss = (beta: number) =>
      latentLoss(
        model,
        { x },
        stepContext({ seed: 9, beta, objective: { kind: 'iwae', k: 4 } }),
      ).loss.dataSync()[0];
    for (const beta of [0, 0.3, 1]) {
      const expected = iwaeByHand(model, x, 4, beta, 9);
      assert.ok(
        Math.abs(loss(beta) - expected) < 1e-3,
        `${model.kind} β = ${beta}: ${loss(beta)} vs ${expected}`,
      );
    }
    // β matters (a warm-up changes the IWAE objective of both models)
    assert.ok(Math.abs(loss(0.3) - loss(1)) > 1e-3, `${model.kind}: β had no effect`);
    model.dispose();
  }
});

test('training a VAE with the IWAE objective (k = 5) lowers the test −ELBO; free bits are refused', async () => {
  const data = tinyMnist(512, 100);
  const model = new VAE(
    vaeConfigSchema.parse({ latentDim: 4, network: { type: 'mlp', hidden: [32] } }),
    [28, 28, 1],
    1,
  );
  const before = evaluateDataset(model, data.test, 1).loss;
  const config = trainConfigSchema.parse({
    epochs: 2,
    batchSize: 32,
    learningRate: 3e-3,
    objective: { kind: 'iwae', k: 5 },
  });
  const records = await train({ model, data, config, seed: 1 });
  assert.ok(records[1].test.loss < before - 100, `${before} → ${records[1].test.loss}`);
  assert.ok(records[1].train.loss > 0 && Number.isFinite(records[1].train.loss));
  const x = tf.tensor4d(data.test.images.subarray(0, 8 * 784), [8, 28, 28, 1]);
  const l5 = iwaeBound(model, { x }, { k: 5, seed: 1, training: false });
  assert.deepEqual(l5.shape, [8]);
  const ctx = stepContext({ freeBits: 1, objective: { kind: 'iwae', k: 5 } });
  assert.throws(() => latentLoss(model, { x }, ctx), InputError);
  assert.equal(trainConfigSchema.safeParse({ objective: { kind: 'iwae' }, freeBits: 1 }).success, false);
  model.dispose();
});
