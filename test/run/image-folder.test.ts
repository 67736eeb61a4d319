import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { decodePng } from '../../src/io/png.js';
import { runConfigSchema } from '../../src/run/config.js';
import { writeSampleGrid } from '../../src/run/pictures.js';
import { trainRun } from '../../src/run/train-run.js';
import { useBackend } from '../helpers/backend.js';
import { shapesFolder } from '../helpers/shapes.js';

before(() => useBackend('wasm'));

test('a hierarchical VAE with a logistic-mixture likelihood trains on a colour image folder and samples RGB', async () => {
  const folder = shapesFolder(240, 16);
  writeFileSync(join(folder, 'disc', 'broken.png'), 'not a png');
  const dir = join(mkdtempSync(join(tmpdir(), 'vk-colour-')), 'run');
  const events: string[] = [];
  const config = runConfigSchema.parse({
    seed: 2,
    data: { dataset: folder, imageSize: 16, channels: 3, skipBadFiles: true },
    model: {
      type: 'hvae',
      groups: 2,
      latentDim: 8,
      hidden: 64,
      network: { type: 'conv', filters: [16, 32] },
      likelihood: 'logistic-mixture',
      mixtures: 3,
    },
    train: { epochs: 3, batchSize: 24, klSchedule: { kind: 'linear', steps: 20 }, clipNorm: 200 },
  });
  const r = await trainRun({ dir, config, callbacks: [{ onEvent: (e) => events.push(e.message) }] });
  assert.ok(
    events.some((m) => /skipped 1 file/.test(m)),
    events.join('\n'),
  );
  assert.deepEqual(r.config.inputShape, [16, 16, 3]);
  const [first, last] = [r.records[0].test, r.records.at(-1)!.test];
  assert.ok(Number.isFinite(last.loss) && last.loss < first.loss, `test loss ${first.loss} → ${last.loss}`);
  // 8-bit data under a discretised likelihood: bits/dim is a real (positive) code length
  assert.ok(last.bitsPerDim > 0 && last.bitsPerDim < first.bitsPerDim, `bits/dim ${last.bitsPerDim}`);
  const out = join(dir, 'samples', 't07.png');
  writeSampleGrid(r.model, out, { count: 16, seed: 3, temperature: 0.7 });
  const png = decodePng(readFileSync(out), out);
  // an RGB grid: some pixel has channels that differ (not grey)
  let colourful = false;
  for (let i = 0; i < png.data.length && !colourful; i += 4) {
    colourful = png.data[i] !== png.data[i + 1] || png.data[i + 1] !== png.data[i + 2];
  }
  assert.ok(colourful, 'samples are in colour');
  r.model.dispose();
});

test('a streamed image folder trains from disk a batch at a time, with the same results as in memory', async () => {
  const folder = shapesFolder(96, 8, 4);
  const base = {
    seed: 3,
    model: { type: 'vae', latentDim: 2, network: { type: 'mlp', hidden: [16] }, likelihood: 'gaussian' },
    train: { epochs: 2, batchSize: 16 },
  };
  const root = mkdtempSync(join(tmpdir(), 'vk-stream-'));
  const results = [];
  for (const stream of [false, true]) {
    const config = runConfigSchema.parse({ ...base, data: { dataset: folder, imageSize: 8, stream } });
    const r = await trainRun({ dir: join(root, String(stream)), config });
    results.push(r.records.map((e) => e.test.loss));
    r.model.dispose();
  }
  assert.deepEqual(results[1], results[0]);
  // a streamed folder cannot be binarised up front
  const bad = runConfigSchema.parse({
    ...base,
    data: { dataset: folder, imageSize: 8, stream: true, binarize: 'static' },
  });
  await assert.rejects(trainRun({ dir: join(root, 'bad'), config: bad }), /none or dynamic/);
});
