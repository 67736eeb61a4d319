import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveRoute } from '../../src/web/routes.js';

const built = new Set(['index-Ab12.js', 'index-Cd34.css', 'tfjs-backend-wasm-Ef56.wasm']);
const resolve = (url: string) => resolveRoute(url, (name) => built.has(name));

test('the fixed routes and built assets resolve; query strings are ignored', () => {
  assert.deepEqual(resolve('/'), { ok: true, route: { kind: 'page' } });
  assert.deepEqual(resolve('/index.html?seed=3'), { ok: true, route: { kind: 'page' } });
  assert.deepEqual(resolve('/api/config'), { ok: true, route: { kind: 'config' } });
  assert.deepEqual(resolve('/api/metrics'), { ok: true, route: { kind: 'metrics' } });
  assert.deepEqual(resolve('/api/latent'), { ok: true, route: { kind: 'latent' } });
  assert.deepEqual(resolve('/api/checkpoint/weights.json'), {
    ok: true,
    route: { kind: 'checkpoint-specs' },
  });
  assert.deepEqual(resolve('/api/checkpoint/weights.bin'), {
    ok: true,
    route: { kind: 'checkpoint-weights' },
  });
  assert.deepEqual(resolve('/api/test-images.bin'), { ok: true, route: { kind: 'test-images-pixels' } });
  assert.deepEqual(resolve('/assets/index-Ab12.js'), {
    ok: true,
    route: { kind: 'asset', name: 'index-Ab12.js' },
  });
  // Percent-encoded letters name the same route.
  assert.deepEqual(resolve('/api/%63onfig'), { ok: true, route: { kind: 'config' } });
});

test('anything outside the table is not found', () => {
  for (const url of [
    '/config.json',
    '/metrics.jsonl',
    '/checkpoints/latest.json',
    '/api/checkpoint/state.json',
    '/api/checkpoint/optimizer-model.bin',
    '/assets/',
    '/assets/missing.js',
    '/assets/sub/index-Ab12.js',
    '//api/config',
    '/api/config/',
    '/favicon.ico',
  ]) {
    const r = resolve(url);
    assert.equal(r.ok, false, url);
    assert.equal(!r.ok && r.status, 404, url);
  }
});

test('.. in any spelling, encoded separators and bad escapes are refused with 400', () => {
  for (const url of [
    '/../package.json',
    '/assets/../../package.json',
    '/assets/..',
    '/%2e%2e/package.json',
    '/%2E%2E/%2E%2E/etc/passwd',
    '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
    '/assets/..%2f..%2fpackage.json',
    '/assets/..%2F..%2Fconfig.json',
    '/assets/..%5c..%5cpackage.json',
    '/assets/..\\..\\package.json',
    '/assets/%252e%252e%252fpackage.json',
    '/assets/%25252e%25252e/package.json',
    '/%252e%252e/%252e%252e/etc/passwd',
    '/api/checkpoint/..%2fstate.json',
    '/api%2fconfig',
    '/api%252fconfig',
    '/assets/%00index-Ab12.js',
    '/assets/%zz',
    '/assets/%E0%A4%A',
    'api/config',
    '*',
  ]) {
    const r = resolve(url);
    assert.equal(r.ok, false, url);
    assert.equal(!r.ok && r.status, 400, url);
  }
});

test('three layers of percent-encoding are decoded, a fourth is refused', () => {
  // '%25' is an encoded '%': '%252563' → '%2563' → '%63' → 'c'.
  assert.deepEqual(resolve('/api/%252563onfig'), { ok: true, route: { kind: 'config' } });
  const r = resolve('/api/%25252563onfig');
  assert.equal(!r.ok && r.status, 400);
});

test('a named checkpoint of the first run resolves by its folder name; anything else in that place does not', () => {
  assert.deepEqual(resolve('/api/checkpoints/step-000000090/weights.json'), {
    ok: true,
    route: { kind: 'checkpoint-specs', checkpoint: 'step-000000090' },
  });
  assert.deepEqual(resolve('/api/checkpoints/step-000000090/weights.bin'), {
    ok: true,
    route: { kind: 'checkpoint-weights', checkpoint: 'step-000000090' },
  });
  for (const url of [
    '/api/checkpoints/step-1/state.json',
    '/api/checkpoints/step-1/optimizer-model.bin',
    '/api/checkpoints/latest.json',
    '/api/checkpoints/a/b/weights.json',
    '/api/checkpoints/.hidden/weights.json',
    '/api/checkpoints//weights.json',
  ]) {
    assert.equal(resolve(url).ok, false, url);
  }
  for (const url of [
    '/api/checkpoints/../weights.json',
    '/api/checkpoints/%2e%2e/weights.bin',
    '/api/checkpoints/a%2fb/weights.bin',
  ]) {
    assert.equal((resolve(url) as { status: number }).status, 400, url);
  }
});
