/**
 * Every exportable part of every model kind, described as an export graph, computes what the model computes:
 * the graph run by its tfjs reference runner against the model's own code, on images of odd and even sizes,
 * with each likelihood's mean, conditioning, and batch norm in inference mode after training-mode updates.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { tfSeed } from '../../src/core/random.js';
import { exampleFeeds, maxRelativeError } from '../../src/export/feeds.js';
import { runGraph } from '../../src/export/run-graph.js';
import { asExportable } from '../../src/models/model.js';
import { buildModel, MODEL_KINDS, modelConfigSchema } from '../../src/models/registry.js';
import { useBackend } from '../helpers/backend.js';

before(() => useBackend('wasm'));

function checkParts(
  config: Record<string, unknown>,
  inputShape: [number, number, number],
  classes = 10,
): void {
  const model = buildModel(modelConfigSchema.parse(config), { inputShape, classes }, 3);
  // away from the initialisation: batch norm's moving statistics (mean 0, variance 1) and zero biases would
  // hide a wrong fold or a missing bias
  const moved = model.weights().map(({ name, tensor }, i) => {
    const noise = tf.randomNormal(tensor.shape, 0, 0.2, 'float32', tfSeed(100 + i));
    return [name, tensor.add(noise)] as [string, tf.Tensor];
  });
  model.setWeights(new Map(moved));
  const exportable = asExportable(model);
  assert.ok(exportable, `${config.type} declares exports`);
  for (const part of model.capabilities.exports) {
    const graph = exportable.exportGraph(part);
    for (const n of [1, 4]) {
      const feeds = exampleFeeds(graph, n, 5);
      const got = runGraph(graph, feeds);
      const want = exportable.exportReference(part, feeds);
      assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
      const err = maxRelativeError(got, want);
      assert.ok(err < 1e-5, `${JSON.stringify(config)} ${part} n=${n}: max error ${err}`);
      tf.dispose([...Object.values(feeds), ...Object.values(got), ...Object.values(want)]);
    }
  }
  model.dispose();
}

test('every registered kind declares exports, and those with none are the ones that cannot', () => {
  const none = MODEL_KINDS.filter((k) => k.capabilities.exports.length === 0).map((k) => k.type);
  assert.deepEqual(none, ['nvae']);
});

test('VAE: MLP and conv decoders and encoders, every likelihood', () => {
  for (const likelihood of ['bernoulli', 'gaussian', 'logistic-mixture']) {
    checkParts(
      { type: 'vae', latentDim: 3, network: { type: 'mlp', hidden: [16] }, likelihood, mixtures: 2 },
      [5, 7, 1],
    );
    checkParts(
      { type: 'vae', latentDim: 4, network: { type: 'conv', filters: [4, 6] }, likelihood },
      [8, 12, 3],
    );
  }
});

test('CVAE: the label enters both networks as one-hot y', () => {
  checkParts({ type: 'cvae', latentDim: 3, network: { type: 'mlp', hidden: [8] } }, [6, 6, 1], 4);
  checkParts({ type: 'cvae', latentDim: 3, network: { type: 'conv', filters: [4] } }, [6, 6, 1], 3);
});

test('HVAE: the top-down sampler from noise, MLP and conv stems', () => {
  checkParts(
    { type: 'hvae', groups: 3, latentDim: 2, hidden: 8, cells: 2, network: { type: 'mlp', hidden: [16] } },
    [5, 5, 1],
  );
  checkParts(
    {
      type: 'hvae',
      groups: 2,
      latentDim: 3,
      hidden: 8,
      network: { type: 'conv', filters: [4] },
      likelihood: 'logistic-mixture',
      mixtures: 2,
    },
    [4, 4, 3],
  );
});

test('GAN and WGAN: the generator with batch norm in inference mode', () => {
  checkParts({ type: 'gan', latentDim: 5, generatorFilters: [8, 4] }, [8, 8, 1]);
  checkParts({ type: 'wgan-gp', latentDim: 5, generatorFilters: [6] }, [6, 6, 3]);
});
