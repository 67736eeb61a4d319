/**
 * The written TensorFlow.js graph models in Debian's chromium (through playwright-core): a page that
 * loads plain tfjs from node_modules runs `tf.loadGraphModel` on each served model.json, executes it on
 * the inputs the test sends, and returns the outputs, which must match `runGraph` in Node. On the page's
 * 'cpu' backend the match is to 1e-5; on its default backend (WebGL where chromium offers it, else what
 * tfjs falls back to) to 1e-4, as GPU kernels round differently.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Browser, Page } from 'playwright-core';
import { Rng } from '../../src/core/random.js';
import type { GraphBuilder } from '../../src/export/graph.js';
import { runGraph } from '../../src/export/run-graph.js';
import { writeTfjsGraph } from '../../src/export/tfjs-graph.js';
import { useBackend } from '../helpers/backend.js';
import { type Served, serveFolder } from '../helpers/serve-folder.js';
import { CHROMIUM, launchBrowser } from '../web/browser-helpers.js';
import {
  convDecoder,
  convEncoder,
  mixedOps,
  mixtureMean,
  mlpDecoder,
  randomValues,
} from './sample-graphs.js';

const skip = existsSync(CHROMIUM)
  ? false
  : `needs Debian's chromium at ${CHROMIUM} (apt-get install chromium)`;

/** Plain tfjs from node_modules, and one function the test calls: load, execute, return the outputs. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<script src="/node_modules/@tensorflow/tfjs/dist/tf.min.js"></script>
<script>
window.runModel = async (url, backend, feeds, names) => {
  if (backend) await tf.setBackend(backend);
  await tf.ready();
  const model = await tf.loadGraphModel(url);
  const inputs = {};
  for (const [name, { shape, data }] of Object.entries(feeds)) inputs[name] = tf.tensor(data, shape);
  const got = model.execute(inputs, names);
  const outputs = {};
  for (const [i, t] of (Array.isArray(got) ? got : [got]).entries()) {
    outputs[names[i]] = { shape: t.shape, data: Array.from(await t.data()) };
  }
  return { backend: tf.getBackend(), outputs };
};
</script>`;

interface Sent {
  shape: number[];
  data: number[];
}

const GRAPHS: [string, () => GraphBuilder][] = [
  ['mlp', mlpDecoder],
  ['encoder', convEncoder],
  ['decoder', convDecoder],
  ['mixture', () => mixtureMean()],
  ['mixed', mixedOps],
];

let folder: string;
let served: Served;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  await useBackend('wasm');
  folder = mkdtempSync(join(tmpdir(), 'vk-tfjs-browser-'));
  writeFileSync(join(folder, 'index.html'), PAGE);
  for (const [name, make] of GRAPHS) {
    const { modelJson, weights } = writeTfjsGraph(make(), { producerVersion: '0.1.0', metadata: {} });
    mkdirSync(join(folder, name));
    writeFileSync(join(folder, name, 'model.json'), JSON.stringify(modelJson));
    writeFileSync(join(folder, name, 'weights.bin'), weights);
  }
  served = await serveFolder(folder, {
    '/node_modules/': realpathSync(join(import.meta.dirname, '../../node_modules')),
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(served.url);
});

after(async () => {
  await browser?.close();
  await served?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** Every graph at batch 1 and 5 in the page on `backend`, against runGraph in Node; the backend that ran. */
async function compareInPage(backend: string | null, tolerance: number): Promise<string> {
  const rng = new Rng(11);
  let ran = '';
  for (const [name, make] of GRAPHS) {
    const graph = make();
    const names = graph.outputs.map((o) => o.name);
    for (const batch of [1, 5]) {
      const feeds: Record<string, Sent> = {};
      for (const p of graph.inputs) {
        const shape = [batch, ...p.value.shape.slice(1)];
        feeds[p.name] = {
          shape,
          data: Array.from(
            randomValues(
              rng,
              shape.reduce((a, b) => a * b, 1),
              2,
            ),
          ),
        };
      }
      const result = await page.evaluate(
        ([url, b, f, n]) =>
          (
            window as unknown as {
              runModel(...a: unknown[]): Promise<{ backend: string; outputs: Record<string, Sent> }>;
            }
          ).runModel(url, b, f, n),
        [`${served.url}${name}/model.json`, backend, feeds, names] as const,
      );
      ran = result.backend;
      const expected = tf.tidy(() => {
        const inputs = Object.fromEntries(
          Object.entries(feeds).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]),
        );
        const out = runGraph(graph, inputs);
        return Object.fromEntries(
          names.map((k) => [k, { shape: out[k].shape, data: Array.from(out[k].dataSync()) }]),
        );
      });
      for (const k of names) {
        const got = result.outputs[k];
        assert.deepEqual(got.shape, expected[k].shape, `${name} ${k} (batch ${batch}): shape`);
        const worst = got.data.reduce((m, x, i) => Math.max(m, Math.abs(x - expected[k].data[i])), 0);
        assert.ok(
          worst <= tolerance,
          `${name} ${k} (batch ${batch}) on ${ran}: differs from runGraph by ${worst}`,
        );
      }
    }
  }
  return ran;
}

test("chromium's tfjs on its 'cpu' backend runs the written models as runGraph does, to 1e-5", {
  skip,
}, async () => {
  assert.equal(await compareInPage('cpu', 1e-5), 'cpu');
});

test("chromium's tfjs on its default backend runs them to 1e-4", { skip }, async (t) => {
  // a fresh page: tfjs picks its default backend only before any setBackend
  await page.goto(served.url);
  const ran = await compareInPage(null, 1e-4);
  t.diagnostic(`default backend in headless chromium: ${ran}`);
});
