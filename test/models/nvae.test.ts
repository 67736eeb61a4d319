import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { nvaeConfigSchema } from '../../src/models/nvae/config.js';
import { NVAE } from '../../src/models/nvae/nvae.js';
import { useBackend } from '../helpers/backend.js';

before(() => useBackend('cpu'));

const tiny = (extra: object = {}) =>
  nvaeConfigSchema.parse({
    type: 'nvae',
    scales: 2,
    groupsPerScale: 2,
    latentChannels: 2,
    hidden: 8,
    expansion: 2,
    bnBatches: 3,
    ...extra,
  });

const images = (n: number, shape: [number, number, number], seed: number) =>
  tf.tidy(() =>
    tf
      .randomUniform([n, ...shape], 0, 1, 'float32', seed)
      .mul(255)
      .round()
      .div(255),
  ) as tf.Tensor4D;

const ctx = (step: number) => ({
  step,
  epoch: 0,
  seed: 10 + step,
  beta: 1,
  freeBits: 0,
  objective: { kind: 'elbo' as const },
});

/** Trains `steps` Adam steps as the training loop does (afterUpdate after each finite update). */
function train(model: NVAE, x: tf.Tensor4D, steps: number): void {
  const optimizer = tf.train.adam(3e-3);
  for (let i = 0; i < steps; i++) {
    const [stage] = model.trainingStages({ x }, ctx(i));
    tf.dispose(optimizer.minimize(() => stage.loss().loss, false, model.variableGroups().model) ?? []);
    stage.afterUpdate?.();
  }
}

test('nvae: the latent groups are maps at two scales, every group KL is ≥ 0 and the −ELBO is the sum of its terms', () => {
  const model = new NVAE(tiny({ likelihood: 'logistic-mixture', mixtures: 2 }), [12, 10, 3], 1);
  const x = images(6, [12, 10, 3], 2);
  train(model, x, 3);
  // 12×10 is padded to 16×16: groups of 2 channels on 2×2 (top two) and 4×4 maps
  const terms = model.latentTerms({ x }, { k: 1, seed: 5, training: false });
  assert.deepEqual(
    terms.groups.map((g) => g.klPerDim().shape),
    [
      [6, 8],
      [6, 8],
      [6, 32],
      [6, 32],
    ],
  );
  for (const g of terms.groups) assert.ok(g.klPerDim().min().dataSync()[0] >= 0);
  const m = model.evalBatch({ x }, 5);
  const groups = [1, 2, 3, 4].map((l) => m[`klGroup${l}`]);
  for (const kl of groups) assert.ok(kl >= 0, `group KL ${kl}`);
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-3 * Math.max(1, Math.abs(a));
  assert.ok(
    close(
      m.kl,
      groups.reduce((a, b) => a + b),
    ),
    `${m.kl} vs Σ ${groups}`,
  );
  assert.ok(close(m.loss, m.recon + m.kl), `${m.loss} vs ${m.recon} + ${m.kl}`);
  model.dispose();
});

test('nvae: running batch-norm statistics move only after the update, and a checkpoint restores the model exactly', () => {
  const config = tiny();
  const model = new NVAE(config, [8, 8, 1], 3);
  const x = images(4, [8, 8, 1], 4);
  const stats = () => model.norms.map((n) => n.runningMean.dataSync()[0]);
  const before = stats();
  const [stage] = model.trainingStages({ x }, ctx(0));
  tf.dispose(stage.loss().loss);
  assert.deepEqual(stats(), before, 'a loss computed without an update leaves the statistics');
  // the next pass drops the statistics of a step that was never applied
  tf.dispose(model.trainingStages({ x }, ctx(1))[0].loss().loss);
  const [applied] = model.trainingStages({ x }, ctx(2));
  tf.dispose(applied.loss().loss);
  applied.afterUpdate?.();
  assert.notDeepEqual(stats(), before);
  const copy = new NVAE(config, [8, 8, 1], 99);
  copy.setWeights(new Map(model.weights().map((w) => [w.name, w.tensor])));
  assert.deepEqual(copy.evalBatch({ x }, 7), model.evalBatch({ x }, 7));
  model.dispose();
  copy.dispose();
});

test('nvae: sampling at t < 1 re-estimates the batch-norm statistics on prior samples without changing any weight', () => {
  const model = new NVAE(tiny(), [8, 8, 1], 5);
  train(model, images(8, [8, 8, 1], 6), 4);
  const snapshot = model.weights().map((w) => w.tensor.dataSync().slice());
  const cold = model.sample(5, 11, { temperature: 0.6 });
  const warm = model.sample(5, 11, { temperature: 1 });
  model.weights().forEach((w, i) => {
    assert.deepEqual(w.tensor.dataSync(), snapshot[i], `weight ${w.name} changed`);
  });
  assert.deepEqual(cold.shape, [5, 8, 8, 1]);
  // the same draws through statistics re-estimated at each temperature, and through the stored ones
  const stored = new NVAE(tiny({ bnBatches: 0 }), [8, 8, 1], 5);
  stored.setWeights(new Map(model.weights().map((w) => [w.name, w.tensor])));
  const plain = stored.sample(5, 11, { temperature: 0.6 });
  assert.ok(
    tf.max(tf.abs(cold.sub(plain))).dataSync()[0] > 1e-4,
    're-estimated statistics change the samples',
  );
  assert.ok(tf.max(tf.abs(cold.sub(warm))).dataSync()[0] > 1e-4);
  // deterministic for a seed
  assert.deepEqual(model.sample(5, 11, { temperature: 0.6 }).dataSync(), cold.dataSync());
  // statistics kept for a temperature are forgotten when the weights change
  const other = new NVAE(tiny(), [8, 8, 1], 6);
  train(other, images(8, [8, 8, 1], 7), 2);
  model.setWeights(new Map(other.weights().map((w) => [w.name, w.tensor])));
  assert.deepEqual(
    model.sample(5, 11, { temperature: 0.6 }).dataSync(),
    other.sample(5, 11, { temperature: 0.6 }).dataSync(),
  );
  other.dispose();
  model.dispose();
  stored.dispose();
});

test('nvae: a training batch that leaves batch norm one value per channel is refused, not trained into huge gradients', () => {
  // 8×8 images, 2 scales: the top latent maps are 1×1
  const model = new NVAE(tiny(), [8, 8, 1], 1);
  const one = images(1, [8, 8, 1], 1);
  assert.throws(() => model.trainingStages({ x: one }, ctx(0))[0].loss(), /at least 2 values per channel/);
  // evaluation (running statistics) takes a single image
  assert.ok(Number.isFinite(model.evalBatch({ x: one }, 1).loss));
  model.dispose();
});
