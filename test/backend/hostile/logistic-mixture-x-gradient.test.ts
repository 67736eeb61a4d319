/**
 * From a hostile round: the fused logistic-mixture log-likelihood (backend/fused/logistic-mixture.ts) must be
 * differentiable in x as the tf-op formula is (cpu, wasm without the addon). Its first custom gradient covered
 * the parameters only: differentiating for x threw, and when x and the parameters both depended on the
 * variable, x's share of the gradient was silently dropped.
 */
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { LogisticMixture } from '../../../src/distributions/index.js';
import { assertClose, runOn, setup, values, withNative } from '../compare.js';

await setup();

const P = values(2 * 3 * 3 * 9, 1);
const X = values(18, 2).map((v) => (v + 1) / 2);

/** d/dx Σ log p(x) for fixed parameters. */
const gradX = () => {
  const p = tf.tensor(P, [2, 3, 3, 9]);
  const x = tf.tensor(X, [2, 3, 3, 1]);
  return [tf.grad((xx: tf.Tensor) => new LogisticMixture(p, 1, 3).logProb(xx).sum())(x)];
};

/** d/ds Σ log p(x(s)) with parameters p(s) = s·P and data x(s) = clip(s·X): both depend on s. */
const gradShared = () => {
  const p = tf.tensor(P, [2, 3, 3, 9]);
  const x = tf.tensor(X, [2, 3, 3, 1]);
  const s = tf.scalar(0.9);
  return [tf.grad((t: tf.Tensor) => new LogisticMixture(p.mul(t), 1, 3).logProb(x.mul(t)).sum())(s)];
};

for (const [name, f] of [
  ['gradient of log p(x) for x', gradX],
  ['gradient through both x and the parameters', gradShared],
] as const) {
  test(`${name}: wasm with the addon agrees with cpu and with wasm without it`, async () => {
    const expected = await runOn('cpu', f);
    const plain = await withNative(false, () => runOn('wasm', f));
    assertClose(plain[0], expected[0], `${name} (wasm kernels)`, 1e-3);
    const native = await withNative(true, () => runOn('wasm', f));
    assertClose(native[0], expected[0], `${name} (native)`, 1e-3);
  });
}
