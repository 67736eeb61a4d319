import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { compareBackends, setup, values } from './compare.js';

await setup();

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

function tensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(values(tf.util.sizeFromShape(shape), seed), shape);
}

/** conv2d forward, then d/dx (Conv2DBackpropInput) and d/dfilter (Conv2DBackpropFilter) of Σ w ⊙ y. */
function convAndGrads(xShape: number[], fShape: number[], stride: number, pad: Pad): () => tf.Tensor[] {
  return () => {
    const x = tensor(xShape, 1) as tf.Tensor4D;
    const f = tensor(fShape, 2) as tf.Tensor4D;
    const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad);
    const y = conv(x, f);
    const w = tensor(y.shape, 3);
    const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), w)))([x, f]);
    return [y, dx, df];
  };
}

/** conv2dTranspose forward (Conv2DBackpropInput), then its gradients (Conv2D, Conv2DBackpropFilter). */
function deconvAndGrads(xShape: number[], fShape: number[], outShape: number[], stride: number, pad: Pad) {
  return () => {
    const x = tensor(xShape, 4) as tf.Tensor4D;
    const f = tensor(fShape, 5) as tf.Tensor4D;
    const out = outShape as [number, number, number, number];
    const deconv = (a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, out, stride, pad as 'same' | 'valid' | number);
    const y = deconv(x, f);
    const w = tensor(y.shape, 6);
    const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(deconv(a, b), w)))([x, f]);
    return [y, dx, df];
  };
}

test('wasm has a Conv2DBackpropFilter kernel after patching', () => {
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm') != null);
});

for (const stride of [1, 2]) {
  for (const pad of ['same', 'valid', 1] as Pad[]) {
    test(`conv2d 3x[7x5]x3 -> 4, k3, stride ${stride}, pad ${pad}: forward and both gradients match cpu`, async () => {
      await compareBackends(`conv s${stride} ${pad}`, convAndGrads([3, 7, 5, 3], [3, 3, 3, 4], stride, pad));
    });
    test(`conv2d even kernel k4 on 2x[9x8]x2 -> 5, stride ${stride}, pad ${pad} matches cpu`, async () => {
      await compareBackends(
        `conv k4 s${stride} ${pad}`,
        convAndGrads([2, 9, 8, 2], [4, 4, 2, 5], stride, pad),
      );
    });
  }
}

test('conv2d with explicit asymmetric padding matches cpu', async () => {
  const pad: Pad = [
    [0, 0],
    [2, 0],
    [1, 3],
    [0, 0],
  ];
  await compareBackends('conv explicit pad', convAndGrads([2, 6, 7, 3], [3, 2, 3, 4], 2, pad));
});

test('PyTorch Conv2d(k4, s2, p1) shape: 2x28x28x1 -> 14x14x8 matches cpu', async () => {
  await compareBackends('conv k4s2p1', convAndGrads([2, 28, 28, 1], [4, 4, 1, 8], 2, 1));
});

test('conv k4s2p1 with 9 input channels (the native block-copy path, not the small-channel one) matches cpu', async () => {
  await compareBackends('conv k4s2p1 9 channels', convAndGrads([2, 14, 14, 9], [4, 4, 9, 4], 2, 1));
});

test('PyTorch ConvTranspose2d(k4, s2, p1): 2x7x7x6 -> 14x14x5 matches cpu', async () => {
  await compareBackends('deconv k4s2p1', deconvAndGrads([2, 7, 7, 6], [4, 4, 5, 6], [2, 14, 14, 5], 2, 1));
});

test('conv2dTranspose odd sizes, stride 2, same and valid, match cpu', async () => {
  await compareBackends('deconv same', deconvAndGrads([3, 4, 3, 2], [3, 3, 5, 2], [3, 7, 5, 5], 2, 'same'));
  await compareBackends('deconv valid', deconvAndGrads([3, 3, 2, 2], [3, 3, 5, 2], [3, 7, 5, 5], 2, 'valid'));
  await compareBackends('deconv s1', deconvAndGrads([2, 5, 3, 4], [3, 3, 3, 4], [2, 5, 3, 3], 1, 'same'));
});

// The native blocked route (native-conv.ts convRoute, native/conv.cc): im2col a block of rows at a time,
// the filter gradient summed over the threads' partial products, the input gradient by whole images.
test('blocked convolutions (inC ≥ 8) over several blocks and threads match cpu, every stride and padding', async () => {
  // 5·20·18 = 1,800 rows of 3·3·12 = 108 taps: three blocks of 606 rows, the last one short
  for (const stride of [1, 2])
    for (const pad of ['same', 'valid'] as const)
      await compareBackends(
        `blocked s${stride} ${pad}`,
        convAndGrads([5, 20, 18, 12], [3, 3, 12, 7], stride, pad),
      );
  await compareBackends('blocked, 8 channels exactly', convAndGrads([3, 9, 11, 8], [3, 3, 8, 5], 1, 'same'));
  await compareBackends('blocked, one image', convAndGrads([1, 12, 10, 16], [5, 5, 16, 3], 1, 2));
  await compareBackends('blocked, 1×1 at stride 2', convAndGrads([3, 9, 8, 10], [1, 1, 10, 6], 2, 'same'));
  await compareBackends(
    'blocked transposed',
    deconvAndGrads([3, 6, 5, 9], [3, 3, 11, 9], [3, 12, 10, 11], 2, 'same'),
  );
});

test('pointwise convolutions (1×1, stride 1) match cpu', async () => {
  await compareBackends('pointwise', convAndGrads([4, 6, 5, 10], [1, 1, 10, 7], 1, 'same'));
  await compareBackends('pointwise, 3 channels', convAndGrads([2, 5, 7, 3], [1, 1, 3, 4], 1, 'valid'));
});

test('a dilated blocked convolution matches cpu', async () => {
  await compareBackends('dilated', () => [
    tf.conv2d(
      tensor([2, 11, 9, 8], 7) as tf.Tensor4D,
      tensor([3, 3, 8, 4], 8) as tf.Tensor4D,
      1,
      'same',
      'NHWC',
      2,
    ),
  ]);
});

// FusedConv2D (tf.fused.conv2d, the NVAE's convolutions): a bias of one value per channel is added in the
// native convolution's own pass, the activation after it. (The wasm backend's own kernel, without the addon,
// refuses other bias shapes.)
test('fused conv2d with a per-channel bias and an activation, and its gradients, match cpu', async () => {
  const cases: [number[], number[], number, 'same' | 'valid', number[], 'linear' | 'relu' | 'elu'][] = [
    [[3, 9, 8, 12], [3, 3, 12, 7], 1, 'same', [7], 'linear'], // blocked
    [[2, 6, 5, 10], [1, 1, 10, 6], 1, 'same', [6], 'linear'], // pointwise
    [[2, 7, 7, 3], [3, 3, 3, 5], 2, 'valid', [5], 'relu'], // whole (3 channels)
    [[2, 6, 6, 16], [3, 3, 16, 4], 1, 'same', [4], 'elu'],
  ];
  for (const [xShape, fShape, stride, pad, bShape, activation] of cases)
    await compareBackends(`fused ${xShape} ${fShape} bias ${bShape} ${activation}`, () => {
      const x = tensor(xShape, 11) as tf.Tensor4D;
      const f = tensor(fShape, 12) as tf.Tensor4D;
      const b = tensor(bShape, 13);
      const conv = (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) =>
        tf.fused.conv2d({
          x: a as tf.Tensor4D,
          filter: k as tf.Tensor4D,
          strides: stride,
          pad,
          bias: c,
          activation,
        });
      const y = conv(x, f, b);
      const w = tensor(y.shape, 14);
      return [
        y,
        ...tf.grads((a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(conv(a, k, c), w)))([
          x,
          f,
          b,
        ]),
      ];
    });
});
