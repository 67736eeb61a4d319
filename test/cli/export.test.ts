/**
 * `vaekit export` end to end: tiny runs of each exportable kind are trained by the CLI, exported as ONNX and
 * as TensorFlow.js graph models, and the files are run in onnxruntime-web and in plain tfjs (no vaekit code
 * involved in running them): their outputs must match the model's own, loaded from the same checkpoint, to 1e-5.
 * Bad input is refused with exit code 2 and nothing written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { exampleFeeds, maxRelativeError } from '../../src/export/feeds.js';
import { decodeNpy } from '../../src/io/npy.js';
import { asExportable, type ExportPart } from '../../src/models/model.js';
import { loadRun } from '../../src/run/load-run.js';
import { useBackend } from '../helpers/backend.js';
import { vaekitFromSource } from '../helpers/cli-source.js';
import { idxDigits } from '../helpers/idx-digits.js';
import { onnxSession, runOnnx } from '../helpers/onnx-runtime.js';
import { serveFolder } from '../helpers/serve-folder.js';
import { launchBrowser, openPage, pixels } from '../web/browser-helpers.js';

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

/** Where the tests export a run in a format. */
const exportDir = (run: string, format: 'onnx' | 'tfjs') =>
  join(work, `${run.replaceAll('/', '_')}-${format}`);

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
  const onnxDir = exportDir(run, 'onnx');
  const tfjsDir = exportDir(run, 'tfjs');
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

test('--part all on a VAE with a flow posterior exports the decoder alone (it has no μ, log σ² encoder)', () => {
  const run = train('vae-iaf', '--hidden', '16', '--latent-dim', '2', '--posterior', 'iaf');
  const out = join(work, 'iaf-onnx');
  const r = vaekit('export', run, '--format', 'onnx', '--part', 'all', '-o', out);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(readdirSync(out).sort(), ['decoder.onnx', 'model-card.json']);
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
  // a link at -o, even a dangling one, is something that exists there: refused before any work
  symlinkSync(join(work, 'nowhere'), out);
  const linked = vaekit('export', 'runs/vae-mlp', '--format', 'onnx', '-o', out);
  assert.equal(linked.code, 2, linked.err);
  assert.match(linked.err, /exists/);
  unlinkSync(out);
  // an existing folder is never written into
  mkdirSync(out);
  const r = vaekit('export', 'runs/vae-mlp', '--format', 'onnx', '-o', out);
  assert.equal(r.code, 2);
  assert.match(r.err, /exists/);
  assert.deepEqual(readdirSync(out), []);
});

const repo = join(import.meta.dirname, '..', '..');
const python = process.env.VAEKIT_ONNX_PYTHON ?? join(repo, '.venv-onnx', 'bin', 'python');
const pythonHasOnnx =
  existsSync(python) &&
  spawnSync(python, ['-c', 'import onnxruntime, onnx'], { encoding: 'utf8' }).status === 0;

test("Python: onnx.checker accepts every file, and onnxruntime runs the README's example on the exports", {
  skip: pythonHasOnnx ? false : `no Python with onnxruntime and onnx at ${python} (.ci/run makes one)`,
}, () => {
  for (const run of ['runs/vae-mlp', 'runs/cvae-conv', 'runs/hvae', 'runs/gan']) {
    const dir = exportDir(run, 'onnx');
    const files = readdirSync(dir).filter((f) => f.endsWith('.onnx'));
    const checker =
      'import onnx, sys\nfor p in sys.argv[1:]: onnx.checker.check_model(onnx.load(p), full_check=True)';
    const checked = spawnSync(python, ['-c', checker, ...files], { encoding: 'utf8', cwd: dir });
    assert.equal(checked.status, 0, `${run}: ${checked.stderr}`);
    const out = join(work, `${run.replaceAll('/', '_')}-python`);
    const r = spawnSync(python, [join(repo, 'examples', 'python', 'sample_onnx.py'), dir, out], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `${run}: ${r.stderr}`);
    assert.match(r.stdout, /decoder: .* -> x \[16, 28, 28, 1\]/);
    const loaded = loadRun(join(work, run));
    const model = asExportable(loaded.model);
    assert.ok(model);
    const npy = (name: string) => {
      const a = decodeNpy(readFileSync(join(out, `${name}.npy`)), name);
      return tf.tensor(a.data as Float32Array, a.shape);
    };
    for (const part of loaded.model.capabilities.exports) {
      const graph = model.exportGraph(part);
      const feeds = Object.fromEntries(graph.inputs.map((p) => [p.name, npy(p.name)]));
      const want = model.exportReference(part, feeds);
      const got = Object.fromEntries(graph.outputs.map((p) => [p.name, npy(p.name)]));
      const err = maxRelativeError(got, want);
      assert.ok(err < 1e-5, `${run} ${part} in Python: max error ${err}`);
    }
    loaded.model.dispose();
  }
});

test('the example page draws samples from exported decoders in Chromium, with plain tfjs and with onnxruntime-web', async () => {
  const served = await serveFolder(repo, {
    '/exports/': work,
    '/node_modules/': realpathSync(join(repo, 'node_modules')),
  });
  const browser = await launchBrowser();
  try {
    // tfjs picks WebGL in Chromium (software-rendered here): its float32 sums differ a little from wasm's
    for (const [run, model, tolerance] of [
      ['runs/vae-conv', 'runs_vae-conv-tfjs/decoder/model.json', 1e-4],
      ['runs/cvae-conv', 'runs_cvae-conv-onnx/decoder.onnx', 1e-5],
      ['runs/hvae', 'runs_hvae-onnx/decoder.onnx', 1e-5],
    ] as const) {
      const url = `${served.url}examples/decoder-page/?model=/exports/${model}&n=9&seed=4`;
      const { page, errors } = await openPage(browser, url);
      await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 90_000 });
      const status = await page.textContent('#status');
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'done', `${model}: ${status}`);
      assert.deepEqual(errors, []);
      assert.match(status ?? '', /9 samples of .* run by (TensorFlow\.js|onnxruntime-web)/);
      type Drawn = {
        inputs: { name: string; dims: number[]; data: number[] }[];
        x: { dims: number[]; data: number[] };
      };
      const drawn = (await page.evaluate(() => (window as unknown as { samples: unknown }).samples)) as Drawn;
      const loaded = loadRun(join(work, run));
      const exportable = asExportable(loaded.model);
      assert.ok(exportable);
      const feeds = Object.fromEntries(drawn.inputs.map((i) => [i.name, tf.tensor(i.data, i.dims)]));
      const want = exportable.exportReference('decoder', feeds);
      const err = maxRelativeError({ x: tf.tensor(drawn.x.data, drawn.x.dims) }, want);
      assert.ok(err < tolerance, `${model}: the page's samples differ from the model's by ${err}`);
      const canvas = await pixels(page, 'samples');
      assert.ok(new Set(canvas.data).size > 10, `${model}: the canvas shows samples`);
      loaded.model.dispose();
      await page.close();
    }
  } finally {
    await browser.close();
    await served.close();
  }
});
