import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../src/core/errors.js';
import {
  classifierConfigSchema,
  loadClassifier,
  saveClassifier,
  trainClassifier,
} from '../../src/eval/classifier.js';
import { sampleQuality } from '../../src/eval/sample-quality.js';
import type { GenerativeModel } from '../../src/models/model.js';
import { useBackend } from '../helpers/backend.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

const data = tinyMnist(2000, 600);
const config = classifierConfigSchema.parse({ hidden: [64, 16], epochs: 4, learningRate: 3e-3, seed: 3 });
const trained = trainClassifier(data, config);

test('the classifier learns the digits and its features are the last hidden layer', () => {
  assert.ok(trained.testAccuracy > 0.75, `test accuracy ${trained.testAccuracy}`);
  const c = trained.classifier;
  assert.equal(c.featureDim, 16);
  const feats = c.featuresOf(data.test.images, 7);
  assert.equal(feats.length, 7 * 16);
  assert.ok(
    feats.every((v) => v >= 0),
    'post-ReLU features',
  );
});

test('save → load gives the same features and accuracy', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'vk-clf-')), 'mnist');
  await saveClassifier(dir, trained.classifier, { dataset: 'mnist', testAccuracy: trained.testAccuracy });
  const { classifier, info } = loadClassifier(dir);
  assert.equal(info.testAccuracy, trained.testAccuracy);
  assert.deepEqual(info.inputShape, [28, 28, 1]);
  assert.deepEqual(
    Array.from(classifier.featuresOf(data.test.images, 5)),
    Array.from(trained.classifier.featuresOf(data.test.images, 5)),
  );
  assert.throws(() => loadClassifier(join(dir, 'missing')), InputError);
});

test('sample quality: test images scored as samples beat noise on every metric', () => {
  // a "model" whose samples are held-out digits, and one whose samples are uniform noise
  const digits = data.test;
  const from = (images: Float32Array): GenerativeModel =>
    ({
      inputShape: [28, 28, 1],
      capabilities: { conditional: false },
      sample: (n: number) => tf.tensor4d(images.slice(0, n * 784), [n, 28, 28, 1]),
    }) as unknown as GenerativeModel;
  const real = { ...digits, count: 300, images: digits.images.slice(0, 300 * 784) };
  const good = sampleQuality(from(digits.images.slice(300 * 784)), trained.classifier, real, {
    samples: 300,
    seed: 1,
  });
  const noise = new Float32Array(300 * 784).map((_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1);
  const bad = sampleQuality(from(noise.map(Math.abs)), trained.classifier, real, { samples: 300, seed: 1 });
  assert.ok(
    good.frechetDistance < bad.frechetDistance / 5,
    `${good.frechetDistance} vs ${bad.frechetDistance}`,
  );
  assert.ok(good.precisionRecall.precision > 0.6 && good.precisionRecall.recall > 0.6, JSON.stringify(good));
  assert.ok(bad.precisionRecall.recall < 0.1, JSON.stringify(bad));
  assert.ok(bad.precisionRecall.precision < good.precisionRecall.precision - 0.3, JSON.stringify(bad));
  assert.equal(good.prCount, 300);
});

test('a classifier whose every step is non-finite (NaN pixels) is an error, not an untrained classifier', () => {
  const bad = tinyMnist(200, 50);
  bad.train.images.fill(Number.NaN);
  assert.throws(
    () => trainClassifier(bad, classifierConfigSchema.parse({ hidden: [8, 4], epochs: 1 })),
    /every step had a non-finite loss/,
  );
});
