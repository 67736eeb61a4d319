import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { comparisonTable } from '../../src/cli/compare.js';
import { InputError } from '../../src/core/errors.js';
import { decodePng } from '../../src/io/png.js';
import { buildModel, modelConfigSchema } from '../../src/models/registry.js';
import { checkSameData, writeSideBySide } from '../../src/run/compare.js';
import { runConfigSchema } from '../../src/run/config.js';
import type { LoadedRun } from '../../src/run/load-run.js';
import type { TrainState } from '../../src/train/loop.js';
import { useBackend } from '../helpers/backend.js';

before(() => useBackend('cpu'));

test('side-by-side picture: one 2×2 block per source, blocks one empty column apart, pixels in place', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vaekit-compare-'));
  const path = join(dir, 'cmp.png');
  const shape: [number, number, number] = [3, 3, 1];
  const block = (v: number) => new Float32Array(4 * 9).fill(v);
  writeSideBySide(path, [block(0), block(1)], shape, { rows: 2, perRow: 2, scale: 1 });
  const png = decodePng(readFileSync(path), path);
  // 2 + 1 (gap) + 2 = 5 columns of 3 px + 2 px padding each, plus the outer padding
  assert.equal(png.width, 5 * 5 + 2);
  assert.equal(png.height, 2 * 5 + 2);
  const grey = (x: number, y: number) => png.data[(y * png.width + x) * 4];
  assert.equal(grey(2, 2), 0); // first block: black
  assert.equal(grey(2 + 3 * 5, 2), 255); // second block, after the gap column: white
  assert.equal(grey(2 + 2 * 5, 2), 128); // the gap: background grey
  rmSync(dir, { recursive: true, force: true });
});

const fakeRun = (dir: string, dataset: string) => {
  const config = runConfigSchema.parse({
    data: { dataset },
    model: { type: 'gan' },
    inputShape: [28, 28, 1],
  });
  return {
    dir,
    config,
    model: buildModel(
      modelConfigSchema.parse({ type: 'gan', generatorFilters: [2], criticFilters: [2] }),
      { inputShape: [28, 28, 1] },
      0,
    ),
    checkpoint: '',
    state: { step: 0 } as TrainState,
    checkpointNote: null,
  } satisfies LoadedRun & { dir: string };
};

test('runs on different data cannot be compared', () => {
  const a = fakeRun('runs/a', 'mnist');
  assert.doesNotThrow(() => checkSameData([a, fakeRun('runs/b', 'mnist')]));
  assert.throws(() => checkSameData([a, fakeRun('runs/c', 'fashion-mnist')]), InputError);
});

test('the table shows – for the IS-NLL of a model without a likelihood', () => {
  const quality = { frechetDistance: 12.345, precisionRecall: { precision: 0.5, recall: 0.25, k: 3 } };
  const row = (model: string, isNll: number | null, conditional = false) => ({
    run: `runs/${model}`,
    model,
    step: 10,
    quality: { ...quality, prCount: 1, realCount: 1, sampleCount: 1, featureDim: 1 },
    isNll,
    isNllBitsPerDim: isNll === null ? null : isNll / (784 * Math.LN2),
    conditional,
  });
  const lines = comparisonTable([row('vae', 100), row('gan', null)]).split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[2], /\| runs\/vae \| vae \| 10 \| 12\.35 \| 0\.500 \| 0\.250 \| 100\.00 \| 0\.1840 \|/);
  assert.match(lines[3], /\| runs\/gan \| gan \| 10 \| 12\.35 \| 0\.500 \| 0\.250 \| – \| – \|/);
  // a conditional model's −log p(x|y) is marked, with a note under the table
  const marked = comparisonTable([row('vae', 100), row('cvae', 98, true)]).split('\n');
  assert.match(marked[3], /98\.00 \(given y\)/);
  assert.match(marked.at(-1)!, /−log p\(x\|y\)/);
});
