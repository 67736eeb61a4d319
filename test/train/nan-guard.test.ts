import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { NumericalError } from '../../src/core/errors.js';
import type { Batch, StepContext, TrainingStage } from '../../src/core/trainable.js';
import { findCheckpoint, loadCheckpoint } from '../../src/io/checkpoint.js';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
import { metricsLog } from '../../src/run/metrics-log.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { type TrainState, train } from '../../src/train/loop.js';
import { gradientStep } from '../../src/train/step.js';
import { useBackend } from '../helpers/backend.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

test('a step with a NaN loss is refused and leaves the variables untouched', () => {
  const v = tf.variable(tf.tensor1d([1, 2, 3]));
  const opt = tf.train.adam(0.1);
  const r = gradientStep(opt, [v], () => {
    const loss = v.sum().mul(Number.NaN) as tf.Scalar;
    return { loss, metrics: { loss } };
  });
  assert.equal(r.finite, false);
  assert.deepEqual(Array.from(v.dataSync()), [1, 2, 3]);
  const ok = gradientStep(opt, [v], () => {
    const loss = v.square().sum() as tf.Scalar;
    return { loss, metrics: { loss } };
  });
  assert.equal(ok.finite, true);
  assert.equal(ok.metrics.loss, 14);
  assert.notDeepEqual(Array.from(v.dataSync()), [1, 2, 3]);
});

test('gradient clipping bounds the update by the global norm', () => {
  const v = tf.variable(tf.tensor1d([3, 4]));
  const sgd = tf.train.sgd(1);
  const r = gradientStep(
    sgd,
    [v],
    () => {
      const loss = v.mul(tf.tensor1d([30, 40])).sum() as tf.Scalar; // gradient (30, 40), norm 50
      return { loss, metrics: {} };
    },
    5,
  );
  assert.equal(r.metrics.gradNorm, 50);
  const [a, b] = Array.from(v.dataSync());
  assert.ok(Math.abs(a - 0) < 1e-5 && Math.abs(b - 0) < 1e-5, `clipped step: ${a}, ${b}`);
});

/** A VAE whose loss is NaN while `poisoned(step)` holds. */
function poisonedVae(poisoned: (step: number) => boolean): VAE {
  const vae = new VAE(
    vaeConfigSchema.parse({ latentDim: 2, network: { type: 'mlp', hidden: [16] } }),
    [28, 28, 1],
    1,
  );
  const stages = vae.trainingStages.bind(vae);
  vae.trainingStages = (batch: Batch, ctx: StepContext): TrainingStage[] =>
    stages(batch, ctx).map((s) =>
      poisoned(ctx.step)
        ? {
            ...s,
            loss: () => {
              const r = s.loss();
              return { ...r, loss: r.loss.mul(Number.NaN) as tf.Scalar };
            },
          }
        : s,
    );
  return vae;
}

test('repeated non-finite steps roll back to the last checkpoint with half the learning rate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-nan-'));
  // the first ten steps from step 10 on fail (skipped: the epoch-2 checkpoint at step 16 holds the weights
  // of step 10); the roll-back returns there with half the learning rate and training goes on normally
  let failures = 0;
  const model = poisonedVae((step) => step >= 10 && failures++ < 10);
  const events: string[] = [];
  await train({
    model,
    data: tinyMnist(256, 64),
    config: trainConfigSchema.parse({ epochs: 3, batchSize: 32, checkpointEvery: 4, learningRate: 1e-3 }),
    seed: 1,
    checkpointDir: join(dir, 'ck'),
    callbacks: [metricsLog(join(dir, 'metrics.jsonl')), { onEvent: (e) => events.push(e.kind) }],
  });
  assert.deepEqual(events, ['rollback']);
  const logged = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(
    logged.some((l) => l.event === 'rollback' && /rolled back to step 16 /.test(l.message)),
    JSON.stringify(logged),
  );
  const last = loadCheckpoint<TrainState>(findCheckpoint(join(dir, 'ck'))!);
  assert.equal(last.state.learningRate, 5e-4);
  assert.equal(last.state.epoch, 3);
  // no checkpoint was written from a failing stretch: every checkpoint's weights are finite
  for (const d of readdirSync(join(dir, 'ck')).filter((n) => n.startsWith('step-'))) {
    for (const t of loadCheckpoint(join(dir, 'ck', d)).weights.values()) {
      assert.equal(tf.all(tf.isFinite(t)).dataSync()[0], 1);
    }
  }
});

test('without a checkpoint to return to, divergence is a NumericalError that says what to try', async () => {
  const model = poisonedVae((step) => step >= 3);
  await assert.rejects(
    train({
      model,
      data: tinyMnist(256, 64),
      config: trainConfigSchema.parse({ epochs: 2, batchSize: 32 }),
      seed: 1,
    }),
    (e: unknown) => e instanceof NumericalError && /non-finite/.test(e.message) && /--lr/.test(e.message),
  );
});
