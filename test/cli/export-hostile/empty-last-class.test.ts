/**
 * Found by a hostile test (round 3, fixed since): a CVAE trained on an image folder whose class folders are `cat`, `dog`
 * and a last, empty `zebra` (a class with no pictures yet, or whose files were all skipped as bad) gets a
 * model card whose labelColumns name a label file that does not exist and lose the folder names:
 *   classes: 2
 *   labelColumns: ["label 0 of the data's label file", "label 1 of the data's label file"]
 * config.json holds classNames ["cat", "dog", "zebra"] (every subfolder, src/data/imagefolder.ts) while
 * `classes` is the largest label + 1 = 2 (src/run/data.ts classCount); labelColumns (src/run/export-run.ts)
 * uses the names only when their count equals `classes`, so the card falls back to the IDX wording.
 * Column k of y is folder k in sorted order, so the names are known.
 * Expected: labelColumns ["cat", "dog"] (names for the columns the model has).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { PNG } from 'pngjs';
import { exportCard, trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack3-emptyclass-'));
const vaekit = vaekitFromSource(work);

before(() => {
  for (const [k, kind] of ['cat', 'dog'].entries()) {
    mkdirSync(join(work, 'pets', kind), { recursive: true });
    for (let n = 0; n < 20; n++) {
      const png = new PNG({ width: 8, height: 8 });
      for (let i = 0; i < 64; i++) {
        const v = ((i + n + 3 * k) % 8) * 32;
        png.data.set([v, v, v, 255], i * 4);
      }
      writeFileSync(join(work, 'pets', kind, `${n}.png`), PNG.sync.write(png));
    }
  }
  mkdirSync(join(work, 'pets', 'zebra')); // no pictures yet
  const r = trainTiny(
    vaekit,
    'pets',
    join(work, 'pets'),
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
});

test("a CVAE card names the image folder's classes when the last class folder is empty", () => {
  const card = exportCard(vaekit, work, 'runs/pets', 'pets-export', '--part', 'all');
  assert.equal(card.model.classes, 2);
  assert.deepEqual(
    card.model.labelColumns,
    ['cat', 'dog'],
    `the columns of y are the folders cat and dog; the card says ${JSON.stringify(card.model.labelColumns)} (there is no label file)`,
  );
});
