/**
 * A resumed run is bit-identical to one that never stopped (same backend), also after hundreds of
 * steps: every number of the state a step depends on is saved exactly. Adam's bias-correction powers
 * β₁ᵗ, β₂ᵗ were the one that was not: tfjs recomputes them as pow(β, t + 1), which differs in the last
 * bits from the running product after enough steps (a relative 3e-8 in the losses of the issue).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { openCheckpoint } from '../../src/io/checkpoint.js';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { type TrainState, train } from '../../src/train/loop.js';
import { useBackend } from '../helpers/backend.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

const data = tinyMnist(4096, 64);

async function run(dir: string, epochs: number, resume: boolean, crashAt = -1) {
  const model = new VAE(
    vaeConfigSchema.parse({ latentDim: 2, network: { type: 'mlp', hidden: [8] } }),
    [28, 28, 1],
    4,
  );
  const opened = resume ? openCheckpoint<TrainState>(join(dir, 'ck')) : null;
  const records = await train({
    model,
    data,
    // 256 steps per epoch, a checkpoint every 40
    config: trainConfigSchema.parse({ epochs, batchSize: 16, learningRate: 3e-3, checkpointEvery: 40 }),
    seed: 4,
    binarization: 'dynamic',
    checkpointDir: join(dir, 'ck'),
    resumeFrom: opened?.checkpoint,
    callbacks: [
      {
        onStep: (state) => {
          if (state.step === crashAt) throw new Error('simulated crash');
        },
      },
    ],
  });
  const weights = model.weights().map((w) => Array.from(w.tensor.dataSync()));
  model.dispose();
  return { records, weights };
}

test('resumed from step 40 and from step 256, the run is bit-identical to the uninterrupted one', async () => {
  const whole = await run(mkdtempSync(join(tmpdir(), 'vk-exact-whole-')), 2, false);
  // a crash at step 45: the run resumes mid-epoch from step 40
  const mid = mkdtempSync(join(tmpdir(), 'vk-exact-mid-'));
  await assert.rejects(run(mid, 2, false, 45), /simulated crash/);
  const fromMid = await run(mid, 2, true);
  assert.deepEqual(
    fromMid.records.map((r) => [r.train, r.test]),
    whole.records.map((r) => [r.train, r.test]),
  );
  assert.deepEqual(fromMid.weights, whole.weights);
  // an epoch's end
  const split = mkdtempSync(join(tmpdir(), 'vk-exact-split-'));
  await run(split, 1, false);
  const fromEpoch = await run(split, 2, true);
  assert.deepEqual(
    [fromEpoch.records[0].train, fromEpoch.records[0].test],
    [whole.records[1].train, whole.records[1].test],
  );
  assert.deepEqual(fromEpoch.weights, whole.weights);
});
