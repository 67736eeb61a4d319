import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { StepContext } from '../../src/core/trainable.js';
import { findCheckpoint } from '../../src/io/checkpoint.js';
import type { GAN } from '../../src/models/gan/gan.js';
import { buildModel, modelConfigSchema } from '../../src/models/registry.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { train } from '../../src/train/loop.js';
import { makeOptimizers, trainStep } from '../../src/train/step.js';
import { useBackend } from '../helpers/backend.js';
import { stepContext } from '../helpers/step.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

const shape: [number, number, number] = [8, 8, 1];
const tiny = (type: 'gan' | 'wgan' | 'wgan-gp', extra: object = {}) =>
  buildModel(
    modelConfigSchema.parse({
      type,
      latentDim: 4,
      generatorFilters: [6, 4],
      criticFilters: [4, 6],
      ...extra,
    }),
    { inputShape: shape },
    1,
  ) as GAN;
const images = (n: number, seed: number) => tf.randomUniform([n, ...shape], 0, 1, 'float32', seed);
const snapshot = (vars: tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));
const context = (step: number): StepContext => stepContext({ step, seed: 100 + step });
/** Each model keeps its optimisers across the steps of a test, as in the training loop. */
const optimizers = new Map<GAN, Record<string, tf.Optimizer>>();
const step = (model: GAN, x: tf.Tensor, ctx: StepContext) => {
  if (!optimizers.has(model)) optimizers.set(model, makeOptimizers(model, trainConfigSchema.parse({}), 1));
  return trainStep(model, { x: x as tf.Tensor4D }, ctx, optimizers.get(model)!);
};

test('the paper defaults of each variant', () => {
  const parse = (type: string) => modelConfigSchema.parse({ type }) as Record<string, unknown>;
  assert.deepEqual(
    [parse('gan').optimizer, parse('gan').learningRate, parse('gan').adamBeta1, parse('gan').nCritic],
    ['adam', 2e-4, 0.5, 1],
  );
  assert.deepEqual(
    [parse('wgan').optimizer, parse('wgan').learningRate, parse('wgan').clip, parse('wgan').nCritic],
    ['rmsprop', 5e-5, 0.01, 5],
  );
  const gp = parse('wgan-gp');
  assert.deepEqual(
    [gp.optimizer, gp.learningRate, gp.adamBeta1, gp.adamBeta2, gp.gpLambda, gp.nCritic],
    ['adam', 1e-4, 0.5, 0.9, 10, 5],
  );
  assert.throws(() => modelConfigSchema.parse({ type: 'wgan-gp', criticBatchNorm: true }));
});

test('samples are images in [0, 1] of the data shape; the same seed gives the same images', () => {
  const model = tiny('gan');
  const a = model.sample(5, 3);
  assert.deepEqual(a.shape, [5, ...shape]);
  const v = Array.from(a.dataSync());
  assert.ok(v.every((p) => p >= 0 && p <= 1));
  assert.deepEqual(Array.from(model.sample(5, 3).dataSync()), v);
  assert.notDeepEqual(Array.from(model.sample(5, 4).dataSync()), v);
  model.dispose();
});

test('one GAN step changes both networks and logs both losses', () => {
  const model = tiny('gan');
  const { generator, critic } = model.variableGroups();
  const [g0, c0] = [snapshot(generator), snapshot(critic)];
  const r = step(model, images(8, 1), context(0));
  assert.equal(r.finite, true);
  assert.notDeepEqual(snapshot(generator), g0);
  assert.notDeepEqual(snapshot(critic), c0);
  // a fresh discriminator is unsure: its loss is near 2·log 2, the generator's near log 2
  assert.ok(Math.abs(r.metrics.criticLoss - 2 * Math.LN2) < 0.5, `criticLoss ${r.metrics.criticLoss}`);
  assert.ok(Math.abs(r.metrics.generatorLoss - Math.LN2) < 0.5, `generatorLoss ${r.metrics.generatorLoss}`);
  model.dispose();
});

test('WGAN: weight clipping bounds every critic weight by c after a critic update', () => {
  const model = tiny('wgan', { clip: 0.01 });
  const { critic, generator } = model.variableGroups();
  const largest = () => Math.max(...snapshot(critic).flat().map(Math.abs));
  assert.ok(largest() > 0.01, 'the initial weights exceed the clip, so the test can fail');
  const g0 = snapshot(generator);
  const r = step(model, images(8, 2), context(0));
  assert.equal(r.finite, true);
  assert.ok(largest() <= 0.01 + 1e-9, `largest critic weight ${largest()}`);
  assert.ok(Number.isFinite(r.metrics.wasserstein));
  // step 0 of nCritic = 5: only the critic moved
  assert.deepEqual(snapshot(generator), g0);
  model.dispose();
});

test('WGAN-GP: nCritic critic updates per generator update; the penalty is logged', () => {
  const model = tiny('wgan-gp', { nCritic: 3 });
  const { generator } = model.variableGroups();
  const ctx = context(0);
  const changedAt: number[] = [];
  for (let i = 0; i < 6; i++) {
    const before = snapshot(generator);
    const r = step(model, images(8, i), { ...ctx, step: i, seed: i });
    assert.equal(r.finite, true);
    assert.ok(r.metrics.gradientPenalty >= 0);
    if (JSON.stringify(snapshot(generator)) !== JSON.stringify(before)) changedAt.push(i);
  }
  assert.deepEqual(changedAt, [2, 5]);
  model.dispose();
});

test('weights round-trip into a model built from another seed; evalBatch has no likelihood keys', () => {
  const a = tiny('wgan');
  step(a, images(8, 3), context(0)); // moves the batch-norm statistics too
  const b = buildModel(a.config, { inputShape: shape }, 99) as GAN;
  assert.notDeepEqual(Array.from(b.sample(3, 1).dataSync()), Array.from(a.sample(3, 1).dataSync()));
  b.setWeights(new Map(a.weights().map((w) => [w.name, w.tensor])));
  assert.deepEqual(Array.from(b.sample(3, 1).dataSync()), Array.from(a.sample(3, 1).dataSync()));
  const m = a.evalBatch({ x: images(10, 4) as tf.Tensor4D }, 5);
  assert.deepEqual(Object.keys(m).sort(), ['criticLoss', 'generatorLoss', 'wasserstein']);
  // sums over the batch: wasserstein = −criticLoss for the WGAN critic
  assert.ok(Math.abs(m.wasserstein + m.criticLoss) < 1e-4);
  a.dispose();
  b.dispose();
});

test('through the training loop, a small GAN’s samples move towards the data; latest is best', async () => {
  const data = tinyMnist(1024, 100);
  const model = buildModel(
    modelConfigSchema.parse({
      type: 'gan',
      latentDim: 8,
      generatorFilters: [16, 8],
      criticFilters: [8, 16],
      learningRate: 1e-3,
    }),
    { inputShape: [28, 28, 1] },
    2,
  ) as GAN;
  const meanPixel = () => tf.tidy(() => model.sample(200, 1).mean().dataSync()[0]);
  const target = tf.tidy(() => tf.tensor(data.train.images).mean().dataSync()[0]);
  const before = Math.abs(meanPixel() - target);
  const checkpointDir = mkdtempSync(join(tmpdir(), 'vaekit-gan-'));
  const records = await train({
    model,
    data,
    config: trainConfigSchema.parse({ epochs: 4, batchSize: 32 }), // 128 steps
    seed: 2,
    checkpointDir,
  });
  const after = Math.abs(meanPixel() - target);
  assert.ok(after < before / 2, `|mean pixel − data mean| went from ${before} to ${after}`);
  const last = records.at(-1)!;
  assert.ok(['criticLoss', 'generatorLoss'].every((k) => Number.isFinite(last.test[k])));
  assert.equal(last.test.loss, undefined);
  // no likelihood, no test loss to rank epochs by: the best checkpoint is the latest
  assert.equal(findCheckpoint(checkpointDir, 'best'), findCheckpoint(checkpointDir, 'latest'));
  assert.ok(findCheckpoint(checkpointDir, 'best')?.endsWith('step-000000128'));
  rmSync(checkpointDir, { recursive: true, force: true });
  model.dispose();
});
