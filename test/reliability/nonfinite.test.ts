/**
 * No silent NaN: no checkpoint holds a non-finite weight or optimiser state; an epoch whose test metrics
 * are not finite is an event and never the best; a run that ends that way exits 3; and every reader of a
 * checkpoint refuses non-finite weights with exit 2, naming the file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { NumericalError } from '../../src/core/errors.js';
import { findCheckpoint, loadCheckpoint } from '../../src/io/checkpoint.js';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
import { metricsLog } from '../../src/run/metrics-log.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { train } from '../../src/train/loop.js';
import { useBackend } from '../helpers/backend.js';
import { idxDigits } from '../helpers/idx-digits.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

const bin = join(import.meta.dirname, '..', '..', 'bin', 'vaekit.js');
const work = mkdtempSync(join(tmpdir(), 'vk-nonfinite-'));
function vaekit(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const small = ['--hidden', '16', '--latent-dim', '2', '--runs-dir', 'runs'];

test('an epoch whose test loss is not finite is an event, never the best; a run ending so fails with exit 3', async () => {
  // 6 steps an epoch (fewer than the 10 bad steps the NaN guard waits for); after the last step of epoch 2
  // a weight is blown up to 3e38 (finite): no step sees a non-finite loss, but the test evaluation overflows
  const dir = mkdtempSync(join(tmpdir(), 'vk-nf-test-'));
  const model = new VAE(
    vaeConfigSchema.parse({ latentDim: 2, network: { type: 'mlp', hidden: [8] } }),
    [28, 28, 1],
    1,
  );
  const blowUp = {
    onStep: (s: { step: number }) => s.step === 12 && model.decoder.weights[0].write(tf.fill([2, 8], 3e38)),
  };
  const run = train({
    model,
    data: tinyMnist(300, 50),
    config: trainConfigSchema.parse({ epochs: 2, batchSize: 50 }),
    seed: 1,
    checkpointDir: join(dir, 'ck'),
    callbacks: [metricsLog(join(dir, 'metrics.jsonl')), blowUp],
  });
  await assert.rejects(
    run,
    (e: unknown) => e instanceof NumericalError && /non-finite test metrics/.test(e.message),
  );
  const log = readFileSync(join(dir, 'metrics.jsonl'), 'utf8');
  assert.match(log, /"event":"nonfinite-test"/);
  const best = loadCheckpoint<{ epoch: number }>(findCheckpoint(join(dir, 'ck'), 'best')!);
  assert.equal(best.state.epoch, 1, 'best.json must point at the finite epoch 1');
  model.dispose();
});

test('a huge learning rate never leaves a checkpoint with NaN or ∞ in the weights or Adam’s moments; exit 3', () => {
  const data = idxDigits(300, 100);
  const r = vaekit(
    'train',
    '--name',
    'huge',
    '--dataset',
    data,
    '--batch-size',
    '50',
    '--lr',
    '1e6',
    '--checkpoint-every',
    '1',
    '--epochs',
    '2',
    ...small,
  );
  assert.equal(r.code, 3, r.err);
  assert.match(r.err, /--lr/, 'advice');
  const ck = join(work, 'runs/huge/checkpoints');
  for (const d of readdirSync(ck).filter((e) => e.startsWith('step-'))) {
    const loaded = loadCheckpoint(join(ck, d)); // refuses non-finite values
    const all = [
      ...loaded.weights.values(),
      ...Object.values(loaded.optimizers).flatMap((ws) => ws.map((w) => w.tensor)),
    ];
    for (const t of all) if (t.dtype === 'float32') assert.ok(t.dataSync().every(Number.isFinite), `${d}`);
  }
});

test('every reader of a checkpoint refuses non-finite weights with exit 2, naming the file', () => {
  assert.equal(vaekit('train', '--name', 'poisoned', '--epochs', '1', ...small).code, 0);
  const ck = findCheckpoint(join(work, 'runs/poisoned/checkpoints'))!;
  const bin = join(ck, 'weights.bin');
  const bytes = readFileSync(bin);
  bytes.writeFloatLE(Number.NaN, 40);
  writeFileSync(bin, bytes);
  for (const args of [
    ['sample', 'runs/poisoned'],
    ['eval', 'runs/poisoned', '--k', '5', '--samples', '0'],
    ['encode', 'runs/poisoned', '-o', 'z.csv'],
    ['reconstruct', 'runs/poisoned'],
    ['serve', 'runs/poisoned', '--port', '0'],
  ]) {
    const r = vaekit(...args);
    assert.equal(r.code, 2, `${args[0]}: ${r.err}`);
    assert.match(r.err, /weights\.bin: expected finite weights, found .*NaN/, args[0]);
    assert.doesNotMatch(r.err, /\n\s+at /, `${args[0]}: a stack trace`);
  }
  // --resume: the poisoned newest checkpoint is passed over for none (it is the only one): exit 2
  const resumed = vaekit('train', '--resume', 'runs/poisoned', '--epochs', '2');
  assert.equal(resumed.code, 2, resumed.err);
  assert.match(resumed.err, /weights\.bin: expected finite weights/);
});
