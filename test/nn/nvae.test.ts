import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/random.js';
import { symmetricEigen } from '../../src/eval/linalg.js';
import { BatchNorm, RUNNING } from '../../src/nn/nvae/batch-norm.js';
import { buildCell, cellParameters, cellSpecs, upsample2 } from '../../src/nn/nvae/cells.js';
import { Conv } from '../../src/nn/nvae/conv.js';
import { SpectralNorms } from '../../src/nn/nvae/spectral.js';
import { useBackend } from '../helpers/backend.js';

before(() => useBackend('cpu'));

/** σ_max of a rows × cols matrix (row-major): √ of the largest eigenvalue of MᵀM. */
function largestSingularValue(m: Float32Array, rows: number, cols: number): number {
  const g = new Float64Array(cols * cols);
  for (let a = 0; a < cols; a++)
    for (let b = 0; b < cols; b++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += m[r * cols + a] * m[r * cols + b];
      g[a * cols + b] = s;
    }
  return Math.sqrt(Math.max(...symmetricEigen(g, cols).values));
}

test('the spectral norms estimated by power iteration match an SVD, for plain and depthwise kernels', () => {
  const rng = new Rng(4);
  const convs = [
    new Conv({ inChannels: 3, outChannels: 5, kernel: 3 }, rng),
    new Conv({ inChannels: 3, outChannels: 5, kernel: 3 }, rng),
    new Conv({ inChannels: 4, outChannels: 2, kernel: 1 }, rng),
    new Conv({ inChannels: 6, outChannels: 6, kernel: 5, depthwise: true }, rng),
  ];
  const spectral = new SpectralNorms(convs, 7);
  spectral.iterate(200);
  // sigmas() come grouped by matrix shape: the two 3×3 kernels, then the 1×1, then the depthwise one
  const sigmas = spectral.sigmas().dataSync();
  const exact = convs.map((c) => {
    const [kh, kw, cin, cout] = c.kernel.shape;
    const [rows, cols] = c.depthwise ? [kh * kw, cin] : [kh * kw * cin, cout];
    return largestSingularValue(c.kernel.dataSync() as Float32Array, rows, cols);
  });
  exact.forEach((s, i) => {
    assert.ok(Math.abs(sigmas[i] - s) < 1e-4 * s, `kernel ${i}: ${sigmas[i]} vs SVD ${s}`);
  });
  // with u, v held, d(Σσ)/dW = u vᵀ: a finite difference along a random direction agrees
  const w = convs[2].kernel;
  const dir = tf.randomNormal(w.shape, 0, 1, 'float32', 3);
  const grad = tf.grad(() => spectral.sum())(w);
  const analytic = grad.mul(dir).sum().dataSync()[0];
  const h = 1e-2;
  const at = (t: number) => {
    const saved = w.clone();
    w.assign(saved.add(dir.mul(t)));
    const v = spectral.sum().dataSync()[0];
    w.assign(saved);
    return v;
  };
  const numeric = (at(h) - at(-h)) / (2 * h);
  assert.ok(Math.abs(analytic - numeric) < 1e-3, `${analytic} vs ${numeric}`);
  // the state the checkpoints keep: one u and one v per matrix, grouped by shape
  assert.equal(
    spectral.variables.reduce((n, v) => n + v.size, 0),
    2 * (27 + 5) + (4 + 2) + (25 + 6),
  );
});

test('batch norm normalises by the batch in training passes and by its running statistics otherwise', () => {
  const bn = new BatchNorm(3);
  const x = tf.randomNormal([4, 5, 5, 3], 2, 3, 'float32', 1) as tf.Tensor4D;
  const recorded: tf.Tensor[] = [];
  const y = bn.apply(x, { kind: 'batch', record: (_, s) => recorded.push(s.mean, s.variance) });
  const m = tf.moments(y, [0, 1, 2]);
  for (const v of m.mean.dataSync()) assert.ok(Math.abs(v) < 1e-4);
  for (const v of m.variance.dataSync()) assert.ok(Math.abs(v - 1) < 1e-3);
  assert.equal(recorded.length, 2);
  // running statistics start at (0, 1): the identity up to ε
  const z = bn.apply(x, RUNNING);
  assert.ok(tf.max(tf.abs(z.sub(x.div(Math.sqrt(1 + 1e-5))))).dataSync()[0] < 1e-5);
  bn.update({ mean: recorded[0] as tf.Tensor1D, variance: recorded[1] as tf.Tensor1D });
  const expected = recorded[0].mul(0.05).dataSync();
  bn.runningMean.dataSync().forEach((v, i) => {
    assert.ok(Math.abs(v - expected[i]) < 1e-6);
  });
});

test("NVAE's cells keep, halve and double the resolution as specified, and count their weights exactly", () => {
  const rng = new Rng(2);
  const x = tf.randomNormal([2, 8, 6, 4]) as tf.Tensor4D;
  const cases = [
    { spec: cellSpecs.encoder(4), shape: [2, 8, 6, 4] },
    { spec: cellSpecs.down(4, 6), shape: [2, 4, 3, 6] },
    { spec: cellSpecs.generative(4, 3), shape: [2, 8, 6, 4] },
    { spec: cellSpecs.up(4, 2, 2), shape: [2, 16, 12, 2] },
  ];
  for (const { spec, shape } of cases) {
    const cell = buildCell(spec, rng);
    const y = cell.apply(x, { kind: 'batch' });
    assert.deepEqual(y.shape, shape);
    assert.equal(
      cell.variables.reduce((n, v) => n + v.size, 0),
      cellParameters(spec),
    );
    assert.ok(y.isFinite().all().dataSync()[0]);
  }
});

test('upsampling repeats each pixel 2×2, and its gradient sums the four copies, image by image', () => {
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 1]);
  assert.deepEqual(
    Array.from(upsample2(x).dataSync().slice(0, 16)),
    [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4],
  );
  // weights 0…31 on the output: each input's gradient is the sum of its four copies' weights
  const weights = tf.range(0, 32).reshape([2, 4, 4, 1]);
  const g = tf.grad((t) =>
    upsample2(t as tf.Tensor4D)
      .mul(weights)
      .sum(),
  )(x);
  assert.deepEqual(Array.from(g.dataSync()), [10, 18, 42, 50, 74, 82, 106, 114]);
});
