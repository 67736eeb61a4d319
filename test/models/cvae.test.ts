import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../src/core/errors.js';
import { classifierConfigSchema, trainClassifier } from '../../src/eval/classifier.js';
import { cvaeConfigSchema } from '../../src/models/cvae/config.js';
import { ConditionalVAE } from '../../src/models/cvae/cvae.js';
import { asConditional, asGaussianLatent } from '../../src/models/model.js';
import { buildModel, modelConfigSchema } from '../../src/models/registry.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { train } from '../../src/train/loop.js';
import { useBackend } from '../helpers/backend.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

const config = (network: object, latentDim = 8) =>
  cvaeConfigSchema.parse({ type: 'cvae', latentDim, network });

test('the registry builds a conditional VAE that declares itself conditional; it needs labelled data', () => {
  const model = buildModel(
    modelConfigSchema.parse({ type: 'cvae' }),
    { inputShape: [28, 28, 1], classes: 10 },
    1,
  );
  assert.equal(asConditional(model)?.classes, 10);
  assert.ok(asGaussianLatent(model), 'a Gaussian latent: encode, sliders and collapse diagnostics apply');
  assert.throws(
    () => buildModel(modelConfigSchema.parse({ type: 'cvae' }), { inputShape: [28, 28, 1] }, 1),
    InputError,
  );
  model.dispose();
});

test('MLP and conv: the label changes the decoded image; posteriors and reconstructions take labels', () => {
  for (const network of [
    { type: 'mlp', hidden: [16] },
    { type: 'conv', filters: [4, 8] },
  ]) {
    const model = new ConditionalVAE(config(network), [28, 28, 1], 10, 2);
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 4, 9], 'int32');
    assert.deepEqual(model.posterior({ x, labels }).mean.shape, [3, 8]);
    assert.deepEqual(model.reconstruct({ x, labels }).shape, [3, 28, 28, 1]);
    const z = tf.zeros([2, 8]) as tf.Tensor2D;
    const [a, b] = tf.split(model.decodeMean(z, tf.tensor1d([3, 7], 'int32')), 2);
    assert.ok(a.sub(b).abs().max().dataSync()[0] > 1e-4, `${network.type}: the label made no difference`);
    assert.throws(() => model.posterior({ x }), InputError);
    assert.throws(() => model.sample(2, 1, { labels: new Int32Array([10, 0]) }), InputError);
    model.dispose();
  }
});

test('after a short training, a classifier labels ≥ 90 % of the samples drawn for class k as k', async () => {
  const data = tinyMnist(3000, 500);
  const model = new ConditionalVAE(config({ type: 'mlp', hidden: [256] }, 2), [28, 28, 1], 10, 3);
  const records = await train({
    model,
    data,
    config: trainConfigSchema.parse({ epochs: 12, batchSize: 64, learningRate: 2e-3 }),
    seed: 3,
  });
  assert.ok(records.at(-1)!.test.loss < records[0].test.loss, 'the conditional ELBO improved');
  const { classifier, testAccuracy } = trainClassifier(
    data,
    classifierConfigSchema.parse({ epochs: 5, seed: 1 }),
  );
  assert.ok(testAccuracy > 0.85, `classifier test accuracy ${testAccuracy}`);
  const perClass = 40;
  const rates: number[] = [];
  for (let k = 0; k < 10; k++) {
    const samples = model.sample(perClass, 100 + k, { labels: new Int32Array(perClass).fill(k) });
    const predicted = tf.tidy(() => classifier.logits(samples).argMax(1).dataSync());
    rates.push(predicted.filter((p) => p === k).length / perClass);
    samples.dispose();
  }
  const overall = rates.reduce((a, b) => a + b, 0) / rates.length;
  assert.ok(
    overall >= 0.9,
    `samples labelled as their class: ${(overall * 100).toFixed(1)} % (per class ${rates.map((r) => r.toFixed(2))})`,
  );
  classifier.dispose();
  model.dispose();
});
