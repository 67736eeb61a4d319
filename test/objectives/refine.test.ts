import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { vaeConfigSchema } from '../../src/models/vae/config.js';
import { VAE } from '../../src/models/vae/vae.js';
import { localElbo } from '../../src/objectives/local-elbo.js';
import { backpropagateRefinement, refinePosterior } from '../../src/objectives/refine.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { evaluateDataset } from '../../src/train/evaluate.js';
import { train } from '../../src/train/loop.js';
import { makeOptimizers, trainStep } from '../../src/train/step.js';
import { LinearGaussian, W_CORRELATED } from '../eval/linear-gaussian.js';
import { useBackend } from '../helpers/backend.js';
import { stepContext } from '../helpers/step.js';
import { tinyMnist } from '../helpers/tiny-data.js';

before(() => useBackend('wasm'));

const distorted = () =>
  new LinearGaussian({ w: W_CORRELATED, b: [0.5, -1, 0, 1], sigma: 0.7, meanScale: 0.5, logVarShift: 1 });

test('refinement never lowers the per-image ELBO it starts from (on its check draws), and raises the exact ELBO', () => {
  const model = distorted();
  const data = model.sampleData(64, 3);
  const x = tf.tensor4d(data.images, [64, 1, 1, 4]);
  const start = model.posteriorParams({ x });
  const m = model.latentDim;
  const exact = (p: tf.Tensor2D) => {
    const rows = p.arraySync();
    return model.exactElbo(
      data.images,
      rows.flatMap((r) => r.slice(0, m)),
      rows.flatMap((r) => r.slice(m)),
    );
  };
  const before = exact(start);
  for (const lr of [0.01, 0.1, 1, 10]) {
    const r = refinePosterior(model, start, { x }, { steps: 10, lr, samples: 1, checkSamples: 16, seed: 4 });
    for (let i = 0; i < 64; i++)
      assert.ok(r.end[i] >= r.start[i], `lr ${lr}, image ${i}: ${r.start[i]} → ${r.end[i]}`);
    // the check draws are the same at the start and the end: re-scoring λ₀ and λ_K on fresh common draws agrees in sign on average
    const after = exact(r.params);
    const gain = after.reduce((a, e, i) => a + e - before[i], 0) / 64;
    assert.ok(gain > 0, `lr ${lr}: mean exact gain ${gain}`);
  }
});

test('a step that overflows is undone, not taken', () => {
  const model = distorted();
  const x = tf.tensor4d(model.sampleData(8, 1).images, [8, 1, 1, 4]);
  const start = model.posteriorParams({ x });
  const r = refinePosterior(
    model,
    start,
    { x },
    { steps: 3, lr: 1e30, samples: 1, checkSamples: 4, seed: 1 },
  );
  assert.ok(r.params.dataSync().every(Number.isFinite));
  assert.deepEqual(Array.from(r.end), Array.from(r.start));
});

test('the gradient through the refinement matches finite differences of the refined parameters', () => {
  const model = distorted();
  const x = tf.tensor4d(model.sampleData(3, 2).images, [3, 1, 1, 4]);
  const start = model.posteriorParams({ x });
  const o = { steps: 3, lr: 0.01, samples: 16, checkSamples: 16, seed: 5 };
  // ℓ(λ₀) = Σ c ⊙ λ_K(λ₀) for fixed c: ∂ℓ/∂λ₀ by the backward pass, against central differences
  const c = tf.randomNormal(start.shape, 0, 1, 'float32', 3) as tf.Tensor2D;
  const r = refinePosterior(model, start, { x }, o);
  // (an undone step is the identity map; the small differences below stay on the same side of every check)
  const grad = backpropagateRefinement(model, { x }, r, c, o);
  const dir = tf.randomNormal(start.shape, 0, 1, 'float32', 9) as tf.Tensor2D;
  const h = 1e-2;
  const ell = (p: tf.Tensor2D) => refinePosterior(model, p, { x }, o).params.mul(c).sum().dataSync()[0];
  const numeric = (ell(start.add(dir.mul(h))) - ell(start.sub(dir.mul(h)))) / (2 * h);
  const analytic = grad.mul(dir).sum().dataSync()[0];
  assert.ok(Math.abs(numeric - analytic) < 2e-2 * (1 + Math.abs(numeric)), `${analytic} vs ${numeric}`);
  // and it differs from the gradient that ignores the refinement (c itself)
  assert.ok(Math.abs(c.mul(dir).sum().dataSync()[0] - analytic) > 1e-3);
});

for (const refineGradient of ['through', 'stop'] as const) {
  test(`a VAE with --refine-steps (${refineGradient}) trains, leaves no tensors behind, and evaluates at the refined posterior`, async () => {
    const data = tinyMnist(256, 64);
    const config = vaeConfigSchema.parse({
      latentDim: 4,
      network: { type: 'mlp', hidden: [32] },
      refineSteps: 3,
      refineGradient,
    });
    const model = new VAE(config, [28, 28, 1], 2);
    const x = tf.tensor4d(data.train.images.subarray(0, 16 * 784), [16, 28, 28, 1]);
    const optimizers = makeOptimizers(model, trainConfigSchema.parse({}), 1);
    trainStep(model, { x }, stepContext(), optimizers);
    const tensors = tf.memory().numTensors;
    const r = trainStep(model, { x }, stepContext({ step: 1, seed: 2 }), optimizers);
    assert.ok(r.finite);
    assert.equal(tf.memory().numTensors, tensors, 'a refined step leaves no tensors behind');
    const encoderBefore = model.encoder.getWeights()[0].dataSync().slice();
    const records = await train({
      model,
      data,
      config: trainConfigSchema.parse({ epochs: 2, batchSize: 32 }),
      seed: 2,
    });
    assert.ok(records.at(-1)!.test.loss < 540, `test loss ${records.at(-1)!.test.loss}`);
    const encoderAfter = model.encoder.getWeights()[0].dataSync();
    assert.ok(
      encoderAfter.some((v, i) => v !== encoderBefore[i]),
      'the encoder learns',
    );
    // evaluation runs the refinement: the refined ELBO is at least the encoder's own on average
    const plain = new VAE({ ...config, refineSteps: 0 }, [28, 28, 1], 2);
    plain.setWeights(new Map(model.weights().map((w) => [w.name, w.tensor])));
    const batch = { x: tf.tensor4d(data.test.images.subarray(0, 64 * 784), [64, 28, 28, 1]) };
    const refined = localElbo(model, model.inferenceParams(batch, 1), batch, { k: 64, seed: 3 })
      .mean()
      .dataSync()[0];
    const own = localElbo(model, model.posteriorParams(batch), batch, { k: 64, seed: 3 })
      .mean()
      .dataSync()[0];
    assert.ok(refined > own, `refined ${refined} vs encoder ${own}`);
    assert.ok(evaluateDataset(model, data.test, 1).loss < evaluateDataset(plain, data.test, 1).loss + 0.5);
    model.dispose();
    plain.dispose();
  });
}

test('refinement keeps only what it returns, and refuses counts that make no sense', () => {
  const model = distorted();
  const x = tf.tensor4d(model.sampleData(5, 1).images, [5, 1, 1, 4]);
  const start = model.posteriorParams({ x });
  const before = tf.memory().numTensors;
  const o = { steps: 6, lr: 0.05, samples: 2, checkSamples: 4, seed: 3 };
  const r = refinePosterior(model, start, { x }, o);
  // λ_K, and each step's step sizes and kept mask (its base is λ₀ or an earlier λ, kept with it)
  const owned = new Set([r.params, ...r.moves.flatMap((m) => [m.base, m.alpha, m.kept])]);
  owned.delete(start);
  assert.equal(tf.memory().numTensors - before, owned.size);
  const g = backpropagateRefinement(model, { x }, r, tf.onesLike(r.params), o);
  assert.equal(
    tf.memory().numTensors - before,
    owned.size + 2,
    'the backward pass keeps only its result (and the ones)',
  );
  for (const bad of [
    { samples: 0 },
    { checkSamples: 0 },
    { steps: -1 },
    { steps: 1.5 },
    { lr: 0 },
    { lr: Number.NaN },
  ])
    assert.throws(() => refinePosterior(model, start, { x }, { ...o, ...bad }), RangeError);
  g.dispose();
});
