import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { barChart, COLORS, lineChart, niceTicks } from '../../src/eval/plot/charts.js';
import { type EvalReport, writeEvalReport } from '../../src/eval/report.js';
import { decodePng } from '../../src/io/png.js';

const pixel = (png: { width: number; data: Uint8Array }, x: number, y: number) =>
  Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3));

test('nice ticks are round and cover the range', () => {
  assert.deepEqual(niceTicks(0, 1.93), [0, 0.5, 1, 1.5, 2]);
  assert.deepEqual(niceTicks(100, 253), [100, 150, 200, 250, 300]);
  const t = niceTicks(-3, 7);
  assert.ok(t[0] <= -3 && t.at(-1)! >= 7);
});

test('bar chart: one bar per value, highlighted bars coloured, the others grey', () => {
  const png = decodePng(
    barChart([1, 0, 2, 1], { width: 400, height: 200, highlight: (i) => i !== 3 }),
    'bars',
  );
  assert.equal(png.width, 400);
  assert.equal(png.height, 200);
  const colours = new Set<string>();
  for (let x = 0; x < 400; x++) colours.add(pixel(png, x, 170).join(','));
  assert.ok(colours.has(COLORS.blue.join(',')), 'blue bars');
  assert.ok(colours.has(COLORS.grey.join(',')), 'grey bar');
});

test('line chart draws each series', () => {
  const png = decodePng(
    lineChart([
      { values: [3, 2, 1], color: COLORS.blue },
      { values: [1, null, 3], color: COLORS.orange },
    ]),
    'lines',
  );
  const seen = new Set<string>();
  for (let i = 0; i < png.width * png.height; i++)
    seen.add(Array.from(png.data.subarray(i * 4, i * 4 + 3)).join(','));
  assert.ok(seen.has(COLORS.blue.join(',')) && seen.has(COLORS.orange.join(',')));
});

test('the report shows the ELBO, the estimate and the gap, active units, and links its PNGs', () => {
  const report: EvalReport = {
    run: 'runs/x',
    checkpoint: 'runs/x/checkpoints/step-000000010',
    step: 10,
    epochs: 2,
    model: 'vae mlp 400',
    objective: 'elbo',
    dataset: 'mnist',
    binarize: 'dynamic',
    seed: 0,
    dims: 784,
    seconds: 1,
    testImages: 100,
    elbo: { loss: 110, recon: 85, kl: 25, bitsPerDim: 110 / (784 * Math.LN2) },
    bound: {
      label: '−ELBO',
      nats: 110,
      bitsPerDim: 110 / (784 * Math.LN2),
      terms: [
        { label: 'reconstruction', nats: 85 },
        { label: 'KL', nats: 25 },
      ],
    },
    conditional: false,
    iwae: { k: 50, nll: 106, bitsPerDim: 0.19, seconds: 1 },
    importanceSampled: { k: 5000, nll: 104.5, bitsPerDim: 0.19, seconds: 2 },
    latent: {
      count: 100,
      latentDim: 3,
      klPerDim: [20, 5, 0.001],
      kl: 25.001,
      meanVariance: [1, 0.5, 0],
      activeDims: [0, 1],
      activeUnits: 2,
      mutualInformation: 4.2,
      miCount: 100,
    },
    sampleQuality: null,
  };
  const dir = mkdtempSync(join(tmpdir(), 'vk-report-'));
  const written = writeEvalReport(dir, report, {
    epochs: [1, 2].map((epoch) => ({
      epoch,
      step: epoch * 5,
      train: { loss: 130 - epoch },
      test: { loss: 120 - epoch },
      seconds: 1,
      imagesPerSecond: 1,
      skippedSteps: 0,
    })),
    latent: [],
  });
  assert.deepEqual(
    written.map((p) => p.slice(dir.length + 1)),
    ['eval.json', 'report.md', 'kl-per-dim.png', 'curves.png'],
  );
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  assert.match(md, /test −ELBO.*\| 110\.00 \|/);
  assert.match(md, /IS-NLL.*k = 5000.*104\.50/);
  assert.match(md, /sits 5\.50 nats below/);
  assert.match(md, /active units: 2 of 3/);
  assert.match(md, /!\[KL per latent dimension\]\(kl-per-dim\.png\)/);
  assert.match(md, /vaekit train-classifier/);
  assert.equal(JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')).importanceSampled.k, 5000);
});
