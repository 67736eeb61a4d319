import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cropResize, cropResizeTo } from '../../src/data/resize.js';
import { meanValue, preprocessImage, type RgbaImage } from '../../src/web/client/preprocess.js';

/** An RGBA image whose pixel (x, y) is f(x, y) = [r, g, b, a]. */
function image(width: number, height: number, f: (x: number, y: number) => number[]): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(f(x, y), (y * width + x) * 4);
  return { width, height, data };
}

const white = (w: number, h: number) => image(w, h, () => [255, 255, 255, 255]);

test('preprocessImage: any source size becomes the model input h×w×c, values in [0, 1]', () => {
  for (const [w, h] of [
    [1, 1],
    [500, 37],
    [37, 500],
    [28, 28],
    [3, 200],
  ]) {
    for (const shape of [
      [28, 28, 1],
      [32, 32, 3],
      [5, 9, 1],
    ] as [number, number, number][]) {
      const src = image(w, h, (x, y) => [(x * 7) % 256, (y * 13) % 256, (x + y) % 256, 255]);
      const out = preprocessImage(src, shape, 'none');
      assert.equal(out.pixels.length, shape[0] * shape[1] * shape[2], `${w}×${h} → ${shape}`);
      assert.ok(
        out.pixels.every((v) => Number.isFinite(v) && v >= 0 && v <= 1),
        `${w}×${h} → ${shape}`,
      );
    }
  }
  // a 1×1 white image fills the whole input
  assert.ok(preprocessImage(white(1, 1), [28, 28, 1], 'none').pixels.every((v) => Math.abs(v - 1) < 1e-6));
});

test('preprocessImage: grey is the data loaders’ luma, grey becomes RGB, alpha is composited over black', () => {
  const red = image(4, 4, () => [255, 0, 0, 255]);
  assert.ok(Math.abs(preprocessImage(red, [2, 2, 1], 'none').pixels[0] - 0.299) < 1e-6);
  const rgb = preprocessImage(red, [2, 2, 3], 'none').pixels;
  assert.deepEqual(Array.from(rgb.subarray(0, 3)), [1, 0, 0]);
  // a grey source gives three equal channels
  const grey = preprocessImage(
    image(4, 4, () => [102, 102, 102, 255]),
    [2, 2, 3],
    'none',
  ).pixels;
  assert.ok(grey.every((v) => Math.abs(v - 0.4) < 1e-6));
  // half-transparent white over black is grey 0.5; fully transparent is black
  const half = preprocessImage(
    image(4, 4, () => [255, 255, 255, 128]),
    [2, 2, 1],
    'none',
  ).pixels;
  assert.ok(half.every((v) => Math.abs(v - 128 / 255) < 1e-6));
  const clear = preprocessImage(
    image(4, 4, () => [255, 255, 255, 0]),
    [2, 2, 1],
    'none',
  ).pixels;
  assert.ok(clear.every((v) => v === 0));
});

test('preprocessImage: binarised like the run’s data, deterministically, and says so', () => {
  // a horizontal ramp 0 … 1 over 10 columns
  const ramp = image(10, 10, (x) => [
    Math.round((x * 255) / 9),
    Math.round((x * 255) / 9),
    Math.round((x * 255) / 9),
    255,
  ]);
  const none = preprocessImage(ramp, [10, 10, 1], 'none');
  assert.ok(none.pixels.some((v) => v > 0 && v < 1));
  assert.match(none.steps, /grey values kept/);
  for (const mode of ['threshold', 'static', 'dynamic']) {
    const out = preprocessImage(ramp, [10, 10, 1], mode);
    assert.ok(
      out.pixels.every((v) => v === 0 || v === 1),
      mode,
    );
    assert.deepEqual(
      Array.from(out.pixels.subarray(0, 10)),
      Array.from(none.pixels.subarray(0, 10), (v) => (v > 0.5 ? 1 : 0)),
      mode,
    );
    assert.match(out.steps, new RegExp(`pixel > 0\\.5 → 1.*binarize: ${mode}`));
    assert.deepEqual(preprocessImage(ramp, [10, 10, 1], mode).pixels, out.pixels, `${mode} is deterministic`);
  }
  assert.match(none.steps, /^10×10 resized to 10×10 by area averaging/);
  assert.match(preprocessImage(white(500, 37), [28, 28, 1], 'none').steps, /^500×37 centre-cropped/);
});

test('preprocessImage: invert turns a drawing white on black into black on white, before binarising', () => {
  const dot = image(4, 4, (x, y) => (x === 0 && y === 0 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
  const out = preprocessImage(dot, [4, 4, 1], 'threshold', { invert: true });
  assert.deepEqual(Array.from(out.pixels.subarray(0, 2)), [0, 1]);
  assert.match(out.steps, /inverted/);
});

test('preprocessImage: a clear error for what cannot be made', () => {
  assert.throws(() => preprocessImage({ width: 0, height: 0, data: [] }, [28, 28, 1], 'none'), /empty/);
  assert.throws(() => preprocessImage(white(2, 2), [28, 28, 2], 'none'), /2 channels/);
  assert.throws(
    () => preprocessImage(white(2, 2), [28, 28, 1], 'sometimes'),
    /unknown binarisation 'sometimes'/,
  );
});

test('cropResizeTo: a square target is cropResize; a wide target keeps its width', () => {
  const src = image(7, 5, (x, y) => [x * 30, y * 40, 9, 255 - x]);
  const a = new Float32Array(3 * 3 * 3);
  const b = new Float32Array(3 * 3 * 3);
  cropResize(src, 3, 3, a);
  cropResizeTo(src, 3, 3, 3, b);
  assert.deepEqual(b, a);
  // a 6×2 source to 1×3: the full width, the whole height; left, middle, right thirds
  const wide = image(6, 2, (x) => [x < 2 ? 255 : 0, 0, 0, 255]);
  const out = new Float32Array(3);
  cropResizeTo(wide, 1, 3, 1, out);
  assert.ok(Math.abs(out[0] - 0.299) < 1e-6 && out[1] === 0 && out[2] === 0);
});

test('meanValue', () => {
  assert.equal(meanValue([]), 0.5);
  assert.equal(meanValue([0, 1, 1, 0]), 0.5);
});

test('a transparent background: the opaque shape is the ink, black strokes or white, for a grey model', () => {
  for (const ink of [0, 255]) {
    const [w, h] = [20, 20];
    const data = new Uint8ClampedArray(w * h * 4); // all transparent
    for (let y = 4; y < 16; y++) for (let x = 9; x < 11; x++) data.set([ink, ink, ink, 255], 4 * (y * w + x));
    const out = preprocessImage({ width: w, height: h, data }, [20, 20, 1], 'none');
    assert.equal(out.pixels[10 * 20 + 10], 1, `ink ${ink}: the stroke is white`);
    assert.equal(out.pixels[10 * 20 + 2], 0, `ink ${ink}: the background black`);
    assert.match(out.steps, /transparent background: the opaque shape/);
  }
  // an opaque image keeps its grey values; a colour model composites over black as before
  const opaque = new Uint8ClampedArray(4 * 4).fill(255);
  assert.doesNotMatch(
    preprocessImage({ width: 2, height: 2, data: opaque }, [2, 2, 1], 'none').steps,
    /opaque shape/,
  );
  const clear = new Uint8ClampedArray(4 * 4);
  clear.set([200, 10, 10, 255], 0);
  assert.match(preprocessImage({ width: 2, height: 2, data: clear }, [2, 2, 3], 'none').steps, /over black/);
});
