import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../src/core/errors.js';
import { vaeConfigSchema } from '../../src/models/config.js';
import { VAE } from '../../src/models/vae.js';
import { iwaeBound, logImportanceWeights, logMeanExp } from '../../src/objectives/iwae.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { evaluateDataset } from '../../src/train/evaluate.js';
import { train } from '../../src/train/loop.js';
import { LinearGaussian, W3 } from '../eval/linear-gaussian.js';
import { useBackend } from '../helpers/backend.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

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
  const lw = logImportanceWeights(model, x, { k: 7, seed: 1 });
  assert.deepEqual(lw.shape, [7, 6]);
  const exact = model.exactLogLikelihood(data.images);
  const v = lw.arraySync();
  for (const row of v) assert.ok(row.every((w, b) => Math.abs(w - exact[b]) < 1e-3));
  // a caller-built copy of x repeated k times gives the same weights
  const tiled = tf.concat(new Array(7).fill(x), 0);
  const again = logImportanceWeights(model, x, { k: 7, seed: 1, tiled });
  assert.ok(again.sub(lw).abs().max().dataSync()[0] < 1e-5);
});

test('β scales only log p(z) − log q(z|x): β = 0 leaves log p(x|z)', () => {
  const model = new LinearGaussian({ w: W3, b: [0, 0, 0, 0], sigma: 0.5, meanScale: 0.5 });
  const x = tf.tensor4d(model.sampleData(4, 3).images, [4, 1, 1, 4]);
  const full = logImportanceWeights(model, x, { k: 3, seed: 9 });
  const none = logImportanceWeights(model, x, { k: 3, seed: 9, beta: 0 });
  const half = logImportanceWeights(model, x, { k: 3, seed: 9, beta: 0.5 });
  // half = (full + none) / 2 because log w is affine in β
  const diff = half.sub(full.add(none).div(2)).abs().max().dataSync()[0];
  assert.ok(diff < 1e-4, `${diff}`);
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
  // the training loss is −L_5, which is at most −ELBO on average; here simply: finite and positive
  assert.ok(records[1].train.loss > 0 && Number.isFinite(records[1].train.loss));
  const x = tf.tensor4d(data.test.images.subarray(0, 8 * 784), [8, 28, 28, 1]);
  const l5 = iwaeBound(model, x, { k: 5, seed: 1 });
  assert.deepEqual(l5.shape, [8]);
  assert.throws(
    () =>
      model.trainStep(x, {
        step: 0,
        epoch: 0,
        seed: 1,
        beta: 1,
        freeBits: 1,
        clipNorm: 0,
        objective: { kind: 'iwae', k: 5 },
        optimizers: { model: tf.train.adam(1e-3) },
      }),
    InputError,
  );
  model.dispose();
});
