import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/random.js';
import { kthNeighbourRadii2, precisionRecall } from '../../src/eval/precision-recall.js';
import { useBackend } from '../helpers/backend.js';

before(() => useBackend('cpu'));

test('k-th neighbour radii on a line of points', () => {
  const pts = tf.tensor2d([0, 1, 3, 7], [4, 1]);
  // neighbours of 0: 1, 3, 7 → k=2: 3 (squared 9); of 7: 3, 1, 0 → k=1: 4 (16)
  assert.deepEqual(Array.from(kthNeighbourRadii2(pts, 1)), [1, 1, 4, 16]);
  assert.deepEqual(Array.from(kthNeighbourRadii2(pts, 2)), [9, 4, 9, 36]);
});

const r = new Rng(1);
const gauss = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
const cloud = (n: number, d: number, scale: number, shift = 0) =>
  Float32Array.from({ length: n * d }, () => gauss() * scale + shift);

test('same distribution: precision and recall near 1; a collapsed generator: high precision, low recall', () => {
  const d = 2;
  const real = cloud(600, d, 1);
  const same = precisionRecall(real, cloud(600, d, 1), d);
  assert.ok(same.precision > 0.85 && same.recall > 0.85, JSON.stringify(same));
  // mode collapse: all samples near the centre
  const collapsed = precisionRecall(real, cloud(600, d, 0.1), d);
  assert.ok(collapsed.precision > 0.95, JSON.stringify(collapsed));
  assert.ok(collapsed.recall < 0.3, JSON.stringify(collapsed));
  // samples somewhere else entirely: neither
  const off = precisionRecall(real, cloud(600, d, 1, 20), d);
  assert.ok(off.precision === 0 && off.recall === 0, JSON.stringify(off));
});
