/**
 * The wasm Identity shares its input's data (identity.ts): a clone reads the same values, outlives its
 * source, and keeps the old values of a weight that the fused Adam then updates.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer } from '../../src/backend/wasm/adam.js';
import { compareBackends, setup, values } from './compare.js';

await setup();

test('a clone on wasm has the values of its source and outlives it', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor2d(values(12, 1), [3, 4]);
  const y = tf.clone(x);
  const expected = x.dataSync().slice();
  x.dispose();
  assert.deepEqual(y.dataSync(), expected);
  y.dispose();
});

test('gradients through saved tensors match the cpu backend', async () => {
  const a = values(64, 2);
  const b = values(64, 3);
  await compareBackends('d/da, d/db of Σ exp(a)·sin(b)·a', () => {
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.mul(tf.exp(x), tf.sin(y)), x));
    return tf.grads(f)([tf.tensor1d(a), tf.tensor1d(b)]);
  });
});

test('a live clone of a weight keeps its values across an Adam step', async () => {
  await tf.setBackend('wasm');
  const w = tf.variable(tf.tensor1d(values(8, 4)));
  const before = w.dataSync().slice();
  const snapshot = tf.clone(w);
  const opt = new FusedAdamOptimizer(0.1, 0.9, 0.999);
  opt.minimize(() => tf.sum(tf.square(w)));
  assert.deepEqual(snapshot.dataSync(), before, 'the clone changed with the weight');
  assert.notDeepEqual(w.dataSync(), before, 'the weight did not move');
  tf.dispose([w, snapshot]);
  opt.dispose();
});
