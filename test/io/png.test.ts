import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { decodeImage } from '../../src/io/image.js';
import { decodePng, encodeImageGrid, writeImageGrid } from '../../src/io/png.js';

/** RGBA pixel (x, y) of a decoded PNG. */
function pixel(png: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const i = (y * png.width + x) * 4;
  return Array.from(png.data.subarray(i, i + 4));
}

test('grey grid: dimensions, padding, scaling and clipped values', () => {
  // 3 images of 2x2; image n has value n/2 everywhere except pixel (0,0), which is out of range.
  const images = new Float32Array(3 * 4);
  for (let n = 0; n < 3; n++) images.fill(n / 2, n * 4, n * 4 + 4);
  images[0] = -3;
  images[4] = 7;
  const png = decodePng(
    encodeImageGrid(images, 3, [2, 2, 1], { cols: 2, padding: 1, scale: 2, background: 0 }),
    'g',
  );
  // width = 2 cols * (2*2 + 1) + 1 = 11; height = 2 rows * 5 + 1 = 11
  assert.equal(png.width, 11);
  assert.equal(png.height, 11);
  assert.deepEqual(pixel(png, 0, 0), [0, 0, 0, 255]); // background
  assert.deepEqual(pixel(png, 1, 1), [0, 0, 0, 255]); // -3 clipped to 0
  assert.deepEqual(pixel(png, 3, 3), [0, 0, 0, 255]); // image 0 value 0, upscaled block
  assert.deepEqual(pixel(png, 6, 1), [255, 255, 255, 255]); // image 1 pixel (0,0): 7 clipped to 1
  assert.deepEqual(pixel(png, 9, 4), [128, 128, 128, 255]); // image 1 value 0.5
  assert.deepEqual(pixel(png, 1, 6), [255, 255, 255, 255]); // image 2 value 1
  assert.deepEqual(pixel(png, 6, 6), [0, 0, 0, 255]); // empty cell: background
});

test('RGB grid keeps the channels and uses the default layout', () => {
  const images = new Float32Array(4 * 3);
  for (let n = 0; n < 4; n++) images.set([1, 0, 0.2], n * 3);
  const dir = mkdtempSync(join(tmpdir(), 'vaekit-png-'));
  writeImageGrid(join(dir, 'g.png'), images, 4, [1, 1, 3]);
  const png = decodePng(readFileSync(join(dir, 'g.png')), 'g.png');
  // 2x2 grid of 1x1 images with padding 2: 2 * 3 + 2 = 8
  assert.equal(png.width, 8);
  assert.equal(png.height, 8);
  assert.deepEqual(pixel(png, 2, 2), [255, 0, 51, 255]);
  assert.deepEqual(pixel(png, 0, 0), [128, 128, 128, 255]);
});

test('encodeImageGrid rejects unsupported channel counts', () => {
  assert.throws(() => encodeImageGrid(new Float32Array(8), 2, [2, 2, 2]), InputError);
});

test('decodePng rejects non-PNG bytes and corrupt data naming the source', () => {
  assert.throws(
    () => decodePng(Buffer.from('not a png at all, no'), 'a.png'),
    (e: unknown) => e instanceof InputError && e.details.where === 'a.png',
  );
  const good = encodeImageGrid(new Float32Array(16).fill(0.3), 1, [4, 4, 1]);
  const bad = Buffer.from(good);
  bad.fill(0xaa, 40, 60);
  assert.throws(
    () => decodePng(bad, 'b.png'),
    (e: unknown) => e instanceof InputError && e.details.where === 'b.png',
  );
});

// adversarial finding F2 on #13: pngjs's own words ("There are some read requests waitng on finished
// stream") reached the user for a PNG cut short
test('a PNG cut short is "not a whole PNG", naming the file, not in pngjs words', () => {
  const png = encodeImageGrid(
    Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => (i % 7) / 7),
    1,
    [32, 32, 3],
    { padding: 0 },
  );
  for (const cut of [png.length >> 1, png.length - 20, 40]) {
    assert.throws(
      () => decodeImage(png.subarray(0, cut), 'trunc/disc/zz.png'),
      (e: unknown) => {
        assert.ok(e instanceof InputError, String(e));
        assert.match(e.message, /^trunc\/disc\/zz\.png: .*not a whole PNG/);
        assert.doesNotMatch(e.message, /waitng|read requests|finished stream|Unexpected end of input/i);
        return true;
      },
    );
  }
});
