/**
 * docs/api/ is generated from the library's doc comments by `npm run docs` (TypeDoc, typedoc.json):
 * it must be what the script writes today, so a change to the public API that forgets it fails here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const REPO = resolve(import.meta.dirname, '../..');

test('docs/api is what `npm run docs` generates from the current sources, with no warning', () => {
  const out = mkdtempSync(join(tmpdir(), 'vk-api-'));
  const r = spawnSync(join(REPO, 'node_modules/.bin/typedoc'), ['--out', out], {
    cwd: REPO,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.doesNotMatch(
    r.stdout + r.stderr,
    /warning/,
    'an exported function refers to a type the API does not export',
  );
  const files = readdirSync(out).sort();
  assert.deepEqual(readdirSync(join(REPO, 'docs/api')).sort(), files);
  for (const f of files) {
    assert.ok(
      readFileSync(join(out, f), 'utf8') === readFileSync(join(REPO, 'docs/api', f), 'utf8'),
      `docs/api/${f} is stale: run npm run docs`,
    );
  }
});
