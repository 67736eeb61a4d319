/**
 * The native addon (native/*.cc): built by `npm ci`, its kernels checked against plain JS and the cpu
 * backend, its argument checks, and the fused Adam against tfjs's Adam.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { type NativeKernels, nativeKernels } from '../../src/backend/native.js';
import { FusedAdamOptimizer } from '../../src/backend/wasm/adam.js';
import { globalNorm } from '../../src/backend/wasm/norm.js';
import { assertClose, compareBackends, runOn, setup, values, withNative } from './compare.js';

await setup();
const native = nativeKernels();
/** Why the addon's own tests are skipped (printed by the test runner), or false when it is built. */
const notBuilt =
  native == null &&
  (process.env.VAEKIT_NATIVE === '0'
    ? 'the native addon is turned off (VAEKIT_NATIVE=0): only the wasm path is tested'
    : 'build/Release/vaekit_native.node did not load (not built: no C++ compiler when npm ci ran?): only the wasm path is tested; CI checks that it is built');

/** The addon, in tests that are skipped without it. */
function addon(): NativeKernels {
  assert.ok(native != null);
  return native;
}

test('the native addon loads and reports its threads', { skip: notBuilt }, () => {
  assert.ok(addon().threads() >= 1);
});

/** op(A)·op(B) in double precision, A and B row-major as stored. */
function reference(
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  tA: boolean,
  tB: boolean,
) {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++)
        s += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  }
  return c;
}

test('sgemm matches the definition for every transpose on ragged and blocked shapes', {
  skip: notBuilt,
}, () => {
  // sizes around the register tile (6x16), the depth block (256) and the thread split
  const shapes = [
    [1, 1, 1],
    [7, 5, 3],
    [6, 16, 256],
    [13, 33, 300],
    [130, 47, 257],
    [3, 200, 520],
    [50, 17, 0],
  ];
  const heap = new Float32Array(300_000);
  for (const [m, n, k] of shapes) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const a = values(m * k, m + 1);
        const b = values(k * n, n + 2);
        heap.set(a, 5);
        heap.set(b, 5 + m * k + 3);
        const cAt = 5 + m * k + 3 + k * n + 1;
        heap.fill(Number.NaN, cAt, cAt + m * n); // the product must overwrite, not accumulate
        addon().sgemm(heap, 5, 5 + m * k + 3, cAt, m, n, k, tA, tB);
        const want = reference(a, b, m, n, k, tA, tB);
        assertClose(heap.subarray(cAt, cAt + m * n), want, `${m}x${n}x${k} tA=${tA} tB=${tB}`, 1e-5);
      }
    }
  }
});

test('native kernels refuse ranges outside the heap and bad arguments', { skip: notBuilt }, () => {
  const heap = new Float32Array(100);
  assert.throws(() => addon().sgemm(heap, 0, 0, 90, 5, 5, 5, false, false), /outside the heap/);
  assert.throws(() => addon().sgemm(heap, -1, 0, 0, 1, 1, 1, false, false), /non-negative/);
  assert.throws(() => addon().sumRows(heap, 0, 99, 10, 2), /outside the heap/);
  assert.throws(() => addon().adam(heap, 0, 10, 20, 95, 10, 0.1, 0.9, 0.999, 1e-7, 0.1, 0.001), /outside/);
  assert.throws(() => addon().bernoulliLogProb(heap, 0, 50, 95, 10, 5), /outside the heap/);
  assert.throws(() => addon().bernoulliLogProbGrad(heap, 0, 20, 40, 50, 61, 4, 10), /outside the heap/);
  assert.throws(() => addon().gaussianKl(heap, 0, 40, 80, 30), /outside the heap/);
  assert.throws(() => addon().gaussianKlGrad(heap, 0, 10, 20, 30, 95, 10), /outside the heap/);
  assert.throws(() => addon().reparameterise(heap, 0, 10, 20, 95, 10), /outside the heap/);
  assert.throws(() => addon().reparameteriseGrad(heap, 0, 10, 20, -1, 10), /non-negative/);
  assert.throws(() => addon().reluGrad(heap, 0, 50, 91, 10), /outside the heap/);
  assert.throws(() => addon().addRows(heap, 0, 95, 50, 5, 10), /outside the heap/);
  assert.throws(
    () =>
      (addon().sgemm as unknown as (...a: unknown[]) => void)(
        new Float64Array(4),
        0,
        0,
        0,
        1,
        1,
        1,
        false,
        false,
      ),
    /Float32Array/,
  );
  assert.throws(() => (addon().sgemm as unknown as (...a: unknown[]) => void)(heap, 0), /sgemm\(heap/);
});

test('Sum over leading axes, all axes, with keepDims, and over other axes matches cpu', async () => {
  const x = () => tf.tensor(values(5 * 7 * 3 * 4, 9), [5, 7, 3, 4]);
  await compareBackends('sum', () => [
    tf.sum(x(), [0, 1, 2]),
    tf.sum(x(), [1, 0]),
    tf.sum(x(), 0, true),
    tf.sum(x()),
    tf.sum(x(), [0, 1, 2, 3], true),
    tf.sum(x(), [1, 3]),
    tf.sum(x(), -1),
  ]);
});

test('native sums of large tensors stay accurate (double-precision accumulation)', {
  skip: notBuilt,
}, async () => {
  // tfjs's own wasm Sum gives 60,333 here (float32 accumulation, 0.6 % off).
  const [s] = await runOn('wasm', () => [tf.sum(tf.fill([300_000, 2], 0.1))]);
  assert.ok(Math.abs(s[0] - 60_000) / 60_000 < 1e-6, `got ${s[0]}`);
});

test('dilated conv2d and a 1x1 conv match cpu', async () => {
  await compareBackends('dilated conv', () => {
    const x = tf.tensor(values(2 * 9 * 8 * 3, 1), [2, 9, 8, 3]) as tf.Tensor4D;
    const f = tf.tensor(values(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]) as tf.Tensor4D;
    return [
      tf.conv2d(x, f, 1, 'same', 'NHWC', 2),
      tf.conv2d(x, f.slice([1, 1], [1, 1]) as tf.Tensor4D, 1, 'valid'),
    ];
  });
});

test('fused matMul (bias, every activation tfjs fuses) matches cpu, forward and gradients', async () => {
  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const) {
    await compareBackends(`fused ${activation}`, () => {
      const a = tf.tensor(values(9 * 11, 1), [9, 11]);
      const b = tf.tensor(values(11 * 6, 2), [11, 6]);
      const bias = tf.tensor(values(6, 3), [6]);
      const alpha = tf.tensor(values(6, 4), [6]);
      const f = (p: tf.Tensor, q: tf.Tensor) =>
        tf.fused.matMul({
          a: p as tf.Tensor2D,
          b: q as tf.Tensor2D,
          bias,
          activation,
          preluActivationWeights: activation === 'prelu' ? alpha : undefined,
          leakyreluAlpha: 0.1,
        });
      const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(f(p, q).square()))([a, b]);
      return [f(a, b), da, db];
    });
  }
});

/** Trains x ↦ Σ (x − t)² for a few steps; returns the variables and the optimiser's saved weights. */
async function adamRun(makeOptimizer: () => tf.Optimizer, shareMemory: boolean) {
  // tf.variable shares its initial tensor's memory: dispose that, as layers' initialisers do
  const variable = (init: tf.Tensor, name: string) => {
    const v = tf.variable(init, true, name);
    init.dispose();
    return v;
  };
  const w = variable(tf.tensor(values(300, 1), [3, 100]), 'adam_w');
  const b = variable(tf.tensor(values(7, 2), [7]), 'adam_b');
  const target = tf.tensor(values(300, 3), [3, 100]);
  const opt = makeOptimizer();
  // a reshape is another tensor on w's memory (on wasm; a clone copies): in place would change it
  const shared = shareMemory ? tf.reshape(w, [300]) : null;
  const dataId = w.dataId;
  for (let i = 0; i < 5; i++) {
    const { grads } = tf.variableGrads(() =>
      tf.add(tf.sum(tf.squaredDifference(w, target)), tf.sum(tf.square(b))),
    );
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const weights = await opt.getWeights();
  const out = {
    w: w.dataSync().slice() as Float32Array,
    b: b.dataSync().slice() as Float32Array,
    names: weights.map((x) => x.name),
    moments: weights.map((x) => x.tensor.dataSync().slice() as Float32Array),
    sharedIntact: shared == null || shared.dataSync()[0] === values(1, 1)[0],
    inPlace: w.dataId === dataId,
  };
  opt.dispose();
  tf.dispose([w, b, target, ...(shared ? [shared] : [])]);
  return out;
}

test('fused Adam gives tfjs Adam’s weights, moments and saved state; it never writes shared memory', async () => {
  await tf.setBackend('wasm');
  for (const shareMemory of [false, true]) {
    const want = await withNative(false, () => adamRun(() => tf.train.adam(0.01, 0.8, 0.95), shareMemory));
    const got = await adamRun(() => new FusedAdamOptimizer(0.01, 0.8, 0.95), shareMemory);
    // tfjs's state, then β₁ᵗ and β₂ᵗ themselves (saved so that a resume restores them bit for bit)
    assert.deepEqual(got.names, [...want.names, 'adam/accBeta1', 'adam/accBeta2']);
    assertClose(got.w, want.w, 'w', 1e-6);
    assertClose(got.b, want.b, 'b', 1e-6);
    for (const [i, m] of want.moments.entries()) assertClose(got.moments[i], m, want.names[i], 1e-6);
    const [acc1, acc2] = got.moments.slice(-2).map((t) => t[0]);
    assert.ok(Math.abs(acc1 - 0.8 ** 6) < 1e-6 && Math.abs(acc2 - 0.95 ** 6) < 1e-6, `${acc1}, ${acc2}`);
    assert.ok(got.sharedIntact, 'a reshape of the variable was overwritten');
    // in place (the fused path) exactly when the addon is there and nothing shares the memory
    assert.equal(got.inPlace, native != null && !shareMemory);
    assert.equal(want.inPlace, false);
  }
});

test('fused conv2d (bias, activations) matches cpu, forward and gradients', async () => {
  for (const activation of ['linear', 'relu', 'leakyrelu'] as const) {
    await compareBackends(`fused conv ${activation}`, () => {
      const x = tf.tensor(values(2 * 7 * 6 * 3, 1), [2, 7, 6, 3]) as tf.Tensor4D;
      const filter = tf.tensor(values(3 * 3 * 3 * 5, 2), [3, 3, 3, 5]) as tf.Tensor4D;
      const bias = tf.tensor(values(5, 3), [5]);
      const f = (p: tf.Tensor, q: tf.Tensor) =>
        tf.fused.conv2d({
          x: p as tf.Tensor4D,
          filter: q as tf.Tensor4D,
          strides: 2,
          pad: 'same',
          bias,
          activation,
          leakyreluAlpha: 0.1,
        });
      const [dx, df] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(f(p, q).square()))([x, filter]);
      return [f(x, filter), dx, df];
    });
  }
});

test('an in-place Adam update is seen by the next forward pass; a weight XNNPACK has cached is never updated in place', async () => {
  await tf.setBackend('wasm');
  const variable = (init: tf.Tensor) => {
    const v = tf.variable(init);
    init.dispose();
    return v;
  };
  const filter = variable(tf.tensor(values(3 * 3 * 2 * 4, 1), [3, 3, 2, 4]));
  const w = variable(tf.tensor(values(8 * 3, 2), [8, 3]));
  const bias = variable(tf.tensor(values(4, 3), [4]));
  // read by XNNPACK's depthwise convolution, which is not vaekit's: it must never be updated in place
  const depthwise = variable(tf.tensor(values(3 * 3 * 2 * 1, 6), [3, 3, 2, 1]));
  const dw4 = depthwise as unknown as tf.Tensor4D;
  const x = tf.tensor(values(2 * 6 * 6 * 2, 4), [2, 6, 6, 2]) as tf.Tensor4D;
  const h = tf.tensor(values(5 * 8, 5), [5, 8]) as tf.Tensor2D;
  const f4 = filter as unknown as tf.Tensor4D;
  const w2 = w as unknown as tf.Tensor2D;
  // fused ops run outside gradient tapes (evaluation); XNNPACK's versions cache packed weights by id
  const fused = () => [
    tf.fused.conv2d({ x, filter: f4, strides: 1, pad: 'same', bias, activation: 'relu' }),
    tf.fused.matMul({ a: h, b: w2, activation: 'relu' }),
    tf.depthwiseConv2d(x, dw4, 1, 'same'),
  ];
  // the reference: the same ops unfused, the depthwise filter copied to fresh memory no cache has seen
  const fresh = () => tf.tensor4d(depthwise.dataSync(), [3, 3, 2, 1]);
  const plain = () => [
    tf.relu(tf.add(tf.conv2d(x, f4, 1, 'same'), bias)),
    tf.relu(tf.matMul(h, w2)),
    tf.depthwiseConv2d(x, fresh(), 1, 'same'),
  ];
  tf.dispose(fused()); // first use: any cache is filled with the initial weights
  const opt: tf.Optimizer = new FusedAdamOptimizer(0.1, 0.9, 0.999);
  for (let i = 0; i < 3; i++) {
    const { grads } = tf.variableGrads(
      () => tf.addN([...plain().slice(0, 2), depthwise].map((t) => t.square().sum())) as tf.Scalar,
      [filter, w, bias, depthwise],
    );
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const [got, want] = [fused(), plain()];
  for (let i = 0; i < 3; i++)
    assertClose(got[i].dataSync() as Float32Array, want[i].dataSync() as Float32Array, `op ${i}`);
  tf.dispose([...got, ...want, filter, w, bias, depthwise, x, h]);
  opt.dispose();
});

test('globalNorm: native and tensor-op paths agree; NaN and ∞ propagate', async () => {
  await tf.setBackend('wasm');
  const ts = [tf.tensor(values(70_000, 1), [700, 100]), tf.tensor(values(13, 2), [13]), tf.zeros([0])];
  const native = globalNorm(ts);
  const plain = await withNative(false, async () => globalNorm(ts));
  assert.ok(Math.abs(native - plain) / plain < 1e-5, `${native} vs ${plain}`);
  const bad = [tf.tensor([1, Number.NaN]), tf.tensor([Number.POSITIVE_INFINITY])];
  assert.ok(Number.isNaN(globalNorm([bad[0]])));
  assert.equal(globalNorm([bad[1]]), Number.POSITIVE_INFINITY);
  tf.dispose([...ts, ...bad]);
});

test('Tile and Mean over leading axes match cpu; batch norm, whose gradient tiles and averages, too', async () => {
  const x = () => tf.tensor(values(2 * 3 * 4 * 5, 7), [2, 3, 4, 5]);
  await compareBackends('tile', () => [
    tf.tile(x(), [1, 1, 1, 1]),
    tf.tile(x(), [3, 1, 2, 1]),
    tf.tile(x(), [1, 2, 1, 3]),
    tf.tile(tf.tensor(values(5, 1), [1, 1, 1, 5]), [4, 3, 2, 1]),
    tf.tile(tf.tensor(values(6, 2), [6]), [4]),
    tf.tile(tf.tensor(values(6, 2), [2, 3]), [0, 2]),
  ]);
  await compareBackends('mean', () => [
    tf.mean(x(), [0, 1, 2]),
    tf.mean(x(), 0, true),
    tf.mean(x()),
    tf.mean(x(), [1, 2]),
  ]);
  await compareBackends('batch norm', () => {
    const xs = tf.tensor(values(4 * 3 * 3 * 6, 3), [4, 3, 3, 6]);
    const gamma = tf.tensor(values(6, 4), [6]);
    const f = (v: tf.Tensor, g: tf.Tensor) => {
      const { mean, variance } = tf.moments(v, [0, 1, 2]);
      return tf.batchNorm(v, mean, variance, tf.zeros([6]), g, 1e-3);
    };
    const [dx, dg] = tf.grads((v: tf.Tensor, g: tf.Tensor) => tf.sum(f(v, g).square().mul(tf.range(0, 6))))([
      xs,
      gamma,
    ]);
    return [f(xs, gamma), dx, dg];
  });
});

test('bias adds ([..., C] + [C] either way round, [1, 1, C]) and other adds match cpu', async () => {
  const t = (shape: number[], seed: number) => tf.tensor(values(tf.util.sizeFromShape(shape), seed), shape);
  await compareBackends('adds', () => [
    tf.add(t([128, 7, 7, 33], 1), t([33], 2)),
    tf.add(t([5], 3), t([9, 5], 4)),
    tf.add(t([4, 6, 3], 5), t([1, 1, 3], 6)),
    tf.add(t([6, 3], 7), t([6, 3], 8)),
    tf.add(t([6, 3], 9), t([6, 1], 10)),
    tf.add(t([3], 11), t([2, 1, 3], 12)),
    tf.add(t([0, 3], 13), t([3], 14)),
  ]);
});
