import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findCheckpoint, loadCheckpoint } from '../../src/io/checkpoint.js';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
import { parseStepLines, stepsLog, truncateSteps } from '../../src/run/steps-log.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { type TrainState, train } from '../../src/train/loop.js';
import { useBackend } from '../helpers/backend.js';
import { tinyMnist } from '../helpers/tiny-data.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'vk-steps-'));
const lines = (path: string) => parseStepLines(readFileSync(path, 'utf8'));
/** A TrainState with only what the steps log reads. */
const at = (step: number, epoch = 0) => ({ step, epoch }) as TrainState;

test('steps.jsonl: at most one line per interval, each the mean of the steps since the last', () => {
  const path = join(tmp(), 'steps.jsonl');
  let clock = 10_000;
  const log = stepsLog(path, { intervalMs: 1000, now: () => clock });
  // steps every 300 ms: the first step writes at once, then one line per second of steps
  for (let s = 1; s <= 10; s++) {
    log.onStep!(at(s), { loss: s, kl: 2 * s });
    clock += 300;
  }
  const got = lines(path);
  assert.deepEqual(
    got.map((r) => r.step),
    [1, 5, 9],
  );
  // the line at step 5 averages steps 2..5; nothing is lost: the last steps wait for the next line
  assert.deepEqual(got[1].train, { loss: 3.5, kl: 7 });
  assert.equal(got[1].steps, 4);
  assert.equal(got[1].epoch, 1);
  assert.equal(got[1].time, (10_000 + 4 * 300) / 1000);
  // the epoch's record flushes the steps since the last line
  log.onRecord!({} as never);
  assert.deepEqual(lines(path).at(-1), {
    step: 10,
    epoch: 1,
    time: 13,
    steps: 1,
    train: { loss: 10, kl: 20 },
  });
  log.onRecord!({} as never);
  assert.equal(lines(path).length, 4, 'nothing new: no empty line');
});

test('steps.jsonl: interval 0 writes every step; non-finite metrics are left out of the means', () => {
  const path = join(tmp(), 'steps.jsonl');
  const log = stepsLog(path, { intervalMs: 0, now: () => 0 });
  for (let s = 1; s <= 3; s++) log.onStep!(at(s), { loss: s === 2 ? Number.NaN : s });
  assert.deepEqual(
    lines(path).map((r) => [r.step, r.train.loss]),
    [
      [1, 1],
      [2, undefined],
      [3, 3],
    ],
  );
});

test('a torn last line (a crash while writing) is skipped by readers and dropped at the next resume', () => {
  const path = join(tmp(), 'steps.jsonl');
  const log = stepsLog(path, { intervalMs: 0, now: () => 0 });
  for (let s = 1; s <= 4; s++) log.onStep!(at(s), { loss: s });
  appendFileSync(path, '{"step":5,"epoch":1,"ti');
  assert.deepEqual(
    lines(path).map((r) => r.step),
    [1, 2, 3, 4],
  );
  truncateSteps(path, 100);
  assert.equal(readFileSync(path, 'utf8').split('\n').filter(Boolean).length, 4);
  assert.ok(readFileSync(path, 'utf8').endsWith('}\n'));
});

test('a resume keeps only the lines up to the checkpoint step, and the new ones follow them', () => {
  const path = join(tmp(), 'steps.jsonl');
  writeFileSync(path, '');
  const first = stepsLog(path, { intervalMs: 0, now: () => 0 });
  for (let s = 1; s <= 8; s++) first.onStep!(at(s), { loss: 100 - s });
  // killed at step 8; the checkpoint it resumes from took 5 steps
  const second = stepsLog(path, { intervalMs: 0, now: () => 0 });
  second.onRestore!({ step: 5, epoch: 0, reason: 'resume' });
  assert.deepEqual(
    lines(path).map((r) => r.step),
    [1, 2, 3, 4, 5],
  );
  second.onStep!(at(6), { loss: 1 });
  assert.deepEqual(
    lines(path).map((r) => [r.step, r.train.loss]),
    [
      [1, 99],
      [2, 98],
      [3, 97],
      [4, 96],
      [5, 95],
      [6, 1],
    ],
  );
  truncateSteps(join(tmp(), 'none.jsonl'), 3); // no file: nothing to do, no error
});

test('the training loop writes steps.jsonl; a crash and a resume leave each step once', async () => {
  await useBackend('wasm');
  const dir = tmp();
  const path = join(dir, 'steps.jsonl');
  const data = tinyMnist(256, 64);
  const run = async (crashAt: number, resume: boolean) => {
    const model = new VAE(
      vaeConfigSchema.parse({ latentDim: 3, network: { type: 'mlp', hidden: [16] } }),
      [28, 28, 1],
      9,
    );
    const ck = resume ? findCheckpoint(join(dir, 'ck')) : null;
    try {
      await train({
        model,
        data,
        config: trainConfigSchema.parse({ epochs: 2, batchSize: 32, checkpointEvery: 5 }),
        seed: 9,
        checkpointDir: join(dir, 'ck'),
        resumeFrom: ck ? loadCheckpoint<TrainState>(ck) : undefined,
        callbacks: [
          stepsLog(path, { intervalMs: 0 }),
          {
            onStep: (s) => {
              if (s.step === crashAt) throw new Error('simulated crash');
            },
          },
        ],
      });
    } finally {
      model.dispose();
    }
  };
  await assert.rejects(run(13, false), /simulated crash/);
  assert.equal(lines(path).at(-1)?.step, 13, 'written up to the crash');
  await run(-1, true); // resumes from step 10
  const steps = lines(path).map((r) => r.step);
  assert.deepEqual(
    steps,
    Array.from({ length: 16 }, (_, i) => i + 1),
    'steps 1..16 (2 epochs of 8), each once',
  );
  const r = lines(path)[9];
  assert.equal(r.epoch, 2);
  assert.ok(Number.isFinite(r.train.loss) && r.train.loss > 0);
  assert.ok(r.time > 1.7e9);
});
