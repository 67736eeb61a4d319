/**
 * The TensorFlow.js graph model writer: what it writes, loaded by plain tfjs (`tf.loadGraphModel`) from
 * memory and from files over HTTP, gives what `runGraph` says the graph means, for every op alone and
 * composed, at batch sizes 1 and 5 on the same loaded model.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/random.js';
import { GraphBuilder } from '../../src/export/graph.js';
import { runGraph } from '../../src/export/run-graph.js';
import { writeTfjsGraph } from '../../src/export/tfjs-graph.js';
import { useBackend } from '../helpers/backend.js';
import { type Served, serveFolder } from '../helpers/serve-folder.js';
import {
  convDecoder,
  convEncoder,
  mixedOps,
  mixtureMean,
  mlpDecoder,
  randomValues,
  singleOps,
} from './sample-graphs.js';

const META = { producerVersion: '0.1.0', metadata: { model: 'test', latentDim: 8 } };

let folder: string;
let served: Served;

before(async () => {
  await useBackend('wasm');
  folder = mkdtempSync(join(tmpdir(), 'vk-tfjs-graph-'));
  served = await serveFolder(folder);
});

after(async () => {
  await served?.close();
  rmSync(folder, { recursive: true, force: true });
});

type Written = ReturnType<typeof writeTfjsGraph>;

/** From memory, through JSON text as a file would carry it. */
function fromMemory({ modelJson, weights }: Written): Promise<tf.GraphModel> {
  const json = JSON.parse(JSON.stringify(modelJson)) as tf.io.ModelJSON;
  const specs = tf.io.getWeightSpecs(json.weightsManifest);
  const buffer = weights.slice().buffer;
  return tf.loadGraphModel(tf.io.fromMemory(tf.io.getModelArtifactsForJSONSync(json, specs, buffer)));
}

/** model.json and weights.bin in a folder of their own, loaded over HTTP. */
function overHttp(name: string, { modelJson, weights }: Written): Promise<tf.GraphModel> {
  const dir = join(folder, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
  writeFileSync(join(dir, 'weights.bin'), weights);
  return tf.loadGraphModel(`${served.url}${name}/model.json`);
}

/** Random inputs for every input of the graph, with `batch` rows. */
function feedsFor(graph: GraphBuilder, batch: number, rng: Rng): Record<string, tf.Tensor> {
  return Object.fromEntries(
    graph.inputs.map((p) => {
      const shape = [batch, ...p.value.shape.slice(1)];
      return [
        p.name,
        tf.tensor(
          randomValues(
            rng,
            shape.reduce((a, b) => a * b, 1),
            2,
          ),
          shape,
        ),
      ];
    }),
  );
}

function assertClose(actual: tf.Tensor, expected: tf.Tensor, what: string, tolerance = 1e-5): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]));
  assert.ok(worst <= tolerance, `${what}: differs from runGraph by ${worst}`);
}

/** The model's outputs, by execute with the port names, match runGraph's at batch sizes 1 and 5. */
function checkModel(graph: GraphBuilder, model: tf.GraphModel, what: string, seed = 7): void {
  const rng = new Rng(seed);
  const names = graph.outputs.map((o) => o.name);
  for (const batch of [1, 5]) {
    tf.tidy(() => {
      const feeds = feedsFor(graph, batch, rng);
      const expected = runGraph(graph, feeds);
      const got = model.execute(feeds, names);
      const outputs = Array.isArray(got) ? got : [got];
      for (const [i, name] of names.entries()) {
        assertClose(outputs[i], expected[name], `${what} ${name} (batch ${batch})`);
      }
    });
  }
}

test('the model.json is a graph model with the signature, versions and metadata tfjs reads', () => {
  const graph = mlpDecoder();
  const { modelJson, weights } = writeTfjsGraph(graph, META);
  assert.equal(modelJson.format, 'graph-model');
  assert.equal(modelJson.convertedBy, 'vaekit 0.1.0');
  assert.equal(modelJson.generatedBy, 'vaekit 0.1.0');
  assert.deepEqual(modelJson.userDefinedMetadata, META.metadata);
  const topology = modelJson.modelTopology as { node: { name: string; op: string; attr: object }[] };
  const ops = new Set(topology.node.map((n) => n.op));
  assert.deepEqual([...ops].sort(), [
    'AddV2',
    'Const',
    'Identity',
    'MatMul',
    'Placeholder',
    'Relu',
    'Reshape',
    'Sigmoid',
  ]);
  const placeholder = topology.node.find((n) => n.op === 'Placeholder');
  assert.deepEqual(placeholder, {
    name: 'z',
    op: 'Placeholder',
    attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '8' }] } } },
  });
  const signature = modelJson.signature as Record<string, Record<string, { name: string }>>;
  assert.equal(signature.inputs.z.name, 'z:0');
  assert.equal(signature.outputs.x.name, 'x:0');
  const [group] = modelJson.weightsManifest as {
    paths: string[];
    weights: { shape: number[]; dtype: string }[];
  }[];
  assert.deepEqual(group.paths, ['weights.bin']);
  const bytes = group.weights.reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  assert.equal(weights.byteLength, bytes);
  // the four float weights and the reshape's int32 shape [−1, 7, 7, 2]
  assert.deepEqual(
    group.weights.map((w) => w.dtype),
    ['float32', 'float32', 'float32', 'float32', 'int32'],
  );
});

test('metadata that tfjs would read as the signature is refused', () => {
  assert.throws(
    () => writeTfjsGraph(mlpDecoder(), { producerVersion: '0', metadata: { signature: {} } }),
    /signature/,
  );
});

test('port names that are no TensorFlow node names still work as signature keys', async () => {
  const g = new GraphBuilder('odd names');
  const x = g.input('latent z', [-1, 3], 'input');
  g.output('x:mean', g.unary('tanh', x), 'output');
  const { modelJson, weights } = writeTfjsGraph(g, META);
  const signature = modelJson.signature as Record<string, Record<string, { name: string }>>;
  assert.equal(signature.inputs['latent z'].name, 'latent_z:0');
  assert.equal(signature.outputs['x:mean'].name, 'x_mean:0');
  const model = await fromMemory({ modelJson, weights });
  checkModel(g, model, 'odd names');
  model.dispose();
});

test('every op alone, loaded from memory, matches runGraph at batch 1 and 5', async () => {
  for (const [op, graph] of Object.entries(singleOps())) {
    const model = await fromMemory(writeTfjsGraph(graph, META));
    checkModel(graph, model, op);
    model.dispose();
  }
});

test('the MLP decoder loads from memory and over HTTP; execute, executeAsync and predict agree', async () => {
  const graph = mlpDecoder();
  const written = writeTfjsGraph(graph, META);
  for (const model of [await fromMemory(written), await overHttp('mlp', written)]) {
    assert.deepEqual(model.inputNodes, ['z']);
    assert.deepEqual(model.outputNodes, ['x']);
    assert.deepEqual(model.metadata, META.metadata);
    checkModel(graph, model, 'mlp decoder');
    const z = tf.tensor(randomValues(new Rng(3), 5 * 8), [5, 8]);
    const expected = runGraph(graph, { z }).x;
    assertClose(model.predict(z) as tf.Tensor, expected, 'predict');
    assertClose(model.predict({ z }) as tf.Tensor, expected, 'predict by name');
    assertClose((await model.executeAsync({ z }, 'x')) as tf.Tensor, expected, 'executeAsync');
    model.dispose();
  }
});

test('the conv encoder (stride-2 "same" convs on 28 and on the odd 7, two sliced outputs) over HTTP', async () => {
  const graph = convEncoder();
  const model = await overHttp('encoder', writeTfjsGraph(graph, META));
  assert.deepEqual(model.outputNodes, ['mean', 'logvar']);
  checkModel(graph, model, 'conv encoder');
  model.dispose();
});

test('the conv decoder (transpose convs to 7, 14 and 28 with the batch from the input) over HTTP', async () => {
  const graph = convDecoder();
  const model = await overHttp('decoder', writeTfjsGraph(graph, META));
  checkModel(graph, model, 'conv decoder');
  model.dispose();
});

test('the rank-5 logistic-mixture mean and the mixed two-input graph, from memory and over HTTP', async () => {
  for (const [name, graph] of [
    ['mixture', mixtureMean()],
    ['mixed', mixedOps()],
  ] as const) {
    const written = writeTfjsGraph(graph, META);
    for (const model of [await fromMemory(written), await overHttp(name, written)]) {
      checkModel(graph, model, name);
      model.dispose();
    }
  }
});
