import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { InputError } from '../../src/core/errors.js';
import { loadImageFolder, openImageFolder } from '../../src/data/imagefolder.js';
import { cropResize } from '../../src/data/resize.js';

/** A width×height RGBA PNG filled with one colour. */
function solidPng(width: number, height: number, rgba: [number, number, number, number]): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) png.data.set(rgba, i * 4);
  return PNG.sync.write(png);
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vaekit-folder-'));
}

/** root/cat/{0,1,2}.png (red) and root/dog/{0,1}.png (blue), of various non-square sizes. */
function classFolder(): string {
  const root = tempDir();
  mkdirSync(join(root, 'cat'));
  mkdirSync(join(root, 'dog'));
  for (let i = 0; i < 3; i++)
    writeFileSync(join(root, 'cat', `${i}.png`), solidPng(8 + i, 6, [255, 0, 0, 255]));
  for (let i = 0; i < 2; i++)
    writeFileSync(join(root, 'dog', `${i}.png`), solidPng(5, 9 + i, [0, 0, 255, 255]));
  writeFileSync(join(root, 'dog', 'notes.txt'), 'ignored');
  return root;
}

test('cropResize: centre crop and area averaging', () => {
  // 4x2 grey image, columns 0..3 = 0, 100, 200, 255: the centre square is columns 1-2.
  const img = {
    width: 4,
    height: 2,
    data: Uint8Array.from([0, 100, 200, 255, 0, 100, 200, 255].flatMap((v) => [v, v, v, 255])),
  };
  const out = new Float32Array(1);
  cropResize(img, 1, 1, out);
  assert.ok(Math.abs(out[0] - 150 / 255) < 1e-5, String(out[0]));
  const big = new Float32Array(4 * 4 * 3);
  cropResize(img, 4, 3, big);
  assert.ok(Math.abs(big[0] - 100 / 255) < 1e-5 && Math.abs(big[big.length - 1] - 200 / 255) < 1e-5);
});

test('class subfolders give sorted class names and labels', () => {
  const source = openImageFolder(classFolder(), { size: 4 });
  assert.deepEqual(source.classNames, ['cat', 'dog']);
  assert.equal(source.count, 5);
  assert.deepEqual(Array.from(source.labels!), [0, 0, 0, 1, 1]);
  assert.deepEqual(source.shape, [4, 4, 3]);
  const batch = source.readBatch([4, 0]);
  assert.equal(batch.size, 2);
  assert.deepEqual(Array.from(batch.labels!), [1, 0]);
  assert.deepEqual(Array.from(batch.x.subarray(0, 3)), [0, 0, 1]);
  assert.deepEqual(Array.from(batch.x.subarray(48, 51)), [1, 0, 0]);
});

test('loadImageFolder decodes all images, grey, split by a fixed fraction', () => {
  const root = classFolder();
  const split = loadImageFolder(root, { size: 3, channels: 1, testFraction: 0.4 });
  assert.equal(split.train.count, 3);
  assert.equal(split.test.count, 2);
  assert.deepEqual(split.train.shape, [3, 3, 1]);
  const values = [...split.train.images, ...split.test.images];
  assert.ok(values.every((v) => Math.abs(v - 0.299) < 1e-5 || Math.abs(v - 0.114) < 1e-5));
  assert.deepEqual(loadImageFolder(root, { size: 3, channels: 1, testFraction: 0.4 }), split);
});

test('images directly in the folder: no labels', () => {
  const root = tempDir();
  writeFileSync(join(root, 'a.png'), solidPng(3, 3, [0, 255, 0, 255]));
  const source = openImageFolder(root, { size: 2 });
  assert.equal(source.labels, undefined);
  assert.equal(source.count, 1);
});

test('a corrupt file is an InputError naming it; skipBadFiles skips and counts it', () => {
  const root = classFolder();
  const bad = join(root, 'dog', 'broken.png');
  writeFileSync(bad, solidPng(4, 4, [1, 2, 3, 255]).subarray(0, 40));
  assert.throws(
    () => loadImageFolder(root, { size: 4 }),
    (e: unknown) => e instanceof InputError && e.details.where === bad,
  );
  const split = loadImageFolder(root, { size: 4, skipBadFiles: true });
  assert.deepEqual(split.skipped, [bad]);
  assert.equal(split.train.count + split.test.count, 5);
});

test('JPEG files are decoded like PNGs; a corrupt JPEG is an InputError naming it', () => {
  const root = tempDir();
  const rgba = new Uint8Array(16 * 12 * 4);
  for (let i = 0; i < 16 * 12; i++) rgba.set([20, 200, 90, 255], i * 4);
  writeFileSync(join(root, 'photo.JPG'), jpeg.encode({ width: 16, height: 12, data: rgba }, 95).data);
  writeFileSync(join(root, 'b.png'), solidPng(5, 5, [20, 200, 90, 255]));
  const src = openImageFolder(root, { size: 4 });
  const batch = src.readBatch([0, 1]);
  assert.equal(batch.size, 2);
  // JPEG is lossy: the decoded colour is within a few levels of the original
  for (let i = 0; i < batch.x.length; i += 3) {
    assert.ok(Math.abs(batch.x[i] - 20 / 255) < 0.03 && Math.abs(batch.x[i + 1] - 200 / 255) < 0.03);
  }
  const broken = join(root, 'broken.jpg');
  writeFileSync(broken, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
  assert.throws(
    () => openImageFolder(root, { size: 4 }).readBatch([0, 1, 2]),
    (e: unknown) => e instanceof InputError && e.message.includes('broken.jpg') && /JPEG/.test(e.message),
  );
});

test('an empty folder and a missing folder are InputErrors', () => {
  assert.throws(() => openImageFolder(tempDir(), { size: 4 }), /no image files/);
  assert.throws(() => openImageFolder(join(tempDir(), 'missing'), { size: 4 }), InputError);
  const root = tempDir();
  writeFileSync(join(root, 'a.png'), solidPng(3, 3, [0, 0, 0, 255]));
  assert.throws(
    () => openImageFolder(root, { size: 0 }),
    (e: unknown) => e instanceof InputError && e.details.where === '--image-size',
  );
});

test('cropResize never reads outside the crop: every output is finite for any source and target size', () => {
  for (const [w, h] of [
    [65, 65],
    [5, 7],
    [7, 5],
    [3, 200],
  ]) {
    const img = { width: w, height: h, data: new Uint8Array(w * h * 4).fill(200) };
    for (const size of [1, 2, 7, 13, 64, 100]) {
      const out = new Float32Array(size * size * 3);
      cropResize(img, size, 3, out);
      // a uniform image stays uniform: the taps' weights sum to 1
      for (const v of out)
        assert.ok(Math.abs(v - (200 / 255) * (200 / 255)) < 1e-5, `${w}×${h} → ${size}: ${v}`);
    }
  }
});
