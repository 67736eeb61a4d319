import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { imageSize } from '../../src/data/dataset.js';
import { findCheckpoint, loadCheckpoint } from '../../src/io/checkpoint.js';
import { loadRunData } from '../../src/run/data.js';
import { readRunConfig } from '../../src/run/run-dir.js';
import { type Explorer, startExplorer } from '../../src/web/server.js';
import { useBackend } from '../helpers/backend.js';
import { emptyRun, trainTinyRun } from './tiny-run.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path sent exactly as written (no client-side normalisation of `..`). */
function raw(base: string, path: string, opts: { method?: string; host?: string } = {}): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.host ? { host: opts.host } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let trained: string;
let fresh: string;
let explorer: Explorer;
let empty: Explorer;

before(async () => {
  await useBackend('wasm');
  trained = emptyRun();
  await trainTinyRun(trained);
  fresh = emptyRun();
  explorer = await startExplorer({ runDir: trained, port: 0, testImages: 50 });
  empty = await startExplorer({ runDir: fresh, port: 0 });
});

after(async () => {
  await explorer.close();
  await empty.close();
});

test('binds to loopback on a free port; the page and its assets come with safe headers', async () => {
  assert.match(explorer.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await raw(explorer.url, '/');
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  const csp = String(page.headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline|https?:/, 'nothing inline, nothing from elsewhere');
  assert.equal(page.headers['cache-control'], 'no-store');
  const html = page.body.toString();
  assert.doesNotMatch(html, /https?:\/\/(?!127)/, 'no CDN');
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script, 'the page loads its built script');
  const js = await raw(explorer.url, script);
  assert.equal(js.status, 200);
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.match(String(js.headers['cache-control']), /immutable/);
  // The wasm backend's binaries travel with the page.
  const wasm = /\/assets\/tfjs-backend-wasm-simd-[\w-]+\.wasm/.exec(js.body.toString())?.[0];
  assert.ok(wasm, 'the bundle points at a served wasm binary');
  const bin = await raw(explorer.url, wasm);
  assert.equal(bin.status, 200);
  assert.equal(bin.headers['content-type'], 'application/wasm');
  assert.deepEqual([...bin.body.subarray(0, 4)], [0, 0x61, 0x73, 0x6d], 'a WebAssembly module');
});

test('the API serves the run: config, metrics, the checkpoint weights and its own test images', async () => {
  const config = JSON.parse((await raw(explorer.url, '/api/config')).body.toString());
  assert.deepEqual(config, readRunConfig(trained));

  const metrics = await raw(explorer.url, '/api/metrics');
  assert.equal(metrics.headers['cache-control'], 'no-store');
  const lines = metrics.body
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].epoch, 1);
  const latent = (await raw(explorer.url, '/api/latent')).body.toString().trim().split('\n');
  assert.deepEqual(latent, readFileSync(join(trained, 'latent.jsonl'), 'utf8').trim().split('\n'));
  assert.equal(JSON.parse(latent[0]).klPerDim.length, 6);

  const specsAnswer = await raw(explorer.url, '/api/checkpoint/weights.json');
  const specs = JSON.parse(specsAnswer.body.toString());
  const ckDir = findCheckpoint(join(trained, 'checkpoints'), 'best')!;
  assert.equal(specs.checkpoint, ckDir.split('/').pop());
  assert.equal(specs.epoch, 1);
  const weights = await raw(explorer.url, '/api/checkpoint/weights.bin');
  assert.equal(weights.headers['x-vaekit-checkpoint'], specs.checkpoint);
  assert.equal(specsAnswer.headers['x-vaekit-checkpoint'], specs.checkpoint);
  assert.deepEqual(weights.body, readFileSync(join(ckDir, 'weights.bin')));
  // Decoded as the page decodes them, they are the checkpoint's weights.
  const buf = weights.body.buffer.slice(
    weights.body.byteOffset,
    weights.body.byteOffset + weights.body.length,
  );
  const decoded = tf.io.decodeWeights(buf, specs.weightSpecs);
  const loaded = loadCheckpoint(ckDir).weights;
  assert.deepEqual(Object.keys(decoded).sort(), [...loaded.keys()].sort());
  for (const [name, t] of loaded) assert.deepEqual(decoded[name].dataSync(), t.dataSync(), name);

  const meta = JSON.parse((await raw(explorer.url, '/api/test-images.json')).body.toString());
  const pixels = (await raw(explorer.url, '/api/test-images.bin')).body;
  const test = loadRunData(config.data, config.seed).split.test;
  assert.equal(meta.count, 50);
  assert.deepEqual(meta.shape, [28, 28, 1]);
  assert.deepEqual(meta.labels, Array.from(test.labels!.subarray(0, 50)));
  assert.equal(pixels.length, 50 * imageSize(test));
  for (let i = 0; i < pixels.length; i += 97) {
    assert.ok(Math.abs(pixels[i] / 255 - test.images[i]) <= 0.5 / 255, `pixel ${i}`);
  }
});

test('a checkpoint named by a link: served by name while the run has it, 404 naming it when it has not', async () => {
  const name = findCheckpoint(join(trained, 'checkpoints'), 'best')!.split('/').pop()!;
  assert.deepEqual(JSON.parse((await raw(explorer.url, '/api/checkpoints')).body.toString()), [name]);
  assert.deepEqual(JSON.parse((await raw(empty.url, '/api/checkpoints')).body.toString()), []);
  const specs = await raw(explorer.url, `/api/checkpoints/${name}/weights.json`);
  assert.equal(specs.status, 200);
  assert.equal(JSON.parse(specs.body.toString()).checkpoint, name);
  const weights = await raw(explorer.url, `/api/checkpoints/${name}/weights.bin`);
  assert.equal(weights.headers['x-vaekit-checkpoint'], name);
  assert.deepEqual(weights.body, readFileSync(join(trained, 'checkpoints', name, 'weights.bin')));
  const gone = await raw(explorer.url, '/api/checkpoints/step-000999999/weights.bin');
  assert.equal(gone.status, 404);
  assert.match(JSON.parse(gone.body.toString()).error, /this run has no checkpoint step-000999999/);
  assert.equal(
    (await raw(explorer.url, '/api/checkpoints/..%252f..%252fconfig.json/weights.json')).status,
    400,
  );
});

test('path traversal, encoded or not, and paths outside the routes get an error and no file', async () => {
  const secret = readFileSync(join(trained, 'config.json'), 'utf8').slice(0, 40);
  const attempts = [
    '/../config.json',
    '/assets/../../../package.json',
    '/%2e%2e/%2e%2e/package.json',
    '/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
    '/assets/..%2f..%2f..%2fpackage.json',
    '/assets/..%2F..%2Fweb%2Fserver.js',
    '/assets/%252e%252e%252f%252e%252e%252fpackage.json',
    '/assets/%25252e%25252e/package.json',
    '/assets/..%5c..%5cpackage.json',
    '/api/checkpoint/..%2f..%2fconfig.json',
    '/api/checkpoint/%2e%2e/%2e%2e/config.json',
    '/api/checkpoint/state.json',
    '/api/checkpoint/optimizer-model.bin',
    '/config.json',
    '/checkpoints/latest.json',
    '/metrics.jsonl',
    '/assets/%00',
    '/assets/%zz',
  ];
  for (const path of attempts) {
    const a = await raw(explorer.url, path);
    assert.ok(a.status === 400 || a.status === 404, `${path}: ${a.status}`);
    if (path.includes('..') || /%2e|%25/i.test(path)) assert.equal(a.status, 400, path);
    assert.equal(a.headers['content-type'], 'application/json; charset=utf-8', path);
    assert.ok(!a.body.toString().includes(secret), path);
    assert.ok(typeof JSON.parse(a.body.toString()).error === 'string', path);
  }
});

test('read-only: only GET and HEAD; HEAD sends the headers without the body', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    const a = await raw(explorer.url, '/api/config', { method });
    assert.equal(a.status, 405, method);
    assert.equal(a.headers.allow, 'GET, HEAD');
  }
  const head = await raw(explorer.url, '/api/checkpoint/weights.bin', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(
    Number(head.headers['content-length']),
    readFileSync(join(findCheckpoint(join(trained, 'checkpoints'), 'best')!, 'weights.bin')).length,
  );
});

test('another Host header (a DNS-rebinding page) is refused', async () => {
  assert.equal((await raw(explorer.url, '/api/config', { host: 'evil.example:80' })).status, 403);
  const port = new URL(explorer.url).port;
  assert.equal((await raw(explorer.url, '/api/config', { host: `localhost:${port}` })).status, 200);
});

test('a run without a checkpoint yet: the page loads, the checkpoint answers 404 with a clear error', async () => {
  assert.equal((await raw(empty.url, '/')).status, 200);
  assert.equal((await raw(empty.url, '/api/metrics')).body.length, 0);
  assert.equal((await raw(empty.url, '/api/latent')).body.length, 0);
  for (const path of ['/api/checkpoint/weights.json', '/api/checkpoint/weights.bin']) {
    const a = await raw(empty.url, path);
    assert.equal(a.status, 404);
    const body = JSON.parse(a.body.toString());
    assert.equal(body.error, 'no checkpoint yet');
    assert.match(body.hint, /training in progress/);
  }
});

test('startExplorer refuses a directory that is not a run, and a port in use', async () => {
  await assert.rejects(startExplorer({ runDir: join(fresh, 'nope'), port: 0 }), /config\.json/);
  const port = Number(new URL(explorer.url).port);
  await assert.rejects(startExplorer({ runDir: trained, port }), /EADDRINUSE/);
});
