import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { findCheckpoint, loadCheckpoint } from '../../src/io/checkpoint.js';
import { hvaeConfigSchema } from '../../src/models/hvae/config.js';
import { HierarchicalVAE } from '../../src/models/hvae/hvae.js';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { type EpochRecord, type TrainState, train } from '../../src/train/loop.js';
import { DataParallel } from '../../src/train/parallel/data-parallel.js';
import { shardRanges, shardSeeds } from '../../src/train/parallel/shards.js';
import { stepGradients } from '../../src/train/step.js';
import { useBackend } from '../helpers/backend.js';
import { stepContext } from '../helpers/step.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

const config = vaeConfigSchema.parse({ latentDim: 4, network: { type: 'mlp', hidden: [32] } });
const shape: [number, number, number] = [28, 28, 1];
const trainConfig = trainConfigSchema.parse({ batchSize: 32 });
const data = tinyMnist(256, 64);
const replica = { model: config, data: { inputShape: shape }, seed: 3 };

function batch(from: number, n: number): tf.Tensor4D {
  const size = 28 * 28;
  return tf.tensor4d(data.train.images.slice(from * size, (from + n) * size), [n, ...shape]);
}

/** One step of the group on x with these optimisers (no clipping). */
const step = (
  p: DataParallel,
  x: tf.Tensor4D,
  optimizers: Record<string, tf.Optimizer>,
  seed = 11,
  more = {},
) => p.step({ x }, stepContext({ seed, ...more }), optimizers, 0);

/** Stops the workers and frees the main replica. */
async function shutdown(p: DataParallel): Promise<void> {
  await p.close();
  p.model.dispose();
}

const flat = (ws: { tensor: tf.Tensor }[]) => ws.map((w) => Array.from(w.tensor.dataSync()));

async function assertReplicasAgree(p: DataParallel): Promise<void> {
  const main = flat(p.model.weights());
  for (const worker of await p.workerWeights())
    assert.deepEqual(
      worker.map((w) => Array.from(w.data)),
      main,
    );
}

test('shards split a batch near-evenly; shard seeds are fixed by the step seed', () => {
  assert.deepEqual(shardRanges(7, 2), [
    [0, 4],
    [4, 7],
  ]);
  assert.deepEqual(shardRanges(1, 3), [
    [0, 1],
    [1, 1],
    [1, 1],
  ]);
  assert.deepEqual(shardSeeds(5, 3), shardSeeds(5, 3));
  assert.notEqual(shardSeeds(5, 2)[0], shardSeeds(5, 2)[1]);
});

test('the averaged gradient of 2 replicas is the single-thread gradient of the batch (same per-shard noise)', async () => {
  const x = batch(0, 7); // uneven shards 4 + 3: the weights n_s/N matter
  const seeds = shardSeeds(11, 2);
  // reference, one thread: g = (4/7)·∇L(x[0:4]; seed₀) + (3/7)·∇L(x[4:7]; seed₁)
  const ref = new VAE(config, shape, 3);
  const g0 = stepGradients(ref, { x: x.slice(0, 4) }, stepContext({ seed: seeds[0] }));
  const g1 = stepGradients(ref, { x: x.slice(4, 3) }, stepContext({ seed: seeds[1] }));
  const expected = g0.grads.map((g, i) => tf.add(g!.mul(4 / 7), g1.grads[i]!.mul(3 / 7)).dataSync());
  const expectedLoss = (4 / 7) * g0.metrics.loss + (3 / 7) * g1.metrics.loss;

  // data-parallel: the main replica steps with SGD at rate 1, so w_before − w_after = ḡ
  const model = new VAE(config, shape, 3);
  const p = await DataParallel.create(model, { workers: 2, replica, train: trainConfig });
  try {
    p.createOptimizers(1); // the workers' own optimisers
    const vars = model.variableGroups().model;
    const before = vars.map((v) => v.dataSync().slice());
    const r = step(p, x, { model: tf.train.sgd(1) });
    assert.ok(r.finite);
    assert.ok(Math.abs(r.metrics.loss - expectedLoss) < 1e-3 * Math.abs(expectedLoss), `${r.metrics.loss}`);
    let worst = 0;
    vars.forEach((v, i) => {
      const after = v.dataSync();
      for (let j = 0; j < after.length; j++) {
        const err = Math.abs(before[i][j] - after[j] - expected[i][j]);
        worst = Math.max(worst, err / (1e-2 + Math.abs(expected[i][j])));
      }
    });
    assert.ok(worst < 1e-3, `worst relative gradient error ${worst}`);
  } finally {
    await shutdown(p);
    ref.dispose();
  }
});

test('replicas stay bit-identical over steps, and a non-finite shard skips the step on every replica', async () => {
  const model = new VAE(config, shape, 3);
  const p = await DataParallel.create(model, { workers: 2, replica, train: trainConfig });
  try {
    const optimizers = p.createOptimizers(1);
    for (let s = 0; s < 5; s++) {
      const x = batch(32 * s, 32);
      assert.ok(step(p, x, optimizers, 100 + s, { step: s }).finite);
      x.dispose();
    }
    await assertReplicasAgree(p);
    const before = flat(p.model.weights());
    const poisoned = tf.tidy(() => {
      const x = batch(0, 32);
      const nan = tf.fill([1, ...shape], Number.NaN);
      return tf.concat([x.slice(0, 31), nan]); // the last example is in the worker's shard
    });
    const r = step(p, poisoned as tf.Tensor4D, optimizers, 7);
    assert.equal(r.finite, false);
    assert.deepEqual(flat(p.model.weights()), before);
    await assertReplicasAgree(p);
    assert.ok(step(p, batch(0, 32), optimizers, 8).finite);
    await assertReplicasAgree(p);
  } finally {
    await shutdown(p);
  }
});

test('the hierarchical VAE trains data-parallel too (KL balancing and group metrics included)', async () => {
  const hvae = hvaeConfigSchema.parse({
    type: 'hvae',
    groups: 2,
    latentDim: 3,
    hidden: 16,
    network: { type: 'mlp', hidden: [16] },
  });
  const model = new HierarchicalVAE(hvae, shape, 2);
  const p = await DataParallel.create(model, {
    workers: 2,
    replica: { model: hvae, data: { inputShape: shape }, seed: 2 },
    train: trainConfig,
  });
  try {
    const optimizers = p.createOptimizers(1);
    for (let s = 0; s < 3; s++) {
      const r = step(p, batch(16 * s, 16), optimizers, s, { beta: 0.5 });
      assert.ok(r.finite);
      assert.ok(Math.abs(r.metrics.loss - r.metrics.recon - 0.5 * r.metrics.kl) < 0.05 * r.metrics.loss);
      assert.ok(Number.isFinite(r.metrics.klGroup1) && Number.isFinite(r.metrics.klGroup2));
    }
    await assertReplicasAgree(p);
  } finally {
    await shutdown(p);
  }
});

async function runParallel(dir: string, epochs: number, resume: boolean): Promise<EpochRecord[]> {
  const model = new VAE(config, shape, 3);
  const p = await DataParallel.create(model, { workers: 2, replica, train: trainConfig });
  try {
    const ck = resume ? findCheckpoint(join(dir, 'ck')) : null;
    return await train({
      model,
      trainer: p,
      data,
      config: trainConfigSchema.parse({ epochs, batchSize: 32 }),
      seed: 5,
      binarization: 'dynamic',
      checkpointDir: join(dir, 'ck'),
      resumeFrom: ck ? loadCheckpoint<TrainState>(ck) : undefined,
    });
  } finally {
    await assertReplicasAgree(p);
    await shutdown(p);
  }
}

test('a data-parallel run resumed from a checkpoint continues exactly (workers re-synchronised)', async () => {
  const whole = await runParallel(mkdtempSync(join(tmpdir(), 'vk-par-whole-')), 2, false);
  const dir = mkdtempSync(join(tmpdir(), 'vk-par-split-'));
  await runParallel(dir, 1, false);
  const resumed = await runParallel(dir, 2, true);
  assert.deepEqual(resumed[0].test, whole[1].test);
  assert.deepEqual(resumed[0].train, whole[1].train);
});

test('2 workers train a VAE to the test ELBO of single-thread training (same distribution)', async () => {
  const digits = tinyMnist(1000, 200);
  const cfg = trainConfigSchema.parse({ epochs: 3, batchSize: 50 });
  const final = async (workers: number) => {
    const model = new VAE(config, shape, 4);
    const p =
      workers > 1
        ? await DataParallel.create(model, { workers, replica: { ...replica, seed: 4 }, train: cfg })
        : null;
    try {
      const records = await train({
        model,
        trainer: p ?? undefined,
        data: digits,
        config: cfg,
        seed: 6,
        binarization: 'dynamic',
      });
      return records.map((r) => r.test.loss);
    } finally {
      if (p) await p.close();
      model.dispose();
    }
  };
  const single = await final(1);
  const parallel = await final(2);
  // different noise streams: the curves agree to a few nats while training lowers the loss by ~200
  assert.ok(single[2] < 0.7 * single[0], `${single}`);
  for (const [i, s] of single.entries()) {
    assert.ok(Math.abs(parallel[i] - s) < 0.02 * s, `epoch ${i + 1}: ${s} vs ${parallel[i]}`);
  }
});

test('a worker that fails makes the step throw, and closing ends the workers', async () => {
  const model = new VAE(config, shape, 3);
  const p = await DataParallel.create(model, { workers: 2, replica, train: trainConfig });
  const optimizers = p.createOptimizers(1);
  // a restore the worker cannot apply (no such optimiser): it reports the error at the next step
  (p as unknown as { broadcast(m: unknown): void }).broadcast({
    kind: 'optimizerWeights',
    group: 'none',
    weights: [],
  });
  assert.throws(() => step(p, batch(0, 8), optimizers), /data-parallel worker 1/);
  assert.throws(() => step(p, batch(0, 8), optimizers), /data-parallel worker 1/);
  assert.equal(p.runningWorkers, 1);
  await p.close();
  assert.equal(p.runningWorkers, 0);
  assert.throws(() => step(p, batch(0, 8), optimizers), /closed|worker 1/);
  model.dispose();
});
