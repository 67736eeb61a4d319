import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
import { latentLoss } from '../../src/objectives/latent.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { evaluateDataset } from '../../src/train/evaluate.js';
import { train } from '../../src/train/loop.js';
import { trainStep } from '../../src/train/step.js';
import { useBackend } from '../helpers/backend.js';
import { stepContext } from '../helpers/step.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

test('a tiny MLP VAE’s test ELBO improves over a few hundred steps', async () => {
  const data = tinyMnist(1024, 200);
  const model = new VAE(
    vaeConfigSchema.parse({ latentDim: 4, network: { type: 'mlp', hidden: [64] } }),
    [28, 28, 1],
    3,
  );
  const before = evaluateDataset(model, data.test, 1).loss;
  const records = await train({
    model,
    data,
    config: trainConfigSchema.parse({ epochs: 10, batchSize: 32 }), // 10 × 32 = 320 steps
    seed: 3,
  });
  const after = records.at(-1)!.test.loss;
  // a freshly initialised decoder scores ~545 nats (784·log 2); 320 steps must get far below that
  assert.ok(before > 500, `initial test loss ${before}`);
  assert.ok(after < before - 250, `test loss went from ${before} to ${after}`);
  // and the ELBO decomposes into its terms: loss = recon + kl
  const t = records.at(-1)!.test;
  assert.ok(Math.abs(t.loss - (t.recon + t.kl)) < 1e-3);
  model.dispose();
});

test('conv VAE: encoder/decoder shapes round-trip 28×28 images and one step trains', () => {
  const model = new VAE(
    vaeConfigSchema.parse({ latentDim: 3, network: { type: 'conv', filters: [4, 8] } }),
    [28, 28, 1],
    1,
  );
  const x = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
  const q = model.posterior({ x });
  assert.deepEqual(q.mean.shape, [5, 3]);
  assert.deepEqual(model.reconstruct({ x }).shape, [5, 28, 28, 1]);
  assert.deepEqual(model.sample(7, 1).shape, [7, 28, 28, 1]);
  const opt = tf.train.adam(1e-3);
  const first = model.weights()[0].tensor.clone();
  const r = trainStep(model, { x }, stepContext(), { model: opt });
  assert.equal(r.finite, true);
  assert.ok(tf.any(tf.notEqual(first, model.weights()[0].tensor)).dataSync()[0] === 1, 'weights changed');
  model.dispose();
});

test('the same seed builds the same weights; another seed different ones', () => {
  const cfg = vaeConfigSchema.parse({ latentDim: 2, network: { type: 'mlp', hidden: [8] } });
  const w = (seed: number) =>
    new VAE(cfg, [4, 4, 1], seed).weights().map((n) => Array.from(n.tensor.dataSync()));
  assert.deepEqual(w(5), w(5));
  assert.notDeepEqual(w(5), w(6));
});

test('free bits: dimensions below the floor contribute λ each to the loss, not their KL', async () => {
  const model = new VAE(
    vaeConfigSchema.parse({ latentDim: 6, network: { type: 'mlp', hidden: [8] } }),
    [4, 4, 1],
    2,
  );
  const x = tf.randomUniform([16, 4, 4, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const plain = latentLoss(model, { x }, stepContext({ seed: 4 }));
  const floored = latentLoss(model, { x }, stepContext({ seed: 4, freeBits: 5 }));
  // a fresh model's per-dimension KL is far below 5 nats, so every dimension is floored to 5
  const klDims = Array.from(
    model.latentTerms({ x }, { k: 1, seed: 4, training: true }).groups[0].klPerDim().mean(0).dataSync(),
  );
  assert.ok(klDims.every((k) => k < 5));
  const expected = plain.metrics.recon.dataSync()[0] + 6 * 5;
  assert.ok(Math.abs(floored.loss.dataSync()[0] - expected) < 1e-3);
  model.dispose();
});

test('clipNorm bounds the update (with plain SGD, ‖Δθ‖ ≤ lr · clipNorm)', () => {
  const model = new VAE(
    vaeConfigSchema.parse({ latentDim: 2, network: { type: 'mlp', hidden: [8] } }),
    [4, 4, 1],
    1,
  );
  const x = tf.randomUniform([8, 4, 4, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const before = model.weights().map((w) => w.tensor.clone());
  const r = trainStep(model, { x }, stepContext(), { model: tf.train.sgd(1) }, 1e-3);
  assert.ok(r.metrics.gradNorm > 1, `the raw gradient norm ${r.metrics.gradNorm} is far above the clip`);
  const moved = Math.sqrt(
    model.weights().reduce((s, w, i) => s + w.tensor.sub(before[i]).square().sum().dataSync()[0], 0),
  );
  assert.ok(moved > 0 && moved <= 1e-3 * (1 + 1e-3), `‖Δθ‖ = ${moved}`);
  model.dispose();
});
