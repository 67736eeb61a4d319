import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  logTicks,
  padded,
  positivePoints,
  rangeOfPixels,
  smooth,
  yExtent,
} from '../../src/web/client/curve-math.js';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

test('smoothing: weight 0 is the raw curve; the EMA is debiased (a constant stays constant)', () => {
  const pts: [number, number][] = [
    [1, 4],
    [2, 4],
    [3, 4],
  ];
  assert.deepEqual(smooth(pts, 0), pts);
  for (const [, y] of smooth(pts, 0.9)) close(y, 4);
  // by hand: s1 = 0.5·0 + 0.5·2 = 1 → 1/(1−0.5) = 2; s2 = 0.5·1 + 0.5·4 = 2.5 → 2.5/(1−0.25) = 10/3
  const s = smooth(
    [
      [0, 2],
      [1, 4],
    ],
    0.5,
  );
  close(s[0][1], 2);
  close(s[1][1], 10 / 3);
  // a step up is followed slowly; x stays where it was
  const up = smooth(
    [
      [0, 0],
      [1, 0],
      [2, 10],
    ],
    0.9,
  );
  assert.deepEqual(
    up.map((p) => p[0]),
    [0, 1, 2],
  );
  assert.ok(up[2][1] > 0 && up[2][1] < 5);
});

test('smoothing passes over a non-finite value without poisoning the rest', () => {
  const s = smooth(
    [
      [0, 1],
      [1, Number.NaN],
      [2, 1],
    ],
    0.6,
  );
  assert.ok(Number.isNaN(s[1][1]));
  close(s[2][1], 1);
});

test('a log axis keeps the positive values and counts the others', () => {
  const { kept, dropped } = positivePoints([
    [0, 3],
    [1, 0],
    [2, -1],
    [3, Number.POSITIVE_INFINITY],
    [4, 0.5],
  ]);
  assert.deepEqual(kept, [
    [0, 3],
    [4, 0.5],
  ]);
  assert.equal(dropped, 3);
  assert.deepEqual(logTicks(1, 1000), [1, 10, 100, 1000]);
  assert.deepEqual(logTicks(80, 300), [100, 200]);
  assert.deepEqual(logTicks(150, 470), [200, 300, 400]);
  assert.deepEqual(logTicks(1e-3, 1e3), [1e-3, 0.01, 0.1, 1, 10, 100, 1000]);
  assert.deepEqual(logTicks(181, 189), [181, 182, 183, 184, 185, 186, 187, 188, 189]);
  assert.deepEqual(logTicks(-1, 3), []);
  const [lo, hi] = padded([10, 100], true);
  assert.ok(lo > 0 && lo < 10 && hi > 100);
});

test('ranges: y extent within an x window; a dragged box in data units, linear and log', () => {
  const pts: [number, number][] = [
    [0, 5],
    [10, 1],
    [20, 9],
  ];
  assert.deepEqual(yExtent(pts), [1, 9]);
  assert.deepEqual(yExtent(pts, 5, 25), [1, 9]);
  assert.deepEqual(yExtent(pts, 15, 25), [9, 9]);
  assert.equal(yExtent(pts, 30, 40), null);
  assert.deepEqual(padded([2, 2], false), [1.9, 2.1]);
  // pixels 100..300 show x 0..100; a drag from 250 back to 150 is x 25..75
  assert.deepEqual(rangeOfPixels(250, 150, [100, 300], [0, 100], false), [25, 75]);
  // a y axis drawn upwards (bottom pixel 200 = 1, top pixel 0 = 1000, log): the middle is 10^1.5
  const [a, b] = rangeOfPixels(100, 200, [200, 0], [1, 1000], true);
  close(a, 1);
  close(b, 10 ** 1.5, 1e-9);
});
