/**
 * The contract between the registry and the models: every registered kind builds from its defaults, and
 * does what its declared capabilities promise — no more is asked of it, and commands rely on no less.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../src/core/errors.js';
import { latentDiagnostics } from '../../src/eval/latent.js';
import type { ModelKind } from '../../src/models/kind.js';
import { type GaussianLatent, type GenerativeModel, metricSpec } from '../../src/models/model.js';
import {
  buildModel,
  checkModelSize,
  MODEL_KINDS,
  modelConfigSchema,
  modelSize,
} from '../../src/models/registry.js';
import {
  type LatentModel,
  type LocalLatentModel,
  logImportanceWeights,
} from '../../src/objectives/latent.js';
import { trainConfigSchema } from '../../src/train/config.js';
import { makeOptimizers, trainStep } from '../../src/train/step.js';
import { useBackend } from '../helpers/backend.js';
import { stepContext } from '../helpers/step.js';

before(() => useBackend('wasm'));

const data = { inputShape: [28, 28, 1] as [number, number, number], classes: 10 };

/** Builds a model kind from its defaults and checks every capability it declares against what it does. */
function assertContract(kind: ModelKind): void {
  {
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
    assert.equal(
      has('exportGraph') && has('exportReference'),
      caps.exports.length > 0,
      'exports ⇔ Exportable',
    );
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
    assert.equal(
      has('inferenceParams') && has('latentTermsAt') && has('logLikelihood'),
      caps.localInference,
      'local inference ⇔ inferenceParams, latentTermsAt, logLikelihood',
    );
    if (caps.localInference) {
      const local = m as unknown as LocalLatentModel;
      const params = local.inferenceParams(batch, 1);
      assert.deepEqual(params.shape, [4, local.family.paramWidth]);
      const at = local.latentTermsAt(params, batch, { k: 2, seed: 1, training: false });
      assert.deepEqual(at.logPx.shape, [8]);
      assert.deepEqual(local.logLikelihood(tf.zeros([8, local.latentDim]), batch).shape, [8]);
    }
    if (caps.likelihood) {
      const lw = logImportanceWeights(m as never, batch, { k: 3, seed: 1, training: false });
      assert.deepEqual(lw.shape, [3, 4]);
      assert.ok(lw.dataSync().every(Number.isFinite));
    }
    assert.equal(typeof model.classes === 'number', caps.conditional, 'conditional ⇔ classes');
    // every metric evaluation reports is declared, and the bound is among them, in nats
    const metrics = m.evalBatch(batch, 3);
    const reported = new Set(Object.keys(metrics));
    for (const name of Object.keys(metrics)) assert.ok(metricSpec(caps, name), `${name} is not declared`);
    if (caps.bound) {
      assert.ok(caps.bound in metrics, `the bound ${caps.bound} is not reported`);
      assert.equal(metricSpec(caps, caps.bound)?.unit, 'nats', 'the bound on −log p(x) is in nats');
      assert.equal(metricSpec(caps, caps.bound)?.role, 'objective');
    }
    if (caps.latent !== 'none') {
      const groups = (m as unknown as LatentModel).latentTerms(batch, {
        k: 1,
        seed: 1,
        training: false,
      }).groups;
      assert.equal(
        groups.length > 1,
        caps.latent === 'hierarchical-gaussian',
        'hierarchical ⇔ several latent groups',
      );
    }
    if (caps.latent === 'gaussian') {
      // 'gaussian' means the prior N(0, I): the collapse diagnostics' KL (against N(0, I)) is the model's own
      const images = {
        name: 'probe',
        shape: data.inputShape,
        count: 4,
        images: x.dataSync() as Float32Array,
        labels: new Int32Array([0, 1, 2, 3]),
      };
      const diagnosed = latentDiagnostics(m as unknown as GaussianLatent, images, { miLimit: 4 }).kl;
      assert.ok(
        Math.abs(diagnosed - metrics.kl / 4) < 1e-3 * (1 + diagnosed),
        `KL ${diagnosed} vs ${metrics.kl / 4}`,
      );
    }
    if (!caps.conditional) {
      // an unconditional model needs no labels
      assert.deepEqual(m.sample(2, 1).shape, [2, 28, 28, 1]);
      assert.deepEqual(Object.keys(m.evalBatch({ x }, 3)).sort(), Object.keys(metrics).sort());
    }
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
      for (const name of Object.keys(r.metrics)) {
        assert.ok(metricSpec(caps, name), `step metric ${name} is not declared`);
        reported.add(name);
      }
      const stages = m.trainingStages(batch, ctx);
      if (caps.dataParallel)
        assert.deepEqual(
          stages.map((s) => s.group),
          ['model'],
        );
    }
    // and nothing is declared that is never reported
    for (const spec of caps.metrics) {
      const seen = [...reported].some((name) => metricSpec(caps, name) === spec);
      assert.ok(seen, `${spec.name} is declared but never reported`);
    }
    m.dispose();
  }
}

for (const kind of MODEL_KINDS) {
  test(`${kind.type}: what its capabilities declare, it does`, () =>
    assertContract(kind as unknown as ModelKind));
}

test('the contract catches a model whose declaration lies', () => {
  const vae = MODEL_KINDS[0] as unknown as ModelKind;
  const lie = (capabilities: Partial<ModelKind['capabilities']>) => ({
    ...vae,
    capabilities: { ...vae.capabilities, ...capabilities },
  });
  const spec = (name: string, extra = {}) => ({
    ...vae.capabilities.metrics.find((m) => m.name === name)!,
    ...extra,
  });
  const lies: [string, Partial<ModelKind['capabilities']>][] = [
    ['a bound that is not the −ELBO', { bound: 'kl' }],
    [
      'a bound in the wrong unit',
      { metrics: [spec('loss', { unit: 'score' }), spec('recon'), spec('kl'), spec('gradNorm')] },
    ],
    [
      'a metric never reported',
      { metrics: [...vae.capabilities.metrics, spec('loss', { name: 'neverReported' })] },
    ],
    ['a metric not declared', { metrics: vae.capabilities.metrics.filter((m) => m.name !== 'recon') }],
    [
      'a wildcard name',
      {
        metrics: [
          ...vae.capabilities.metrics.filter((m) => m.name !== 'recon'),
          spec('recon', { name: '.*' }),
        ],
      },
    ],
    ['an encoder it lacks', { latent: 'hierarchical-gaussian' }],
    ['a condition it lacks', { conditional: true }],
  ];
  for (const [what, capabilities] of lies) {
    // the model object carries the kind's own declaration: lie in both places
    const kind = lie(capabilities);
    const build = kind.build;
    kind.build = (config, data, seed) =>
      Object.assign(build(config, data, seed), { capabilities: kind.capabilities });
    assert.throws(() => assertContract(kind), assert.AssertionError, `the contract accepted ${what}`);
  }
});

/** Configs that vary every field a model's size depends on, per kind (each kind's defaults are added). */
const SIZE_CASES: Record<string, { config: object; shape: [number, number, number]; classes?: number }[]> = {
  vae: [
    { config: { latentDim: 3, network: { type: 'mlp', hidden: [7, 5] } }, shape: [12, 10, 1] },
    {
      config: {
        latentDim: 3,
        likelihood: 'logistic-mixture',
        mixtures: 2,
        network: { type: 'conv', filters: [4, 6] },
      },
      shape: [8, 12, 3],
    },
    {
      config: { latentDim: 2, likelihood: 'gaussian-learned', network: { type: 'conv', filters: [3] } },
      shape: [6, 6, 1],
    },
    {
      config: {
        latentDim: 3,
        network: { type: 'mlp', hidden: [7] },
        posterior: { type: 'iaf', flowSteps: 3, flowHidden: [5, 4], flowContext: 2 },
      },
      shape: [4, 4, 1],
    },
    { config: { latentDim: 3, encoderWidth: 3, network: { type: 'mlp', hidden: [7, 5] } }, shape: [4, 4, 1] },
    {
      config: { latentDim: 2, encoderWidth: 2, network: { type: 'conv', filters: [3, 2] } },
      shape: [8, 8, 1],
    },
  ],
  hvae: [
    {
      config: {
        groups: 3,
        latentDim: 2,
        hidden: 6,
        cells: 2,
        likelihood: 'gaussian',
        network: { type: 'mlp', hidden: [5] },
      },
      shape: [4, 4, 1],
    },
    {
      config: { groups: 2, latentDim: 2, hidden: 6, network: { type: 'conv', filters: [3, 2] } },
      shape: [8, 8, 3],
    },
  ],
  nvae: [
    {
      config: {
        scales: 1,
        groupsPerScale: 3,
        latentChannels: 2,
        hidden: 8,
        cells: 2,
        expansion: 2,
        spectralReg: 0,
      },
      shape: [5, 7, 1],
    },
    {
      config: {
        scales: 3,
        groupsPerScale: 1,
        latentChannels: 3,
        hidden: 6,
        likelihood: 'logistic-mixture',
        mixtures: 2,
      },
      shape: [16, 12, 3],
    },
    { config: { hidden: 4, latentChannels: 1, likelihood: 'gaussian-learned' }, shape: [8, 8, 1] },
  ],
  gan: [{ config: { latentDim: 3, generatorFilters: [4, 2], criticFilters: [2, 4] }, shape: [8, 8, 1] }],
  wgan: [
    { config: { latentDim: 3, generatorFilters: [4, 2, 3], criticFilters: [2, 4, 5] }, shape: [8, 16, 3] },
  ],
  'wgan-gp': [{ config: { latentDim: 3, generatorFilters: [4], criticFilters: [2, 4] }, shape: [6, 6, 1] }],
  cvae: [
    { config: { latentDim: 2, network: { type: 'mlp', hidden: [9] } }, shape: [4, 4, 1], classes: 5 },
    { config: { latentDim: 2, network: { type: 'conv', filters: [3, 2] } }, shape: [8, 8, 3], classes: 4 },
    {
      config: { latentDim: 2, network: { type: 'conv', filters: [3] }, posterior: { type: 'iaf' } },
      shape: [8, 8, 1],
      classes: 3,
    },
    {
      config: { latentDim: 2, encoderWidth: 2, network: { type: 'mlp', hidden: [9] } },
      shape: [4, 4, 1],
      classes: 5,
    },
  ],
};

for (const kind of MODEL_KINDS) {
  test(`${kind.type}: the declared size counts exactly the weights a built model stores`, () => {
    const cases = [{ config: {}, shape: data.inputShape, classes: 10 }, ...(SIZE_CASES[kind.type] ?? [])];
    assert.ok(cases.length > 1, `add size cases for ${kind.type}`);
    for (const c of cases) {
      const config = modelConfigSchema.parse({ ...c.config, type: kind.type });
      const info = { inputShape: c.shape, classes: c.classes ?? 10 };
      const m = buildModel(config, info, 1);
      const stored = m.weights().reduce((n, w) => n + w.tensor.size, 0);
      const size = modelSize(config, info);
      assert.equal(size.parameters, stored, JSON.stringify(c));
      // the activations of one image: at least every layer's output, the input and the output among them
      assert.ok(size.activations >= c.shape[0] * c.shape[1] * c.shape[2], JSON.stringify(c));
      m.dispose();
    }
  });
}

test('checkModelSize refuses a model above the training memory limit, from its config alone', () => {
  const huge = modelConfigSchema.parse({ type: 'vae', latentDim: 1e9 });
  assert.throws(
    () => checkModelSize(huge, data, { batchSize: 128 }),
    (e: unknown) =>
      e instanceof InputError &&
      /expected at most 2\.0 GiB to train, found 22.1 TiB: 1,202,000,628,784 parameters/.test(e.message),
  );
  const ok = modelConfigSchema.parse({ type: 'vae' });
  assert.ok(checkModelSize(ok, data, { batchSize: 128 }).parameters < 1e6);
  // the batch counts too: the same model with a batch whose activations pass the limit
  assert.throws(() => checkModelSize(ok, data, { batchSize: 200_000 }), /activations for a batch of 200000/);
  assert.throws(() => checkModelSize(ok, data, { batchSize: 1000, samples: 200 }), /1000 × 200 samples/);
});

for (const kind of MODEL_KINDS) {
  test(`${kind.type}: each trainable variable alone holds its memory, so the fused Adam may update it in place`, () => {
    const m: GenerativeModel = kind.build(modelConfigSchema.parse({ type: kind.type }) as never, data, 1);
    const backend = tf.backend() as unknown as { refCount(id: object): number };
    for (const [group, vars] of Object.entries(m.variableGroups())) {
      const shared = vars.filter((v) => backend.refCount(v.dataId) !== 1);
      assert.equal(
        shared.length,
        0,
        `${group}: ${shared.length} variables share their memory (e.g. ${shared[0]?.shape})`,
      );
    }
    m.dispose();
  });
}
