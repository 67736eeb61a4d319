/**
 * Issue #13, class 10: seed 0 — the default — is a seed. tfjs reads a seed of 0 as "no seed"
 * (`seed ? seed : Math.random()` in randomNormal), so `vaekit sample --seed 0` drew other images on every
 * call, the epoch grids of a run (samples/epoch-NNN.png) did not show the same z each epoch, the
 * explorer's samples changed on every redraw, and `Rng.seed()` could hand out a 0 of its own.
 *
 * The mechanism: every tfjs random call in src/ takes its seed through `tfSeed` (checked here on the
 * syntax tree of every source file, so a new call site cannot forget it), and the behaviour seen by users
 * is checked for every model kind, for `vaekit sample`, for a run's epoch grids and in the explorer.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import ts from 'typescript';
import { TF_SEED_FOR_ZERO, tfSeed } from '../../src/core/random.js';
import { DiagGaussian } from '../../src/distributions/index.js';
import { mutualInformation } from '../../src/eval/latent.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { buildModel, MODEL_KINDS, modelConfigSchema } from '../../src/models/registry.js';
import type { ImageShape } from '../../src/nn/networks.js';
import { writeSampleGrid } from '../../src/run/pictures.js';
import { readRunConfig, runPaths } from '../../src/run/run-dir.js';
import { trainRun } from '../../src/run/train-run.js';
import { startExplorer } from '../../src/web/server.js';
import { useBackend } from '../helpers/backend.js';
import { launchBrowser } from '../web/browser-helpers.js';
import { tinyRunConfig } from '../web/tiny-run.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');
const BIN = join(ROOT, 'bin', 'vaekit.js');

before(() => useBackend('wasm'));

test('tfSeed: 0 becomes a real seed, every other seed stays itself', () => {
  assert.equal(tfSeed(0), TF_SEED_FOR_ZERO);
  assert.ok(tfSeed(0), 'tfjs must not read it as "no seed"');
  assert.ok(!Number.isInteger(tfSeed(0)), 'no integer seed can draw the same numbers');
  for (const s of [1, 3, 42, 2147483646, 1e12]) assert.equal(tfSeed(s), s);
  assert.throws(() => tfSeed(Number.NaN), RangeError);
  const draw = () => tf.tidy(() => Array.from(tf.randomNormal([64], 0, 1, 'float32', tfSeed(0)).dataSync()));
  assert.deepEqual(draw(), draw());
});

// --- every tfjs random call in src/ goes through tfSeed -------------------------------------------------

/** tfjs random ops and the index of their seed argument. */
const SEED_ARGUMENT: Record<string, number> = {
  randomNormal: 4,
  randomUniform: 4,
  truncatedNormal: 4,
  randomGamma: 4,
  randomStandardNormal: 2,
  randomUniformInt: 3,
  multinomial: 2,
  dropout: 3,
};
/** tfjs initializers that draw random numbers (their config has a `seed`). */
const RANDOM_INITIALIZERS = new Set([
  'randomNormal',
  'randomUniform',
  'truncatedNormal',
  'glorotNormal',
  'glorotUniform',
  'heNormal',
  'heUniform',
  'leCunNormal',
  'leCunUniform',
  'varianceScaling',
  'orthogonal',
]);
/** Layers whose default kernel initializer is an unseeded glorotUniform. */
const WEIGHT_LAYERS = new Set([
  'dense',
  'conv1d',
  'conv2d',
  'conv3d',
  'conv2dTranspose',
  'conv3dTranspose',
  'depthwiseConv2d',
  'separableConv2d',
  'embedding',
  'simpleRNN',
  'lstm',
  'gru',
]);
/** Layers that draw noise with no seed to give them. */
const UNSEEDABLE_LAYERS = new Set(['gaussianNoise', 'gaussianDropout', 'alphaDropout']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const isTfSeedCall = (e: ts.Expression | undefined): boolean =>
  !!e && ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'tfSeed';

/** `a.b.c` → ['a', 'b', 'c'] (empty for anything else). */
function calleePath(e: ts.Expression): string[] {
  if (ts.isIdentifier(e)) return [e.text];
  if (ts.isPropertyAccessExpression(e)) {
    const head = calleePath(e.expression);
    return head.length ? [...head, e.name.text] : [];
  }
  return [];
}

function property(o: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralElementLike | undefined {
  return o.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === name);
}

/** Every place in `file` where randomness reaches tfjs without a seed from tfSeed. */
function unseededDraws(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (n: ts.Node, what: string) => {
    const { line } = sf.getLineAndCharacterOfPosition(n.getStart());
    found.push(`${relative(ROOT, file)}:${line + 1}: ${what}`);
  };
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n)) {
      const path = calleePath(n.expression);
      const name = path.at(-1) ?? '';
      const owner = path.at(-2);
      const config = n.arguments[0] && ts.isObjectLiteralExpression(n.arguments[0]) ? n.arguments[0] : null;
      if (owner === 'initializers' && RANDOM_INITIALIZERS.has(name)) {
        const seed = config && property(config, 'seed');
        if (!seed || !ts.isPropertyAssignment(seed) || !isTfSeedCall(seed.initializer))
          at(n, `initializers.${name} without seed: tfSeed(…)`);
      } else if (owner === 'layers' && UNSEEDABLE_LAYERS.has(name)) {
        at(n, `layers.${name} draws noise that cannot be seeded`);
      } else if (owner === 'layers' && name === 'dropout') {
        const seed = config && property(config, 'seed');
        if (!seed || !ts.isPropertyAssignment(seed) || !isTfSeedCall(seed.initializer))
          at(n, 'layers.dropout without seed: tfSeed(…)');
      } else if (owner === 'layers' && WEIGHT_LAYERS.has(name) && config) {
        if (!property(config, 'kernelInitializer')) at(n, `layers.${name} with tfjs's unseeded initializer`);
      } else if (Object.hasOwn(SEED_ARGUMENT, name) && owner !== 'initializers' && owner !== 'layers') {
        // tf.randomNormal(…), a named import, or a method of a tfjs namespace
        if (!isTfSeedCall(n.arguments[SEED_ARGUMENT[name]]))
          at(n, `${name}(…) without tfSeed(…) as its seed`);
      }
    }
    // an initializer named by a string is tfjs's own, unseeded
    if (
      ts.isPropertyAssignment(n) &&
      ts.isIdentifier(n.name) &&
      /Initializer$/.test(n.name.text) &&
      ts.isStringLiteral(n.initializer) &&
      RANDOM_INITIALIZERS.has(n.initializer.text)
    ) {
      at(n, `${n.name.text}: '${n.initializer.text}' is unseeded`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

test('every tfjs random draw in src/ takes its seed through tfSeed', () => {
  const files = sourceFiles(SRC);
  assert.ok(files.length > 50);
  assert.deepEqual(files.flatMap(unseededDraws), []);
});

test('the source check catches an unmapped seed, a missing one and an unseeded layer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-seedscan-'));
  const file = join(dir, 'bad.ts');
  const write = (code: string) => {
    writeFileSync(file, code);
    return unseededDraws(file);
  };
  assert.equal(write("tf.randomNormal([2], 0, 1, 'float32', seed);").length, 1);
  assert.equal(write('tf.randomNormal([2]);').length, 1);
  assert.equal(write('tf.initializers.glorotUniform({});').length, 1);
  assert.equal(write('tf.layers.dense({ units: 3 });').length, 1);
  assert.equal(write("tf.layers.dense({ units: 3, kernelInitializer: 'heNormal' });").length, 1);
  assert.equal(write("tf.randomNormal([2], 0, 1, 'float32', tfSeed(seed));").length, 0);
});

// --- the behaviour users see ------------------------------------------------------------------------------

const data = { inputShape: [28, 28, 1] as ImageShape, classes: 10 };

for (const kind of MODEL_KINDS) {
  test(`${kind.type}: seed 0 builds, samples and evaluates the same every time`, () => {
    const config = modelConfigSchema.parse({ type: kind.type });
    const labels = kind.capabilities.conditional ? new Int32Array([1, 2, 3, 4]) : undefined;
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 5).round() as tf.Tensor4D;
    const batch = { x, labels: tf.tensor1d([1, 2, 3, 4], 'int32') };
    const runOnce = () => {
      const m = buildModel(config, data, 0);
      const images = tf.tidy(() => Array.from(m.sample(4, 0, { labels }).dataSync()));
      const metrics = m.evalBatch(batch, 0);
      m.dispose();
      return { images, metrics };
    };
    const a = runOnce();
    const b = runOnce();
    assert.deepEqual(a.images, b.images, 'sample(n, seed 0) drew different images');
    assert.deepEqual(a.metrics, b.metrics, 'evalBatch(batch, seed 0) drew different noise');
    tf.dispose([x, batch.labels]);
  });
}

test('a Gaussian sample and the mutual information with seed 0 are the same every time', () => {
  const mean = tf.tensor2d([
    [0, 1],
    [2, 3],
    [1, 1],
  ]);
  const logVar = tf.zeros([3, 2]);
  const q = new DiagGaussian(mean, logVar);
  const draw = () => tf.tidy(() => Array.from(q.sample(0).dataSync()));
  assert.deepEqual(draw(), draw());
  const p = {
    count: 3,
    latentDim: 2,
    mean: new Float32Array([0, 1, 2, 3, 1, 1]),
    logVar: new Float32Array(6),
  };
  assert.equal(mutualInformation(p, 0), mutualInformation(p, 0));
  tf.dispose([mean, logVar]);
});

let runDir: string;

/** A two-epoch run with seed 0 (the default), trained once for the tests below. */
async function seedZeroRun(): Promise<string> {
  if (runDir) return runDir;
  const dir = join(mkdtempSync(join(tmpdir(), 'vk-seed0-')), 'run');
  const base = tinyRunConfig();
  await trainRun({ dir, config: { ...base, seed: 0, train: { ...base.train, epochs: 2 } } });
  runDir = dir;
  return dir;
}

test("a run's epoch grids show the same z each epoch: each is that epoch's weights sampled with the run's seed", async () => {
  const dir = await seedZeroRun();
  const config = readRunConfig(dir);
  assert.equal(config.seed, 0);
  const ckRoot = runPaths(dir).checkpoints;
  const checkpoints = readdirSync(ckRoot).filter((n) => n.startsWith('step-'));
  assert.equal(checkpoints.length, 2, 'one checkpoint per epoch');
  const out = mkdtempSync(join(tmpdir(), 'vk-seed0-grid-'));
  for (const name of checkpoints) {
    const ck = loadCheckpoint<{ epoch: number }>(join(ckRoot, name));
    const model = buildModel(
      config.model,
      { inputShape: config.inputShape as ImageShape, classes: config.classes },
      0,
    );
    model.setWeights(ck.weights);
    const epoch = String(ck.state.epoch).padStart(3, '0');
    const mine = join(out, `epoch-${epoch}.png`);
    writeSampleGrid(model, mine, { seed: config.seed });
    const grid = readFileSync(join(runPaths(dir).samples, `epoch-${epoch}.png`));
    assert.ok(grid.equals(readFileSync(mine)), `samples/epoch-${epoch}.png is not the seed-0 sample`);
    model.dispose();
  }
});

test('`vaekit sample --seed 0` twice writes the same PNG bytes', async () => {
  const dir = await seedZeroRun();
  const out = mkdtempSync(join(tmpdir(), 'vk-seed0-cli-'));
  const sample = (file: string) => {
    const r = spawnSync(
      process.execPath,
      [BIN, 'sample', dir, '--seed', '0', '-n', '16', '-o', join(out, file)],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(join(out, file));
  };
  assert.ok(sample('a.png').equals(sample('b.png')));
  // and the default seed is 0: no --seed at all gives the same grid
  const r = spawnSync(process.execPath, [BIN, 'sample', dir, '-n', '16', '-o', join(out, 'c.png')], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(readFileSync(join(out, 'c.png')).equals(readFileSync(join(out, 'a.png'))));
});

test("the explorer's prior samples with seed 0 are the same across reloads and redraws", async (t) => {
  const dir = await seedZeroRun();
  const explorer = await startExplorer({ runDir: dir, port: 0, testImages: 100 });
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await explorer.close();
  });
  /** A digest of the samples canvas's pixels (and that it is not blank). */
  const canvas = async (page: Page) => {
    const { base64, distinct } = await page.evaluate(() => {
      const c = document.getElementById('samples-canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let bytes = '';
      for (let i = 0; i < d.length; i += 0x8000) bytes += String.fromCharCode(...d.subarray(i, i + 0x8000));
      return { base64: btoa(bytes), distinct: new Set(d).size };
    });
    assert.ok(distinct > 10, 'the samples are drawn');
    return createHash('sha256').update(base64).digest('hex');
  };
  const load = async () => {
    const page = await browser.newPage();
    await page.goto(`${explorer.url}?backend=wasm`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 90_000 });
    assert.equal(await page.inputValue('#samples-seed'), '0');
    return page;
  };
  const first = await load();
  const shown = await canvas(first);
  // a redraw at the same temperature (one step down and back up) draws the same z
  const temperature = first.locator('#samples-temperature');
  await temperature.focus();
  await first.keyboard.press('ArrowLeft');
  await first.keyboard.press('ArrowRight');
  assert.equal(await canvas(first), shown, 'a redraw with seed 0 changed the samples');
  await first.close();
  const second = await load();
  assert.equal(await canvas(second), shown, 'a reload with seed 0 changed the samples');
  await second.close();
});
