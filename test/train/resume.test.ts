import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { findCheckpoint, loadCheckpoint } from '../../src/io/checkpoint.js';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
import { metricsLog } from '../../src/run/metrics-log.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { type EpochRecord, type TrainState, train } from '../../src/train/loop.js';
import { useBackend } from '../helpers/backend.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

const modelConfig = vaeConfigSchema.parse({ latentDim: 3, network: { type: 'mlp', hidden: [32] } });
const data = tinyMnist(256, 64);

async function run(
  dir: string,
  epochs: number,
  resume: boolean,
  extra = {},
  crashAtStep = -1,
): Promise<EpochRecord[]> {
  const model = new VAE(modelConfig, [28, 28, 1], 9);
  const ck = resume ? findCheckpoint(join(dir, 'ck')) : null;
  const records = await train({
    model,
    data,
    config: trainConfigSchema.parse({ epochs, batchSize: 32, ...extra }),
    seed: 9,
    binarization: 'dynamic',
    checkpointDir: join(dir, 'ck'),
    resumeFrom: ck ? loadCheckpoint<TrainState>(ck) : undefined,
    callbacks: [
      metricsLog(join(dir, 'metrics.jsonl')),
      {
        onStep: (state) => {
          if (state.step === crashAtStep) throw new Error('simulated crash');
        },
      },
    ],
  });
  model.dispose();
  return records;
}

const strip = (r: EpochRecord) => ({ epoch: r.epoch, step: r.step, train: r.train, test: r.test });

test('a run resumed from an epoch checkpoint matches an uninterrupted one exactly', async () => {
  const whole = await run(mkdtempSync(join(tmpdir(), 'vk-whole-')), 3, false);
  const dir = mkdtempSync(join(tmpdir(), 'vk-split-'));
  await run(dir, 1, false);
  const resumed = await run(dir, 3, true);
  assert.deepEqual(resumed.map(strip), whole.slice(1).map(strip));
  // metrics.jsonl has one line per epoch across both processes
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 3);
});

test('a run resumed from a mid-epoch checkpoint matches too (optimiser state, batch position, RNG)', async () => {
  // 8 steps per epoch; checkpoints every 5 steps; the run "crashes" at step 13, so the newest
  // checkpoint is step 10: epoch 2, batch 2 of 8.
  const whole = await run(mkdtempSync(join(tmpdir(), 'vk-whole-')), 3, false, { checkpointEvery: 5 });
  const dir = mkdtempSync(join(tmpdir(), 'vk-mid-'));
  await assert.rejects(run(dir, 3, false, { checkpointEvery: 5 }, 13), /simulated crash/);
  const ck = loadCheckpoint<TrainState>(findCheckpoint(join(dir, 'ck'))!);
  assert.deepEqual([ck.state.step, ck.state.epoch, ck.state.batch], [10, 1, 2]);
  const resumed = await run(dir, 3, true, { checkpointEvery: 5 });
  assert.deepEqual(resumed.map(strip), whole.slice(1).map(strip));
});
