import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
// The README's library example, as written there (one epoch instead of ten), through the package root.
import {
  initBackend,
  loadBuiltin,
  train,
  trainConfigSchema,
  VAE,
  vaeConfigSchema,
  writeSampleGrid,
} from '../src/index.js';

test('the README library example runs', async () => {
  await initBackend('auto');
  const data = loadBuiltin('mnist');
  const model = new VAE(vaeConfigSchema.parse({ latentDim: 20 }), [28, 28, 1], 1);
  const epochs = await train({ model, data, config: trainConfigSchema.parse({ epochs: 1 }), seed: 1 });
  const t = epochs.at(-1)!.test;
  assert.ok(t.loss > 100 && t.loss < 300, `test loss ${t.loss}`);
  assert.ok(Math.abs(t.loss - t.recon - t.kl) < 1e-3);
  const out = join(mkdtempSync(join(tmpdir(), 'vk-api-')), 'samples.png');
  writeSampleGrid(model, out, { count: 64, seed: 0 });
  assert.ok(existsSync(out));
});
