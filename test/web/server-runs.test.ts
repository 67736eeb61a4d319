/**
 * The explorer's routes for live steps, status and compared runs: /api/status (always 200), /api/steps,
 * /api/runs and /api/run/<k>/…, k an index and nothing else.
 */
import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConfinedDir } from '../../src/web/confined.js';
import { type ExplorerStatus, type RunEntry, runApi } from '../../src/web/protocol.js';
import { resolveRoute } from '../../src/web/routes.js';
import { stepsText } from '../../src/web/run-files.js';
import { type Explorer, startExplorer } from '../../src/web/server.js';
import { useBackend } from '../helpers/backend.js';
import { emptyRun, trainTinyRun } from './tiny-run.js';

/** A GET with the path sent exactly as written. */
function get(base: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

let trained: string;
let fresh: string;
let both: Explorer;

before(async () => {
  await useBackend('wasm');
  trained = emptyRun();
  await trainTinyRun(trained);
  fresh = emptyRun();
  both = await startExplorer({ runDirs: [trained, fresh], port: 0, testImages: 20 });
});

after(async () => {
  await both?.close();
});

test('run routes resolve by index only; the plain paths are the first run', () => {
  const none = () => false;
  const resolve = (url: string, runs = 3) => resolveRoute(url, none, runs);
  assert.deepEqual(resolve('/api/status'), { ok: true, route: { kind: 'status' } });
  assert.deepEqual(resolve('/api/steps'), { ok: true, route: { kind: 'steps' } });
  assert.deepEqual(resolve('/api/runs'), { ok: true, route: { kind: 'runs' } });
  assert.deepEqual(resolve('/api/run/2/steps'), { ok: true, route: { kind: 'steps', run: 2 } });
  assert.deepEqual(resolve('/api/run/0/checkpoint/weights.bin'), {
    ok: true,
    route: { kind: 'checkpoint-weights', run: 0 },
  });
  for (const url of [
    '/api/run/3/config', // only 3 runs
    '/api/run/01/config',
    '/api/run/-1/config',
    '/api/run/1e0/config',
    '/api/run/1/checkpoint/state.json',
    '/api/run/1/test-images.bin', // the test images are the main run's only
    '/api/run/1/runs',
    '/api/run/1',
    '/api/run//config',
    '/api/run/1000/config',
  ]) {
    const r = resolve(url);
    assert.equal(r.ok, false, url);
    assert.equal(!r.ok && r.status, 404, url);
  }
  for (const url of [
    '/api/run/1/../0/config',
    '/api/run/%2e%2e/config',
    '/api/run/1%2fconfig',
    '/api/run/%252e%252e/x',
  ]) {
    const r = resolve(url);
    assert.equal(!r.ok && r.status, 400, url);
  }
  assert.equal(resolveRoute('/api/run/1/config', none).ok, false, 'one run by default');
});

test('/api/runs lists the runs; /api/run/<k>/… serves run k; a bad k is 404, a traversal 400', async () => {
  const runs = JSON.parse((await get(both.url, '/api/runs')).body) as RunEntry[];
  // both tiny runs are folders named "run": two runs of the same name are told apart by their paths
  assert.equal(basename(trained), basename(fresh));
  assert.deepEqual(runs, [
    { index: 0, name: trained },
    { index: 1, name: fresh },
  ]);
  const main = JSON.parse((await get(both.url, '/api/status')).body) as ExplorerStatus;
  assert.match(main.checkpoint ?? '', /^step-\d{9}$/);
  assert.equal(main.epoch, 1);
  assert.equal(main.step, 90);
  assert.equal(main.hint, null);
  assert.deepEqual(JSON.parse((await get(both.url, runApi(0).status)).body), main);
  const second = await get(both.url, runApi(1).status);
  assert.equal(second.status, 200, 'no checkpoint yet is not an error');
  assert.deepEqual(JSON.parse(second.body), {
    checkpoint: null,
    epoch: null,
    step: null,
    hint: 'a checkpoint is written at the end of each epoch',
  });
  // the old checkpoint routes still load weights, and still say 404 when there are none
  assert.equal((await get(both.url, runApi(0).checkpointSpecs)).status, 200);
  assert.equal((await get(both.url, runApi(1).checkpointSpecs)).status, 404);
  assert.equal((await get(both.url, '/api/checkpoint/weights.json')).status, 200);
  // each run's own steps
  const steps = (await get(both.url, '/api/steps')).body
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(steps.length >= 1);
  assert.equal(steps.at(-1).step, 90, 'the epoch-end line');
  assert.equal((await get(both.url, runApi(1).steps)).body, '');
  assert.equal((await get(both.url, runApi(1).metrics)).body, '');
  assert.equal(JSON.parse((await get(both.url, runApi(1).config)).body).seed, 3);
  for (const path of ['/api/run/2/status', '/api/run/2/config', '/api/run/00/steps']) {
    assert.equal((await get(both.url, path)).status, 404, path);
  }
  for (const path of [
    '/api/run/1/../../config.json',
    '/api/run/%2e%2e/1/config',
    '/api/run/1/..%2f..%2fconfig.json',
  ]) {
    assert.equal((await get(both.url, path)).status, 400, path);
  }
});

test('serving several runs: a directory that is not a run is named; the same run twice is refused', async () => {
  const nope = join(fresh, 'nope');
  await assert.rejects(startExplorer({ runDirs: [trained, nope], port: 0 }), (e: Error) =>
    e.message.includes(nope),
  );
  await assert.rejects(startExplorer({ runDirs: [trained, trained], port: 0 }), /each run directory once/);
  const alias = join(mkdtempSync(join(tmpdir(), 'vk-alias-')), 'link');
  symlinkSync(trained, alias);
  await assert.rejects(
    startExplorer({ runDirs: [trained, alias], port: 0 }),
    (e: Error) => e.message.includes(alias) && /the same directory as/.test(e.message),
  );
  await assert.rejects(startExplorer({ runDirs: [], port: 0 }), /one or more run directories/);
});

test('a long steps.jsonl is thinned evenly for the page, its last line kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-steps-'));
  const lines = Array.from({ length: 25 }, (_, i) => JSON.stringify({ step: i + 1, train: {} }));
  writeFileSync(join(dir, 'steps.jsonl'), `${lines.join('\n')}\n`);
  const files = new ConfinedDir(dir, 'the run directory');
  const thin = stepsText(files, 10)
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).step);
  assert.deepEqual(thin, [1, 4, 7, 10, 13, 16, 19, 22, 25]);
  assert.equal(stepsText(files, 100), `${lines.join('\n')}\n`, 'a short log is sent as written');
});

test('steps.jsonl is read as it grows: appended lines, a torn line completed later, a rewritten file read anew', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-steps-'));
  const path = join(dir, 'steps.jsonl');
  const line = (step: number) => JSON.stringify({ step, train: { loss: step / 3 } });
  writeFileSync(path, `${line(1)}\n${line(2)}\n{"step":3,"tr`);
  const files = new ConfinedDir(dir, 'the run directory');
  assert.equal(stepsText(files), `${line(1)}\n${line(2)}\n{"step":3,"tr`, 'the torn line as it is');
  appendFileSync(path, `ain":{"loss":1}}\n${line(4)}\n`);
  assert.equal(stepsText(files), `${line(1)}\n${line(2)}\n{"step":3,"train":{"loss":1}}\n${line(4)}\n`);
  assert.equal(
    stepsText(files),
    `${line(1)}\n${line(2)}\n{"step":3,"train":{"loss":1}}\n${line(4)}\n`,
    'unchanged',
  );
  // a resume rewrites the file (a new one renamed over it): what was read before is dropped
  writeFileSync(`${path}.tmp`, `${line(1)}\n`);
  renameSync(`${path}.tmp`, path);
  assert.equal(stepsText(files), `${line(1)}\n`);
  // a file cut shorter in place is read whole again
  appendFileSync(path, `${line(2)}\n${line(3)}\n`);
  assert.equal(stepsText(files).split('\n').length - 1, 3);
  truncateSync(path, line(1).length + 1);
  assert.equal(stepsText(files), `${line(1)}\n`);
  // a multi-byte character split between two reads survives
  const accent = Buffer.from('é'); // two bytes: the first read ends between them
  appendFileSync(path, Buffer.concat([Buffer.from('{"step":2,"train":{},"note":"'), accent.subarray(0, 1)]));
  stepsText(files);
  appendFileSync(path, Buffer.concat([accent.subarray(1), Buffer.from('"}\n')]));
  assert.match(stepsText(files), /"note":"é"/);
  rmSync(path);
  assert.equal(stepsText(files), '', 'gone: empty, as before the first step');
});

test('a steps.jsonl linked out of the run is refused (403), for the main run and a compared one', async () => {
  const [a, b] = [emptyRun(), emptyRun()];
  const outside = join(mkdtempSync(join(tmpdir(), 'vk-outside-')), 'secret.jsonl');
  writeFileSync(outside, '{"step":1,"train":{}}\n');
  symlinkSync(outside, join(a, 'steps.jsonl'));
  symlinkSync(outside, join(b, 'steps.jsonl'));
  const explorer = await startExplorer({ runDirs: [a, b], port: 0, testImages: 20 });
  try {
    for (const path of ['/api/steps', runApi(1).steps]) {
      const r = await get(explorer.url, path);
      assert.equal(r.status, 403, path);
      assert.doesNotMatch(r.body, /"step":1/);
    }
  } finally {
    await explorer.close();
  }
});
