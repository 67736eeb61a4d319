/**
 * The NVAE cell's ops composed as the model uses them — 1×1 conv, batchNormTraining, swish, depthwise 5×5,
 * batchNormTraining, swish — differentiated for every parameter and the input on wasm (native kernels and
 * not) against the same composition on cpu; and a few fused-Adam steps on wasm that follow cpu's.
 */
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining, createOptimizer, swish } from '../../src/backend/index.js';
import { compareBackends, setup, values } from './compare.js';

await setup();

const C = 6;
const E = 3; // expansion
const SHAPE: [number, number, number, number] = [3, 7, 5, C];

function tensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tensor(
    values(tf.util.sizeFromShape(shape), seed).map((v) => scale * v),
    shape,
  );
}

/** The parameters: 1×1 expansion filter, depthwise 5×5 filter, and γ, β of both batch norms. */
function params(): tf.Tensor[] {
  return [
    tensor([1, 1, C, C * E], 11, 0.5),
    tensor([5, 5, C * E, 1], 12, 0.3),
    tensor([C * E], 13, 0.2).add(1),
    tensor([C * E], 14, 0.1),
    tensor([C * E], 15, 0.2).add(1),
    tensor([C * E], 16, 0.1),
  ];
}

function cell(x: tf.Tensor, [expand, depthwise, g1, b1, g2, b2]: tf.Tensor[]): tf.Tensor {
  const bn = (t: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    batchNormTraining(t as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5).y;
  const h = swish(bn(tf.conv2d(x as tf.Tensor4D, expand as tf.Tensor4D, 1, 'same'), g1, b1));
  return swish(bn(tf.depthwiseConv2d(h as tf.Tensor4D, depthwise as tf.Tensor4D, 1, 'same'), g2, b2));
}

test('the NVAE cell’s output and its gradients for the input and every parameter match cpu', async () => {
  await compareBackends(
    'NVAE cell',
    () => {
      const x = tensor(SHAPE, 1);
      const w = tensor([...SHAPE.slice(0, 3), C * E], 2);
      const ps = params();
      const loss = (...args: tf.Tensor[]) => tf.sum(tf.mul(cell(args[0], args.slice(1)), w));
      return [cell(x, ps), ...tf.grads(loss)([x, ...ps])];
    },
    5e-4,
  );
});

test('three fused-Adam steps on the cell follow cpu’s', async () => {
  await compareBackends(
    'NVAE cell Adam',
    () => {
      const x = tensor(SHAPE, 1);
      const w = tensor([...SHAPE.slice(0, 3), C * E], 2);
      const vars = params().map((p) => tf.variable(p));
      const opt = createOptimizer({ kind: 'adam', learningRate: 1e-2, beta1: 0.9, beta2: 0.999 });
      for (let i = 0; i < 3; i++) opt.minimize(() => tf.sum(tf.mul(cell(x, vars), w)) as tf.Scalar);
      const out = vars.map((v) => v.clone());
      opt.dispose();
      tf.dispose(vars);
      return out;
    },
    5e-4,
  );
});
