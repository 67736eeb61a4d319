/**
 * gatedResidual (backend/fused/gated-residual.ts), skip + s·x ⊙ gate: forward and the gradients for skip,
 * x and the gate on wasm — native kernels with the addon, the tf-op chain without — against the tf-op
 * chain on cpu; and that natively it runs one kernel each way.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { gatedResidual } from '../../src/backend/index.js';
import { nativeKernels } from '../../src/backend/native.js';
import { assertClose, nativePaths, runOn, setup, values, withNative } from './compare.js';

await setup();

/** The value and d Σ(y·w) / d(skip, x, gate), by the fused op or the tf ops. */
function gatedCase(shape: [number, number, number, number], fused: boolean) {
  const [b, , , c] = shape;
  const n = tf.util.sizeFromShape(shape);
  return () => {
    const skip = tf.tensor(values(n, 1), shape) as tf.Tensor4D;
    const x = tf.tensor(values(n, 2), shape) as tf.Tensor4D;
    const gate = tf.sigmoid(
      tf.tensor(
        values(b * c, 3).map((v) => 4 * v),
        [b, c],
      ),
    ) as tf.Tensor2D;
    const w = tf.tensor(values(n, 4), shape);
    const f = (s: tf.Tensor, a: tf.Tensor, g: tf.Tensor) =>
      fused
        ? gatedResidual(s as tf.Tensor4D, a as tf.Tensor4D, g as tf.Tensor2D, 0.1)
        : s.add(a.mul(g.reshape([b, 1, 1, c])).mul(0.1));
    const grads = tf.grads((s: tf.Tensor, a: tf.Tensor, g: tf.Tensor) => tf.sum(tf.mul(f(s, a, g), w)))([
      skip,
      x,
      gate,
    ]);
    return [f(skip, x, gate), ...grads];
  };
}

// one image and many; channels fewer than a vector and not a multiple of one; 33·31 pixels split over threads
const SHAPES: [number, number, number, number][] = [
  [1, 4, 4, 3],
  [5, 33, 31, 17],
  [64, 8, 8, 64],
];

test('the gated residual and its gradients on wasm (native and not) match the tf ops on cpu', async () => {
  for (const shape of SHAPES) {
    const expected = await runOn('cpu', gatedCase(shape, false));
    for (const native of nativePaths()) {
      const actual = await withNative(native, () => runOn('wasm', gatedCase(shape, true)));
      for (const [i, e] of expected.entries())
        assertClose(actual[i], e, `${shape} (${native ? 'native' : 'wasm'}) output ${i}`);
    }
  }
});

test('on wasm with the addon the gated residual runs one native kernel each way', {
  skip: nativeKernels() == null,
}, async () => {
  await tf.setBackend('wasm');
  const info = await tf.profile(() => void tf.tidy(gatedCase([2, 3, 3, 4], true)));
  const names = new Set(info.kernels.map((k) => k.name));
  assert.ok(names.has('VaekitGatedResidual') && names.has('VaekitGatedResidualGrad'), [...names].join(', '));
  const broadcast = info.kernels.filter((k) => k.inputShapes.some((s) => String(s) === '2,1,1,4'));
  assert.deepEqual(
    broadcast.map((k) => k.name),
    [],
    'the gate was broadcast by tf ops',
  );
});
