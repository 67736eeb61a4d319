/**
 * Found by a hostile test (round 3, fixed since): a CVAE run on an image folder created by a vaekit before class names
 * were recorded (commit 977f56e and earlier: config.json has no `classNames`) gets a card whose
 * labelColumns speak of a label file that does not exist, although the class folders are still there:
 *   labelColumns: ["label 0 of the data's label file", "label 1 …", "label 2 …"]
 * The same card's preprocessing is told from the dataset when config.json lacks it (export-run.ts
 * preprocessing(): "else told from the dataset if it is still there"); the class names are not, and
 * `train --resume` (which reads them) never writes them into config.json, so such a run keeps that card.
 * Checked with the real 977f56e sources (git archive 977f56e src): same config.json keys, same card.
 * Expected: the columns named after the class folders (a, b, c), as for a run created today — or at least
 * no mention of a label file for an image folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { PNG } from 'pngjs';
import { configDigest } from '../../../src/io/checkpoint.js';
import { exportCard, trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack3-oldnames-'));
const vaekit = vaekitFromSource(work);

/** A config (or a checkpoint's runConfig) as vaekit 977f56e wrote it: no classNames, no dataPreparation. */
function asWrittenBy977f56e(config: Record<string, unknown>): Record<string, unknown> {
  const { classNames: _n, dataPreparation: _p, ...rest } = config;
  return rest;
}

before(() => {
  for (const [k, kind] of ['a', 'b', 'c'].entries()) {
    mkdirSync(join(work, 'shapes', kind), { recursive: true });
    for (let n = 0; n < 14; n++) {
      const png = new PNG({ width: 8, height: 8 });
      for (let i = 0; i < 64; i++) {
        const v = ((i * (k + 1) + n) % 8) * 32;
        png.data.set([v, v, v, 255], i * 4);
      }
      writeFileSync(join(work, 'shapes', kind, `${n}.png`), PNG.sync.write(png));
    }
  }
  const r = trainTiny(
    vaekit,
    'old',
    join(work, 'shapes'),
    '--model',
    'cvae',
    '--image-size',
    '8',
    '--channels',
    '1',
    '--batch-size',
    '10',
    '--latent-dim',
    '2',
  );
  assert.equal(r.code, 0, r.err);
  const dir = join(work, 'runs', 'old');
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify(asWrittenBy977f56e(JSON.parse(readFileSync(configPath, 'utf8'))), null, 2),
  );
  for (const ck of readdirSync(join(dir, 'checkpoints')).filter((n) => n.startsWith('step-'))) {
    const statePath = join(dir, 'checkpoints', ck, 'state.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    state.runConfig = asWrittenBy977f56e(state.runConfig);
    state.runConfigSha256 = configDigest(state.runConfig); // as that version stamped it
    writeFileSync(statePath, JSON.stringify(state, null, 1));
  }
  // trained further with today's vaekit: it reads the class names, but config.json keeps none
  const resumed = vaekit('train', '--resume', 'runs/old', '--epochs', '2');
  assert.equal(resumed.code, 0, resumed.err);
});

test("an older CVAE image-folder run's card names its class folders, not a label file", () => {
  const card = exportCard(vaekit, work, 'runs/old', 'old-export', '--part', 'all');
  assert.match(card.data.preprocessing.join(' '), /PNG/); // told from the dataset, which is still there
  assert.deepEqual(
    card.model.labelColumns,
    ['a', 'b', 'c'],
    `the class folders a, b, c are still there (the card's preprocessing was read from them); labelColumns: ${JSON.stringify(card.model.labelColumns)}`,
  );
});
