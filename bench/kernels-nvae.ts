/**
 * The NVAE cell's kernels on wasm, ms per call: depthwise 5×5 convolution (stride 1, 'same', multiplier 1)
 * forward and its two gradients, Swish forward + gradient, and training-mode batch norm forward + gradient,
 * on the feature maps of the spatial NVAE ([64, 8, 8, 64·3] and [64, 32, 32, 16]).
 * Columns: `before` — the wasm backend as shipped (XNNPACK's depthwise forward, no depthwise gradient at
 * all, and the tf-op chains for Swish and batch norm); `wasm` — vaekit's kernels without the addon;
 * `native` — with it (VAEKIT_THREADS threads, default all cores). Median ms per call.
 * Timings only: tests never assert them.
 *   node --import tsx bench/kernels-nvae.ts        VAEKIT_THREADS=1 node --import tsx bench/kernels-nvae.ts
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining, initBackend, swish } from '../src/backend/index.js';
import { nativeKernels, setNativeKernelsEnabled } from '../src/backend/native.js';
import { installWasmKernels, uninstallWasmKernels } from '../src/backend/wasm/index.js';

const SHAPES: [number, number, number, number][] = [
  [64, 8, 8, 192],
  [64, 32, 32, 16],
];

/**
 * Median ms per call of `f` (its outputs disposed), after warm-up calls, over at least 0.5 s. The wasm backend
 * runs kernels synchronously, so nothing is read back (reading a 4 MB output costs ~10 ms, more than most kernels).
 */
function time(f: () => tf.Tensor[]): number {
  const once = () => {
    const t0 = performance.now();
    tf.dispose(tf.tidy(f));
    return performance.now() - t0;
  };
  for (let i = 0; i < 3; i++) once();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 5 || performance.now() - start < 500) times.push(once());
  times.sort((p, q) => p - q);
  return times[times.length >> 1];
}

interface Row {
  kernel: string;
  shape: number[];
  /** Absent where the shipped backend cannot run it at all. */
  before?: () => tf.Tensor[];
  after: () => tf.Tensor[];
}

function rand(shape: number[]): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', 7);
}

function depthwiseRows(shape: [number, number, number, number]): Row[] {
  const x = rand(shape) as tf.Tensor4D;
  const f = rand([5, 5, shape[3], 1]) as tf.Tensor4D;
  const y = tf.depthwiseConv2d(x, f, 1, 'same');
  const dy = rand(y.shape);
  const forward = () => [tf.depthwiseConv2d(x, f, 1, 'same')];
  const attrs = { strides: 1, pad: 'same', dilations: 1 };
  const dx = () => [
    tf
      .engine()
      .runKernel(
        'DepthwiseConv2dNativeBackpropInput',
        { dy, filter: f },
        { ...attrs, inputShape: x.shape },
      ) as tf.Tensor,
  ];
  const dw = () => [
    tf
      .engine()
      .runKernel(
        'DepthwiseConv2dNativeBackpropFilter',
        { x, dy },
        { ...attrs, filterShape: f.shape },
      ) as tf.Tensor,
  ];
  return [
    { kernel: 'depthwise 5×5 forward', shape, before: forward, after: forward },
    { kernel: 'depthwise 5×5 dx', shape, after: dx },
    { kernel: 'depthwise 5×5 dw', shape, after: dw },
  ];
}

function swishRows(shape: number[]): Row[] {
  const x = rand(shape);
  const dy = rand(shape);
  const chain = (a: tf.Tensor) => tf.mul(a, tf.sigmoid(a));
  return [
    { kernel: 'swish forward', shape, before: () => [chain(x)], after: () => [swish(x)] },
    {
      kernel: 'swish forward + gradient',
      shape,
      before: () => [tf.grad(chain)(x, dy)],
      after: () => [tf.grad((a: tf.Tensor) => swish(a))(x, dy)],
    },
  ];
}

function batchNormRows(shape: [number, number, number, number]): Row[] {
  const x = rand(shape) as tf.Tensor4D;
  const gamma = rand([shape[3]]) as tf.Tensor1D;
  const beta = rand([shape[3]]) as tf.Tensor1D;
  const dy = rand(shape);
  const chain = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(a, [0, 1, 2]);
    return tf.add(tf.mul(g, tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-3)))), b);
  };
  const fused = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    batchNormTraining(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3).y;
  return [
    {
      kernel: 'batch norm forward',
      shape,
      before: () => [chain(x, gamma, beta)],
      after: () => {
        const { y, mean, variance } = batchNormTraining(x, gamma, beta, 1e-3);
        return [y, mean, variance];
      },
    },
    {
      kernel: 'batch norm forward + grads',
      shape,
      before: () => tf.grads(chain)([x, gamma, beta], dy),
      after: () => tf.grads(fused)([x, gamma, beta], dy),
    },
  ];
}

await initBackend('wasm'); // before any tensor is made
const rows: Row[] = [
  ...SHAPES.flatMap(depthwiseRows),
  ...SHAPES.flatMap(swishRows),
  ...SHAPES.flatMap(batchNormRows),
];
const hasNative = nativeKernels() != null;
const fmt = (ms: number | null) => (ms == null ? '—' : ms.toFixed(3)).padStart(9);
console.log(
  `vaekit kernels for the NVAE cell, wasm backend, ${hasNative ? `native addon on ${nativeKernels()?.threads()} threads` : 'no native addon'}`,
);
console.log(
  `${'kernel'.padEnd(28)} ${'shape'.padEnd(16)} ${'before'.padStart(9)} ${'wasm'.padStart(9)} ${'native'.padStart(9)}  (ms per call)`,
);
for (const r of rows) {
  uninstallWasmKernels();
  const before = r.before == null ? null : time(r.before);
  installWasmKernels();
  setNativeKernelsEnabled(false);
  const wasm = time(r.after);
  setNativeKernelsEnabled(true);
  const native = hasNative ? time(r.after) : null;
  console.log(
    `${r.kernel.padEnd(28)} ${`[${r.shape.join(',')}]`.padEnd(16)} ${fmt(before)} ${fmt(wasm)} ${fmt(native)}`,
  );
}
