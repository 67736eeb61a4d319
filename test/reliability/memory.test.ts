import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { LossWithMetrics } from '../../src/core/trainable.js';
import { findCheckpoint, loadCheckpoint } from '../../src/io/checkpoint.js';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { restoreCheckpoint, train } from '../../src/train/loop.js';
import { trainStep } from '../../src/train/step.js';
import { localTrainer } from '../../src/train/trainer.js';
import { useBackend } from '../helpers/backend.js';
import { stepContext } from '../helpers/step.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

test('no tensor leaks: tf.memory() is flat over 1,000 training steps (with evaluation and checkpoints)', async () => {
  const data = tinyMnist(1024, 64);
  const model = new VAE(
    vaeConfigSchema.parse({ latentDim: 2, network: { type: 'mlp', hidden: [16] } }),
    [28, 28, 1],
    1,
  );
  const counts: number[] = [];
  await train({
    model,
    data,
    // 64 steps per epoch × 16 epochs = 1,024 steps
    config: trainConfigSchema.parse({
      epochs: 16,
      batchSize: 16,
      freeBits: 0.1,
      klSchedule: { kind: 'linear', steps: 100 },
    }),
    seed: 1,
    binarization: 'dynamic',
    callbacks: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }],
  });
  assert.equal(counts.length, 16);
  // after the first epoch (optimiser moments created) the count must not move at all
  assert.deepEqual(new Set(counts.slice(1)).size, 1, `numTensors per epoch: ${counts.join(', ')}`);
  model.dispose();
});

/** The same loss times NaN: its gradient is NaN, so the NaN guard skips the step. */
const nan = (r: LossWithMetrics): LossWithMetrics => ({ ...r, loss: r.loss.mul(Number.NaN) as tf.Scalar });

const small = () =>
  new VAE(vaeConfigSchema.parse({ latentDim: 2, network: { type: 'mlp', hidden: [16] } }), [28, 28, 1], 1);

test('resume and roll-back leave the tensor count where it was: the replaced optimisers and the checkpoint are freed', async () => {
  const data = tinyMnist(256, 64);
  const config = trainConfigSchema.parse({ epochs: 1, batchSize: 32, checkpointEvery: 4 });
  const dir = mkdtempSync(join(tmpdir(), 'vk-mem-'));
  const first = small();
  await train({ model: first, data, config, seed: 1, checkpointDir: dir });
  first.dispose();

  // restoreCheckpoint directly: optimisers with state in, the same number of tensors out
  const model = small();
  const trainer = localTrainer(model, config);
  let optimizers = trainer.createOptimizers(1);
  trainStep(model, { x: tf.zeros([4, 28, 28, 1]) }, stepContext(), optimizers); // the moments exist now
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    ({ optimizers } = await restoreCheckpoint(
      trainer,
      config,
      loadCheckpoint(findCheckpoint(dir)!),
      optimizers,
    ));
    assert.equal(tf.memory().numTensors, before, `after restore ${i + 1}`);
  }
  for (const o of Object.values(optimizers)) o.dispose();

  // through the loop: a resumed run that is already complete ends with only the model's own tensors
  const modelOnly = tf.memory().numTensors;
  await train({
    model,
    data,
    config,
    seed: 1,
    checkpointDir: dir,
    resumeFrom: loadCheckpoint(findCheckpoint(dir)!),
  });
  assert.equal(tf.memory().numTensors, modelOnly, 'a resume leaked');
  model.dispose();

  // and a roll-back in the middle of a run: the epoch-end counts before and after it are the same
  const poisoned = small();
  const stages = poisoned.trainingStages.bind(poisoned);
  let bad = 0;
  poisoned.trainingStages = (batch, ctx) =>
    stages(batch, ctx).map((s) => (ctx.step >= 12 && bad++ < 10 ? { ...s, loss: () => nan(s.loss()) } : s));
  const counts: number[] = [];
  const events: string[] = [];
  await train({
    model: poisoned,
    data,
    config: trainConfigSchema.parse({ epochs: 4, batchSize: 32, checkpointEvery: 4 }),
    seed: 2,
    checkpointDir: mkdtempSync(join(tmpdir(), 'vk-mem-rb-')),
    callbacks: [
      {
        onEpochEnd: () => void counts.push(tf.memory().numTensors),
        onEvent: (e) => void events.push(e.kind),
      },
    ],
  });
  assert.deepEqual(events, ['rollback']);
  assert.equal(new Set(counts).size, 1, `numTensors per epoch: ${counts.join(', ')}`);
  poisoned.dispose();
});
