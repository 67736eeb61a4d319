/**
 * Depthwise convolution on wasm: the forward (DepthwiseConv2dNative, native with the addon) and both
 * gradients (DepthwiseConv2dNativeBackpropInput / …Filter, which the wasm backend lacks) against the cpu
 * backend, with the native addon and without it, on odd shapes, strides, paddings and multipliers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { nativeKernels } from '../../src/backend/native.js';
import { safeToUpdateInPlace } from '../../src/backend/wasm/weight-cache.js';
import { compareBackends, setup, values } from './compare.js';

await setup();

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

function tensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(values(tf.util.sizeFromShape(shape), seed), shape);
}

/** depthwiseConv2d forward, then d/dx and d/dfilter of Σ w ⊙ y. */
function depthwiseAndGrads(xShape: number[], fShape: number[], stride: number | [number, number], pad: Pad) {
  return () => {
    const x = tensor(xShape, 1) as tf.Tensor4D;
    const f = tensor(fShape, 2) as tf.Tensor4D;
    const conv = (a: tf.Tensor, b: tf.Tensor) =>
      tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad);
    const y = conv(x, f);
    const w = tensor(y.shape, 3);
    const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), w)))([x, f]);
    return [y, dx, df];
  };
}

test('wasm has both depthwise gradient kernels after patching', () => {
  assert.ok(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm') != null);
  assert.ok(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm') != null);
});

for (const k of [3, 5]) {
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as Pad[]) {
      for (const multiplier of [1, 2]) {
        test(`depthwise 3x[7x5]x5, k${k}, stride ${stride}, ${pad}, multiplier ${multiplier}: forward and both gradients match cpu`, async () => {
          await compareBackends(
            `depthwise k${k} s${stride} ${pad} m${multiplier}`,
            depthwiseAndGrads([3, 7, 5, 5], [k, k, 5, multiplier], stride, pad),
          );
        });
      }
    }
  }
}

test('depthwise with explicit asymmetric padding and a non-square filter matches cpu', async () => {
  const pad: Pad = [
    [0, 0],
    [2, 0],
    [1, 3],
    [0, 0],
  ];
  await compareBackends('depthwise explicit pad', depthwiseAndGrads([2, 6, 7, 3], [3, 2, 3, 1], 2, pad));
  await compareBackends('depthwise explicit pad m3', depthwiseAndGrads([2, 6, 7, 3], [2, 3, 3, 3], 1, pad));
});

test('depthwise on the NVAE cell’s shapes (channels 16 and 48, k5, same) matches cpu', async () => {
  await compareBackends('depthwise C16', depthwiseAndGrads([2, 12, 9, 16], [5, 5, 16, 1], 1, 'same'));
  await compareBackends('depthwise C48', depthwiseAndGrads([3, 8, 8, 48], [5, 5, 48, 1], 1, 'same'));
});

test('depthwise with row stride 2 and column stride 1 (the row-at-once paths) matches cpu', async () => {
  await compareBackends(
    'depthwise strides [2, 1]',
    depthwiseAndGrads([2, 9, 7, 16], [5, 5, 16, 1], [2, 1], 'same'),
  );
  await compareBackends(
    'depthwise strides [2, 1] valid',
    depthwiseAndGrads([2, 9, 7, 3], [3, 5, 3, 1], [2, 1], 'valid'),
  );
});

test('depthwise large enough to split over the native threads matches cpu', async () => {
  await compareBackends('depthwise split C16', depthwiseAndGrads([4, 16, 16, 16], [5, 5, 16, 1], 1, 'same'));
  await compareBackends('depthwise split C40', depthwiseAndGrads([6, 8, 8, 40], [5, 5, 40, 1], 1, 'same'));
});

test('a dilated depthwise forward matches cpu', async () => {
  await compareBackends('depthwise dilation 2', () => [
    tf.depthwiseConv2d(
      tensor([2, 9, 8, 4], 1) as tf.Tensor4D,
      tensor([3, 3, 4, 2], 2) as tf.Tensor4D,
      1,
      'same',
      'NHWC',
      2,
    ),
  ]);
});

test('tf.fused.depthwiseConv2d with bias and each activation matches cpu (FusedDepthwiseConv2D)', async () => {
  for (const activation of ['linear', 'relu', 'sigmoid'] as const) {
    await compareBackends(`fused depthwise ${activation}`, () => [
      tf.fused.depthwiseConv2d({
        x: tensor([2, 7, 6, 8], 1) as tf.Tensor4D,
        filter: tensor([5, 5, 8, 1], 2) as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias: tensor([8], 3),
        activation,
      }),
    ]);
  }
});

test('the gradient kernels refuse a dilation other than 1 with a clear error', async () => {
  await tf.setBackend('wasm');
  const x = tensor([1, 6, 6, 2], 1);
  const dy = tensor([1, 6, 6, 2], 2);
  const attrs = { strides: 1, pad: 'same', dilations: 2 };
  assert.throws(
    () =>
      tf
        .engine()
        .runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 2, 1] }),
    /dilation 1 only/,
  );
  assert.throws(
    () =>
      tf.engine().runKernel(
        'DepthwiseConv2dNativeBackpropInput',
        { dy, filter: tensor([3, 3, 2, 1], 3) },
        {
          ...attrs,
          inputShape: [1, 6, 6, 2],
        },
      ),
    /dilation 1 only/,
  );
  tf.dispose([x, dy]);
});

test('on wasm with the addon the forwards are vaekit’s: it caches no packed filter, so Adam may update it in place', {
  skip: nativeKernels() == null,
}, async () => {
  await tf.setBackend('wasm');
  const f = tensor([3, 3, 4, 1], 2) as tf.Tensor4D;
  tf.tidy(() => tf.depthwiseConv2d(tensor([2, 6, 5, 4], 1) as tf.Tensor4D, f, 1, 'same').dataSync());
  assert.ok(safeToUpdateInPlace(f), 'XNNPACK’s DepthwiseConv2dNative ran and cached the filter');
  const g = tensor([3, 3, 4, 1], 3) as tf.Tensor4D;
  tf.tidy(() =>
    tf.fused
      .depthwiseConv2d({
        x: tensor([2, 6, 5, 4], 1) as tf.Tensor4D,
        filter: g,
        strides: 1,
        pad: 'same',
        bias: tf.ones([4]),
      })
      .dataSync(),
  );
  assert.ok(safeToUpdateInPlace(g), 'XNNPACK’s FusedDepthwiseConv2D ran and cached the filter');
  tf.dispose([f, g]);
});

// Channels a multiple of 16 above 32: four pixels' sums in registers (native/depthwise.cc forwardRowsChannels),
// blocks of fewer pixels at the end of a row; the input gradient runs the same code on the turned filter.
test('depthwise with 48 and 64 channels, rows not a multiple of four pixels, strides and padding, matches cpu', async () => {
  await compareBackends('C64 k5 width 7', depthwiseAndGrads([2, 9, 7, 64], [5, 5, 64, 1], 1, 'same'));
  await compareBackends('C48 k3 valid width 6', depthwiseAndGrads([2, 9, 6, 48], [3, 3, 48, 1], 1, 'valid'));
  await compareBackends(
    'C48 strides [2, 1]',
    depthwiseAndGrads([3, 7, 5, 48], [3, 3, 48, 1], [2, 1], 'same'),
  );
  await compareBackends('C48 one column', depthwiseAndGrads([2, 5, 1, 48], [3, 3, 48, 1], 1, 'same'));
  await compareBackends('C48 dilated', () => [
    tf.depthwiseConv2d(
      tensor([2, 10, 9, 48], 5) as tf.Tensor4D,
      tensor([3, 3, 48, 1], 6) as tf.Tensor4D,
      1,
      'same',
      'NHWC',
      2,
    ),
  ]);
});
