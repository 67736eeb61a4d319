/**
 * The contract between the registry and the models: every registered kind builds from its defaults, and
 * does what its declared capabilities promise — no more is asked of it, and commands rely on no less.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { type GenerativeModel, metricSpec } from '../../src/models/model.js';
import { MODEL_KINDS, modelConfigSchema } from '../../src/models/registry.js';
import { logImportanceWeights } from '../../src/objectives/latent.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { makeOptimizers, trainStep } from '../../src/train/step.js';
import { useBackend } from '../helpers/backend.js';
import { stepContext } from '../helpers/step.js';

before(() => useBackend('wasm'));

const data = { inputShape: [28, 28, 1] as [number, number, number], classes: 10 };

for (const kind of MODEL_KINDS) {
  test(`${kind.type}: what its capabilities declare, it does`, () => {
    const caps = kind.capabilities;
    const config = modelConfigSchema.parse({ type: kind.type });
    const m: GenerativeModel = kind.build(config as never, data, 1);
    // what the model object has, looked at from outside (the capabilities must agree with it)
    const model = m as unknown as Record<string, unknown>;
    assert.equal(m.kind, kind.type);
    assert.equal(m.capabilities, caps);
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 2).round() as tf.Tensor4D;
    const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
    const batch = { x, labels };
    assert.deepEqual(
      m.sample(3, 1, { labels: caps.conditional ? new Int32Array([1, 2, 3]) : undefined }).shape,
      [3, 28, 28, 1],
    );
    const has = (name: string) => typeof model[name] === 'function';
    assert.equal(has('reconstruct'), caps.encoder, 'encoder ⇔ reconstruct');
    if (caps.encoder)
      assert.deepEqual(
        (model.reconstruct as (b: typeof batch) => tf.Tensor).call(m, batch).shape,
        [4, 28, 28, 1],
      );
    assert.equal(
      has('posterior') && has('decodeMean'),
      caps.latent === 'gaussian',
      'gaussian latent ⇔ posterior, decodeMean',
    );
    if (caps.latent === 'gaussian') assert.equal(typeof model.latentDim, 'number');
    assert.equal(has('latentTerms'), caps.likelihood, 'likelihood ⇔ latentTerms');
    if (caps.likelihood) {
      const lw = logImportanceWeights(m as never, batch, { k: 3, seed: 1, training: false });
      assert.deepEqual(lw.shape, [3, 4]);
      assert.ok(lw.dataSync().every(Number.isFinite));
    }
    assert.equal(typeof model.classes === 'number', caps.conditional, 'conditional ⇔ classes');
    // every metric evaluation reports is declared, and the bound is among them
    const metrics = m.evalBatch(batch, 3);
    for (const name of Object.keys(metrics)) assert.ok(metricSpec(caps, name), `${name} is not declared`);
    if (caps.bound) assert.ok(caps.bound in metrics, `the bound ${caps.bound} is not reported`);
    // each declared objective trains (a step at learning rate 0 reports finite metrics); data-parallel
    // models have one stage on the group 'model'
    const optimizers = makeOptimizers(m, trainConfigSchema.parse({ learningRate: 1e-12 }), 1);
    const objectives = caps.objectives.length ? caps.objectives : (['elbo'] as const);
    for (const objective of objectives) {
      const ctx = stepContext({
        objective: objective === 'iwae' ? { kind: 'iwae', k: 2 } : { kind: 'elbo' },
      });
      const r = trainStep(m, batch, ctx, optimizers);
      assert.ok(r.finite, `${objective} step`);
      for (const name of Object.keys(r.metrics))
        assert.ok(metricSpec(caps, name), `step metric ${name} is not declared`);
      const stages = m.trainingStages(batch, ctx);
      if (caps.dataParallel)
        assert.deepEqual(
          stages.map((s) => s.group),
          ['model'],
        );
    }
    m.dispose();
  });
}
