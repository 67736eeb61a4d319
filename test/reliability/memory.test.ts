import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { train } from '../../src/train/loop.js';
import { useBackend } from '../helpers/backend.js';
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
