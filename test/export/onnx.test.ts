import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/random.js';
import { GraphBuilder, type Node, type Padding, type Value } from '../../src/export/graph.js';
import { writeOnnx } from '../../src/export/onnx.js';
import { ModelProto } from '../../src/export/onnx-schema.js';
import { runGraph } from '../../src/export/run-graph.js';
import { useBackend } from '../helpers/backend.js';
import { onnxSession, runOnnx } from '../helpers/onnx-runtime.js';

before(() => useBackend('wasm'));

const META = { producerVersion: '0.0.0-test', doc: 'a test model', metadata: { model: 'test', latent: '8' } };

/** Every op the written models exercise, checked against the full list at the end. */
const covered = new Set<Node['op']>();

const volume = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const rng = new Rng(7);
const normal = (n: number, scale = 1) =>
  Float32Array.from({ length: n }, () => {
    const u = 1 - rng.next();
    return scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  });

/** A random constant of `shape`, scaled like a layer's initialiser (1/√fan-in, fan-in all but the last). */
function weight(g: GraphBuilder, name: string, shape: number[]): Value {
  return g.constant(name, normal(volume(shape), 1 / Math.sqrt(volume(shape.slice(0, -1)))), shape);
}

/**
 * Writes `g` as ONNX, runs it in onnxruntime-web on random inputs for batches of 1 and 5 (one session: the
 * batch is dynamic) and checks every output against runGraph's: same dims, values to 1e-5 of max(1, |ref|).
 */
async function matchesReference(g: GraphBuilder): Promise<void> {
  for (const node of g.nodes) covered.add(node.op);
  const bytes = writeOnnx(g, META);
  const session = await onnxSession(bytes);
  try {
    for (const batch of [1, 5]) {
      const feeds = Object.fromEntries(
        g.inputs.map((port) => {
          const dims = port.value.shape.map((d) => (d === -1 ? batch : d));
          return [port.name, { data: normal(volume(dims)), dims }];
        }),
      );
      const got = await runOnnx(session, feeds);
      const tensors = Object.fromEntries(
        Object.entries(feeds).map(([name, t]) => [name, tf.tensor(t.data, [...t.dims])]),
      );
      const want = runGraph(g, tensors);
      for (const port of g.outputs) {
        const ref = want[port.name];
        const out = got[port.name];
        assert.ok(out, `${g.name}: no output ${port.name}`);
        assert.deepEqual([...out.dims], ref.shape, `${g.name}.${port.name} dims, batch ${batch}`);
        const r = ref.dataSync();
        let worst = 0;
        for (let i = 0; i < r.length; i++)
          worst = Math.max(worst, Math.abs(out.data[i] - r[i]) / Math.max(1, Math.abs(r[i])));
        assert.ok(worst < 1e-5, `${g.name}.${port.name}, batch ${batch}: differs from runGraph by ${worst}`);
      }
      tf.dispose([...Object.values(tensors), ...Object.values(want)]);
    }
  } finally {
    await session.release();
  }
}

test('elementwise ops one by one: relu, elu, tanh, sigmoid, exp, leakyRelu, add, sub, mul (broadcast)', async () => {
  const g = new GraphBuilder('elementwise');
  const x = g.input('x', [-1, 3, 4], 'x');
  const y = g.input('y', [-1, 3, 4], 'y');
  for (const op of ['relu', 'elu', 'tanh', 'sigmoid', 'exp'] as const) g.output(op, g.unary(op, x), op);
  g.output('leaky', g.leakyRelu(x, 0.2), 'leakyRelu');
  g.output('sum', g.add2(x, y), 'x + y');
  g.output('difference', g.binary('sub', x, weight(g, 'row', [4])), 'x − a row');
  g.output('product', g.mul(x, g.scalar(-1.5)), 'x · scalar');
  await matchesReference(g);
});

test('shape ops one by one: matMul, reshape, concat of two inputs, slice, softmax, sumLast, clip', async () => {
  const g = new GraphBuilder('shapes');
  const a = g.input('a', [-1, 6], 'a');
  const b = g.input('b', [-1, 2], 'b');
  g.output('matmul', g.matMul(a, weight(g, 'w', [6, 3])), 'a·W');
  g.output('reshaped', g.reshape(a, [2, 3]), 'a as 2×3');
  g.output('joined', g.concat([a, b], -1), 'a and b side by side');
  g.output('middle', g.slice(a, 1, 2, 3), 'a[:, 2:5]');
  g.output('softmax', g.softmax(a), 'softmax(a)');
  g.output('total', g.sumLast(a), 'Σ a');
  const clipped = g.clip(a, -0.5, 0.7);
  g.output('clipped', clipped, 'a in [−0.5, 0.7]');
  // an input as an output, and one value as two outputs: Identity nodes give them their names
  g.output('a_again', a, 'a itself');
  g.output('clipped_again', clipped, 'the same value again');
  await matchesReference(g);
});

test('an MLP decoder: dense + bias, relu, dense, reshape to [h, w, c], sigmoid', async () => {
  const g = new GraphBuilder('mlp-decoder');
  const z = g.input('z', [-1, 8], 'latent');
  const h = g.unary(
    'relu',
    g.add2(g.matMul(z, weight(g, 'dense1/kernel', [8, 32])), weight(g, 'dense1/bias', [32])),
  );
  const logits = g.add2(
    g.matMul(h, weight(g, 'dense2/kernel', [32, 7 * 7 * 2])),
    weight(g, 'bias', [7 * 7 * 2]),
  );
  g.output('mean', g.unary('sigmoid', g.reshape(logits, [7, 7, 2])), 'pixel means in [0, 1], NHWC');
  await matchesReference(g);
});

test("a conv encoder: conv2d 'same' stride 2 on 28×28, 14×14 and 7×7 (odd), flatten, dense, two outputs by slice", async () => {
  const g = new GraphBuilder('conv-encoder');
  let x = g.input('image', [-1, 28, 28, 1], 'image, NHWC in [0, 1]');
  for (const [i, [c, f]] of [
    [1, 4],
    [4, 6],
    [6, 5],
  ].entries()) {
    x = g.conv2d(x, weight(g, `conv${i}/kernel`, [3, 3, c, f]), [2, 2], 'same');
    x = g.unary('relu', g.add2(x, weight(g, `conv${i}/bias`, [f])));
  }
  assert.deepEqual(x.shape, [-1, 4, 4, 5]);
  const stats = g.matMul(g.reshape(x, [4 * 4 * 5]), weight(g, 'dense', [80, 6]));
  g.output('mean', g.slice(stats, 1, 0, 3), 'posterior mean');
  g.output('log_var', g.slice(stats, 1, 3, 3), 'posterior log-variance');
  await matchesReference(g);
});

test('conv2d padding on uneven shapes: non-square kernels, strides (1, 2) and (3, 1), same and valid', async () => {
  const g = new GraphBuilder('conv-pads');
  const x = g.input('x', [-1, 9, 8, 2], 'x');
  const cases: [number[], [number, number], Padding][] = [
    [[2, 3, 2, 3], [1, 2], 'same'],
    [[3, 2, 2, 3], [3, 1], 'same'],
    [[4, 3, 2, 3], [2, 2], 'same'],
    [[2, 3, 2, 3], [1, 2], 'valid'],
    [[3, 2, 2, 3], [3, 1], 'valid'],
  ];
  for (const [i, [k, s, p]] of cases.entries())
    g.output(`y${i}`, g.conv2d(x, weight(g, `k${i}`, k), s, p), p);
  await matchesReference(g);
});

test('a conv decoder: dense, reshape to 4×4, conv2dTranspose to 7×7 (odd), 14×14 and 28×28, sigmoid', async () => {
  const g = new GraphBuilder('conv-decoder');
  const z = g.input('z', [-1, 8], 'latent');
  let x = g.reshape(g.unary('relu', g.matMul(z, weight(g, 'dense', [8, 4 * 4 * 6]))), [4, 4, 6]);
  for (const [i, [side, c, f]] of [
    [7, 6, 5],
    [14, 5, 4],
    [28, 4, 1],
  ].entries()) {
    x = g.conv2dTranspose(x, weight(g, `deconv${i}`, [4, 4, f, c]), [2, 2], 'same', [side, side, f]);
    if (i < 2) x = g.unary('elu', x);
  }
  g.output('mean', g.unary('sigmoid', x), 'pixel means, NHWC');
  await matchesReference(g);
});

test('conv2dTranspose where ONNX needs output_padding: kernel < stride, valid with a remainder, non-square', async () => {
  const g = new GraphBuilder('deconv-pads');
  const x = g.input('x', [-1, 4, 3, 2], 'x');
  const cases: [number[], [number, number], Padding, [number, number, number]][] = [
    [[1, 1, 3, 2], [2, 2], 'same', [8, 6, 3]], // 'same', k 1 < s 2: the forward conv never reads the last row
    [[3, 2, 3, 2], [2, 3], 'valid', [10, 8, 3]], // (10 − 3) mod 2 = 1, (8 − 2) mod 3 = 0
    [[3, 3, 3, 2], [2, 2], 'valid', [9, 7, 3]], // no remainder
    [[4, 3, 3, 2], [2, 3], 'same', [7, 9, 3]], // odd out side, uneven pads
    [[2, 5, 3, 2], [1, 2], 'same', [4, 5, 3]],
  ];
  for (const [i, [k, s, p, out]] of cases.entries()) {
    g.output(`y${i}`, g.conv2dTranspose(x, weight(g, `k${i}`, k), s, p, out), `${p} to ${out}`);
  }
  await matchesReference(g);
});

test('a rank-5 logistic-mixture mean: reshape to [h, w, c, 3K], slice, softmax, tanh, mul, sumLast, add, mul, clip', async () => {
  const [h, w, c, K] = [5, 4, 3, 4];
  const g = new GraphBuilder('mixture-mean');
  const params = g.input('params', [-1, h, w, c * 3 * K], 'mixture parameters per pixel');
  const p = g.reshape(params, [h, w, c, 3 * K]);
  const weights = g.softmax(g.slice(p, -1, 0, K));
  const means = g.unary('tanh', g.slice(p, -1, K, K));
  const mean = g.sumLast(g.mul(weights, means)); // in [−1, 1]
  const image = g.mul(g.add2(mean, g.scalar(1)), g.scalar(0.5));
  g.output('mean', g.clip(image, 0, 1), 'pixel means in [0, 1], NHWC');
  await matchesReference(g);
});

test('the file decodes with the schema: IR, opset, producer, docs, metadata, named ports with a dynamic batch', () => {
  const g = new GraphBuilder('decoder');
  const z = g.input('z', [-1, 2], 'the latent code');
  g.output('mean', g.unary('sigmoid', g.reshape(g.matMul(z, weight(g, 'w', [2, 12])), [2, 2, 3])), 'pixels');
  g.output('z_out', z, 'the latent code again');
  const model = ModelProto.toObject(ModelProto.decode(writeOnnx(g, META)), {
    longs: Number,
    defaults: false,
  });
  assert.equal(model.ir_version, 8);
  const opset = model.opset_import.find((o: { domain?: string }) => !o.domain);
  assert.ok(opset.version >= 13, `opset ${opset.version}`);
  assert.equal(model.producer_name, 'vaekit');
  assert.equal(model.producer_version, META.producerVersion);
  assert.equal(model.doc_string, META.doc);
  assert.deepEqual(
    Object.fromEntries(model.metadata_props.map((e: { key: string; value: string }) => [e.key, e.value])),
    META.metadata,
  );
  const ports = (
    list: { name: string; doc_string: string; type: { tensor_type: { shape: { dim: object[] } } } }[],
  ) => list.map((v) => ({ name: v.name, doc: v.doc_string, dims: v.type.tensor_type.shape.dim }));
  assert.deepEqual(ports(model.graph.input), [
    { name: 'z', doc: 'the latent code', dims: [{ dim_param: 'batch' }, { dim_value: 2 }] },
  ]);
  assert.deepEqual(ports(model.graph.output), [
    {
      name: 'mean',
      doc: 'pixels',
      dims: [{ dim_param: 'batch' }, { dim_value: 2 }, { dim_value: 2 }, { dim_value: 3 }],
    },
    { name: 'z_out', doc: 'the latent code again', dims: [{ dim_param: 'batch' }, { dim_value: 2 }] },
  ]);
  // the sigmoid writes `mean` itself; the input passed through as `z_out` takes an Identity
  const nodes: { op_type: string; input: string[]; output: string[] }[] = model.graph.node;
  assert.deepEqual(nodes.find((n) => n.op_type === 'Sigmoid')?.output, ['mean']);
  const identities = nodes.filter((n) => n.op_type === 'Identity').map((n) => [n.input, n.output]);
  assert.deepEqual(identities, [[['z'], ['z_out']]]);
});

test('every op of the export graph went through onnxruntime above', () => {
  // a Record over Node['op']: a new op that is not listed here does not compile
  const all: Record<Node['op'], true> = {
    input: true,
    const: true,
    matMul: true,
    add: true,
    sub: true,
    mul: true,
    relu: true,
    elu: true,
    tanh: true,
    sigmoid: true,
    exp: true,
    leakyRelu: true,
    conv2d: true,
    conv2dTranspose: true,
    reshape: true,
    concat: true,
    slice: true,
    softmax: true,
    sumLast: true,
    clip: true,
  };
  const missing = Object.keys(all).filter((op) => !covered.has(op as Node['op']));
  assert.deepEqual(missing, [], 'ops no test ran');
});
