/**
 * `vaekit export` end to end: tiny runs of each exportable kind are trained by the CLI, exported as ONNX and
 * as TensorFlow.js graph models, and the files are run in onnxruntime-web and in plain tfjs (no vaekit code
 * involved in running them): their outputs must match the model's own, loaded from the same checkpoint, to 1e-5.
 * Bad input is refused with exit code 2 and nothing written.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { exampleFeeds, maxRelativeError } from '../../src/export/feeds.js';
import { asExportable, type ExportPart } from '../../src/models/model.js';
import { loadRun } from '../../src/run/load-run.js';
import { useBackend } from '../helpers/backend.js';
import { vaekitFromSource } from '../helpers/cli-source.js';
import { idxDigits } from '../helpers/idx-digits.js';
import { onnxSession, runOnnx } from '../helpers/onnx-runtime.js';

const work = mkdtempSync(join(tmpdir(), 'vk-export-'));
const vaekit = vaekitFromSource(work);
const data = idxDigits(200, 60);
const common = [
  '--dataset',
  data,
  '--epochs',
  '1',
  '--batch-size',
  '50',
  '--runs-dir',
  'runs',
  '--seed',
  '3',
];

before(() => useBackend('wasm'));

function train(name: string, ...args: string[]): string {
  const r = vaekit('train', '--name', name, ...common, ...args);
  assert.equal(r.code, 0, r.err);
  return join('runs', name);
}

/** Loads a TensorFlow.js export folder's model.json and weights.bin with plain tfjs. */
async function loadTfjs(folder: string): Promise<tf.GraphModel> {
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
  const manifest = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const weightData = new Uint8Array(readFileSync(join(folder, manifest[0].paths[0]))).buffer;
  return tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: manifest.flatMap((m) => m.weights),
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
      userDefinedMetadata: json.userDefinedMetadata,
    }),
  );
}

/** Runs an ONNX file in onnxruntime-web on tfjs feeds; the outputs as tfjs tensors. */
async function runOnnxFile(
  path: string,
  feeds: Record<string, tf.Tensor>,
): Promise<Record<string, tf.Tensor>> {
  const session = await onnxSession(readFileSync(path));
  const inputs = Object.fromEntries(
    Object.entries(feeds).map(([k, t]) => [k, { data: t.dataSync() as Float32Array, dims: t.shape }]),
  );
  const outs = await runOnnx(session, inputs);
  await session.release();
  return Object.fromEntries(Object.entries(outs).map(([k, t]) => [k, tf.tensor(t.data, [...t.dims])]));
}

/** Exports `run` in both formats and checks each part's files against the model on example inputs. */
async function exportAndCheck(run: string, parts: ExportPart[]): Promise<void> {
  const onnxDir = join(work, `${run.replaceAll('/', '_')}-onnx`);
  const tfjsDir = join(work, `${run.replaceAll('/', '_')}-tfjs`);
  for (const [format, out] of [
    ['onnx', onnxDir],
    ['tfjs', tfjsDir],
  ]) {
    const r = vaekit('export', run, '--format', format, '--part', 'all', '-o', out);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wrote .* export/);
  }
  const loaded = loadRun(join(work, run));
  const model = asExportable(loaded.model);
  assert.ok(model);
  const card = JSON.parse(readFileSync(join(onnxDir, 'model-card.json'), 'utf8'));
  assert.deepEqual(
    card.parts.map((p: { part: string }) => p.part),
    parts,
  );
  assert.equal(card.model.type, loaded.config.model.type);
  assert.equal(typeof card.metrics?.epoch, 'number');
  for (const part of parts) {
    const graph = model.exportGraph(part);
    for (const n of [1, 6]) {
      const feeds = exampleFeeds(graph, n, 21);
      const want = model.exportReference(part, feeds);
      const onnx = await runOnnxFile(join(onnxDir, `${part}.onnx`), feeds);
      const errOnnx = maxRelativeError(onnx, want);
      assert.ok(errOnnx < 1e-5, `${run} ${part} ONNX, batch ${n}: max error ${errOnnx}`);
      const gm = await loadTfjs(join(tfjsDir, part));
      const names = graph.outputs.map((o) => o.name);
      const outs = gm.execute(feeds, names);
      const got = Object.fromEntries(names.map((k, i) => [k, [outs].flat()[i] as tf.Tensor]));
      const errTfjs = maxRelativeError(got, want);
      assert.ok(errTfjs < 1e-5, `${run} ${part} tfjs, batch ${n}: max error ${errTfjs}`);
      gm.dispose();
      tf.dispose([
        ...Object.values(feeds),
        ...Object.values(want),
        ...Object.values(onnx),
        ...Object.values(got),
      ]);
    }
  }
  loaded.model.dispose();
}

test('a VAE (MLP, Bernoulli) exports its decoder and encoder, and the files match the model', async () => {
  await exportAndCheck(train('vae-mlp', '--hidden', '32', '--latent-dim', '3'), ['decoder', 'encoder']);
});

test('a conv VAE with the logistic mixture and a conv CVAE export and match', async () => {
  const conv = ['--arch', 'conv', '--filters', '4,8', '--latent-dim', '4'];
  await exportAndCheck(train('vae-conv', ...conv, '--likelihood', 'logistic-mixture', '--mixtures', '2'), [
    'decoder',
    'encoder',
  ]);
  await exportAndCheck(train('cvae-conv', '--model', 'cvae', ...conv), ['decoder', 'encoder']);
});

test("an HVAE's top-down sampler and a GAN's generator export and match", async () => {
  await exportAndCheck(
    train('hvae', '--model', 'hvae', '--groups', '3', '--latent-dim', '3', '--width', '16', '--hidden', '32'),
    ['decoder'],
  );
  await exportAndCheck(
    train(
      'gan',
      '--model',
      'gan',
      '--generator-filters',
      '8,4',
      '--critic-filters',
      '4,8',
      '--latent-dim',
      '5',
    ),
    ['decoder'],
  );
});

test('bad input: exit 2, a named cause, and nothing written', () => {
  const out = join(work, 'refused');
  const refused = (args: string[], cause: RegExp) => {
    const r = vaekit('export', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
    assert.match(r.err, cause);
    assert.equal(existsSync(out), false, `${args.join(' ')} wrote ${out}`);
    assert.deepEqual(
      readdirSync(work).filter((f) => f.includes('.partial-')),
      [],
    );
  };
  refused(['runs/gan', '--format', 'onnx', '--part', 'encoder', '-o', out], /gan model has no encoder/);
  refused(['runs/vae-mlp', '--format', 'keras', '-o', out], /--format/);
  refused(['runs/vae-mlp', '-o', out], /--format/);
  refused(['runs/nope', '--format', 'onnx', '-o', out], /runs\/nope/);
  refused(['runs/vae-mlp', '--format', 'onnx', '-o', join(work, 'no', 'such', 'parent')], /mkdir -p/);
  const cfg = readFileSync(join(work, 'runs', 'vae-mlp', 'config.json'));
  // a run whose training has not finished an epoch: config.json and no checkpoint
  mkdirSync(join(work, 'runs', 'fresh'));
  writeFileSync(join(work, 'runs', 'fresh', 'config.json'), cfg);
  refused(['runs/fresh', '--format', 'onnx', '-o', out], /no checkpoint/);
  const nvae = JSON.parse(cfg.toString());
  nvae.model = { type: 'nvae' };
  mkdirSync(join(work, 'runs', 'nvae'));
  writeFileSync(join(work, 'runs', 'nvae', 'config.json'), JSON.stringify(nvae));
  refused(['runs/nvae', '--format', 'tfjs', '-o', out], /nvae run/);
  // an existing folder is never written into
  mkdirSync(out);
  const r = vaekit('export', 'runs/vae-mlp', '--format', 'onnx', '-o', out);
  assert.equal(r.code, 2);
  assert.match(r.err, /exists/);
  assert.deepEqual(readdirSync(out), []);
});
