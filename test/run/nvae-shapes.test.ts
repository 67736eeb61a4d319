import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodePng } from '../../src/io/png.js';
import { jsonLines, vaekitFromSource } from '../helpers/cli-source.js';
import { shapesFolder } from '../helpers/shapes.js';

const work = mkdtempSync(join(tmpdir(), 'vk-nvae-'));
const vaekit = vaekitFromSource(work, 600_000);

test('nvae: two epochs on a small colour shapes folder lower the test bits/dim; it samples at t = 0.7, and eval and a folder classifier score it', () => {
  const folder = shapesFolder(480, 16, 5);
  const data = ['--dataset', folder, '--image-size', '16', '--channels', '3'];
  const t = vaekit(
    ...['train', '--name', 'nv', '--model', 'nvae', ...data, '--width', '16', '--latent-channels', '4'],
    ...[
      '--likelihood',
      'logistic-mixture',
      '--mixtures',
      '2',
      '--binarize',
      'none',
      '--batch-size',
      '16',
      '--lr',
      '3e-3',
    ],
    ...['--epochs', '2', '--kl-warmup', '10', '--seed', '1', '--bn-batches', '4'],
  );
  assert.equal(t.code, 0, t.err);
  const run = join(work, 'runs', 'nv');
  const epochs = jsonLines(join(run, 'metrics.jsonl')).filter((r) => r.test);
  const bits = epochs.map((r) => r.test.bitsPerDim);
  assert.equal(bits.length, 2);
  // 8-bit colour under a discretised likelihood: uniform is 8 bits/dim
  assert.ok(bits[1] < bits[0], `test bits/dim ${bits}`);
  assert.ok(Object.keys(epochs[1].test).includes('klGroup4'), 'a KL per latent group');

  const s = vaekit('sample', run, '-t', '0.7', '-n', '16', '-o', join(work, 'cold.png'));
  assert.equal(s.code, 0, s.err);
  const png = decodePng(readFileSync(join(work, 'cold.png')), 'cold.png');
  let colourful = false;
  for (let i = 0; i < png.data.length && !colourful; i += 4)
    colourful = png.data[i] !== png.data[i + 1] || png.data[i + 1] !== png.data[i + 2];
  assert.ok(colourful, 'samples are in colour');

  const idxSize = vaekit('train-classifier', '--dataset', 'mnist', '--image-size', '8');
  assert.equal(idxSize.code, 2);
  assert.match(idxSize.err, /--image-size: expected an image folder/);
  const oneClass = vaekit('train-classifier', '--dataset', join(folder, 'disc'), '--image-size', '16');
  assert.equal(oneClass.code, 2);
  assert.match(oneClass.err, /at least 2 classes/);
  const noSize = vaekit('train-classifier', '--dataset', folder);
  assert.equal(noSize.code, 2);
  assert.match(noSize.err, /--image-size/);
  const c = vaekit(
    ...['train-classifier', '--dataset', folder, '--image-size', '16', '--channels', '3'],
    ...['--epochs', '2', '--hidden', '32,8', '-o', join(work, 'clf')],
  );
  assert.equal(c.code, 0, c.err);
  const e = vaekit(
    ...['eval', run, '--k', '20', '--iwae-k', '5', '--limit', '10', '--samples', '100'],
    ...['--classifier', join(work, 'clf')],
  );
  assert.equal(e.code, 0, e.err);
  assert.match(e.out, /Fréchet distance/);
  const r = JSON.parse(readFileSync(join(run, 'eval', 'eval.json'), 'utf8'));
  assert.ok(r.importanceSampled.nll < r.elbo.loss + 1, JSON.stringify(r.importanceSampled));
  assert.ok(r.sampleQuality.frechetDistance > 0);
});
