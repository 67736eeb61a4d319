/**
 * From a hostile round: the gradients of Sum and Mean (fused/reduce-grad.ts, dy broadcast) of an input with a
 * zero-sized axis must be empty gradients of the input's shape, as tfjs's own are. tfjs's broadcastTo treats
 * a repetition of 0 as nothing to repeat and returned the kept shape ([1] or [B, 1]), which the engine refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { LogisticMixture } from '../../../src/distributions/index.js';
import { runOn, setup, withNative } from '../compare.js';

await setup();

const backends: [string, boolean][] = [
  ['cpu', true],
  ['wasm', true],
  ['wasm', false],
];

const cases: [string, () => tf.Tensor[], number[]][] = [
  // sum over axis 1 of [0, 3] gives [0]; the outer sum's gradient must be [0]-shaped
  ['sum of an empty vector', () => [tf.grad((a: tf.Tensor) => a.sum(1).sum())(tf.zeros([0, 3]))], [0]],
  ['sum over a zero-sized axis', () => [tf.grad((a: tf.Tensor) => a.sum(1).sum())(tf.zeros([2, 0]))], [0]],
  ['mean over a zero-sized axis', () => [tf.grad((a: tf.Tensor) => a.mean(1).sum())(tf.zeros([2, 0]))], [0]],
  [
    'logistic mixture log-likelihood of a batch of no images',
    () => {
      const x = tf.zeros([0, 4, 4, 1]);
      return [
        tf.grad((q: tf.Tensor) => new LogisticMixture(q, 1, 3).logProb(x).sum())(tf.zeros([0, 4, 4, 9])),
      ];
    },
    [0],
  ],
];

for (const [name, f, lengths] of cases) {
  for (const [backend, native] of backends) {
    test(`${name}: an empty gradient on ${backend}${native ? '' : ' without the addon'}`, async () => {
      const out = await withNative(native, () => runOn(backend, f));
      assert.deepEqual(
        out.map((o) => o.length),
        lengths,
      );
    });
  }
}
