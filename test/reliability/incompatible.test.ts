import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.js';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
import { readRunConfig } from '../../src/run/run-dir.js';
import { useBackend } from '../helpers/backend.js';

before(() => useBackend('cpu'));

test('a run directory from an incompatible version is refused with a clear error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-ver-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ version: 99, model: {} }));
  assert.throws(
    () => readRunConfig(dir),
    (e: unknown) => e instanceof InputError && /version/.test(e.message) && /incompatible/.test(e.message),
  );
  writeFileSync(join(dir, 'config.json'), '{ not json');
  assert.throws(
    () => readRunConfig(dir),
    (e: unknown) => e instanceof InputError && /config\.json/.test(e.message),
  );
});

test('a checkpoint of another format, or with a truncated weights file, is refused', async () => {
  const root = mkdtempSync(join(tmpdir(), 'vk-ck-'));
  const model = new VAE(
    vaeConfigSchema.parse({ latentDim: 2, network: { type: 'mlp', hidden: [4] } }),
    [2, 2, 1],
    1,
  );
  const dir = await saveCheckpoint(root, 5, { weights: model.weights(), optimizers: {}, state: { step: 5 } });
  const ok = loadCheckpoint<{ step: number }>(dir);
  assert.equal(ok.state.step, 5);
  assert.deepEqual(
    [...ok.weights.keys()],
    model.weights().map((w) => w.name),
  );

  const bin = join(dir, 'weights.bin');
  writeFileSync(bin, readFileSync(bin).subarray(0, 10));
  assert.throws(
    () => loadCheckpoint(dir),
    (e: unknown) => e instanceof InputError && /bytes/.test(e.message),
  );

  const other = join(root, 'other');
  mkdirSync(other);
  writeFileSync(join(other, 'state.json'), JSON.stringify({ format: 7, optimizerGroups: [], state: {} }));
  assert.throws(
    () => loadCheckpoint(other),
    (e: unknown) => e instanceof InputError && /format 7/.test(e.message),
  );
});
