/**
 * Found by a hostile test (fixed since): the model card of a run on an image folder of RGBA PNGs, trained grey (--channels 1), says only
 *   "image files centre-cropped to a square and area-resized to 8×8, grey"
 * but vaekit composites alpha over black and makes grey as BT.601 luma 0.299 R + 0.587 G + 0.114 B
 * (src/data/resize.ts). A user of encoder.onnx who prepares images the common way (PIL
 * `Image.open(p).convert('L')` ignores alpha) feeds different pixels wherever an image is transparent: for
 * these images, fully transparent white, vaekit's input is 0 and PIL's is 1.
 * Expected: the card's preprocessing says how alpha and colour were turned into the model's input.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { PNG } from 'pngjs';
import { exportCard, trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack2-alpha-'));
const vaekit = vaekitFromSource(work);

before(() => {
  // 40 RGBA PNGs, 8×8: an opaque red square on a fully transparent white background
  for (const kind of ['a', 'b']) {
    mkdirSync(join(work, 'rgba', kind), { recursive: true });
    for (let n = 0; n < 20; n++) {
      const png = new PNG({ width: 8, height: 8 });
      for (let i = 0; i < 64; i++) {
        const inside =
          i % 8 >= 2 && i % 8 < 6 && i >= 16 && i < 48 + (kind === 'a' ? 0 : 8) && (i + n) % 7 !== 0;
        png.data.set(inside ? [255, 0, 0, 255] : [255, 255, 255, 0], i * 4);
      }
      writeFileSync(join(work, 'rgba', kind, `${n}.png`), PNG.sync.write(png));
    }
  }
  const r = trainTiny(
    vaekit,
    'grey',
    join(work, 'rgba'),
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

test('the card of a grey run on RGBA images says how alpha and colour became the grey input', () => {
  const card = exportCard(vaekit, work, 'runs/grey', 'grey', '--part', 'all');
  const text = (card.data.preprocessing as string[]).join(' | ');
  assert.match(text, /alpha|transparen/i, `the card never says what became of transparent pixels: ${text}`);
  assert.match(text, /0\.299|601|luma/i, `the card never says how colour became grey: ${text}`);
});
