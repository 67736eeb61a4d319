import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/core/random.js';
import { bernoulliSample, binarizeDataset, threshold } from '../../src/data/binarize.js';
import type { Dataset } from '../../src/data/dataset.js';

const pixels = Float32Array.from({ length: 20000 }, (_, i) => (i % 101) / 100);
const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;

test('static binarisation: values in {0,1}, mean close to the pixel mean', () => {
  const b = bernoulliSample(pixels, new Rng(1));
  assert.ok(b.every((v) => v === 0 || v === 1));
  // std of the mean is at most 0.5/sqrt(20000) ≈ 0.0035
  assert.ok(Math.abs(mean(b) - mean(pixels)) < 0.015, `${mean(b)} vs ${mean(pixels)}`);
  // pixels of exactly 0 and 1 stay 0 and 1
  assert.equal(b[0], 0);
  assert.equal(b[100], 1);
});

test('static binarisation: same seed, same result; different seed, different result', () => {
  assert.deepEqual(bernoulliSample(pixels, new Rng(7)), bernoulliSample(pixels, new Rng(7)));
  assert.notDeepEqual(bernoulliSample(pixels, new Rng(7)), bernoulliSample(pixels, new Rng(8)));
});

test('dynamic binarisation: successive draws from one Rng differ', () => {
  const rng = new Rng(3);
  assert.notDeepEqual(bernoulliSample(pixels, rng), bernoulliSample(pixels, rng));
});

test('threshold at 0.5', () => {
  assert.deepEqual(Array.from(threshold(Float32Array.from([0, 0.5, 0.51, 1]))), [0, 0, 1, 1]);
});

test('binarizeDataset applies static and threshold, leaves none and dynamic', () => {
  const ds: Dataset = { name: 'd', shape: [1, 1, 1], count: pixels.length, images: pixels };
  assert.equal(binarizeDataset(ds, 'none', new Rng(0)), ds);
  assert.equal(binarizeDataset(ds, 'dynamic', new Rng(0)), ds);
  assert.deepEqual(binarizeDataset(ds, 'static', new Rng(2)).images, bernoulliSample(pixels, new Rng(2)));
  assert.deepEqual(binarizeDataset(ds, 'threshold', new Rng(2)).images, threshold(pixels));
});
