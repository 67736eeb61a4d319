import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { appendLine, writeFileAtomic, writeJsonAtomic } from '../../src/io/atomic.js';

test('writeFileAtomic replaces the file and leaves no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vaekit-atomic-'));
  const path = join(dir, 'a.bin');
  writeFileAtomic(path, 'old');
  writeFileAtomic(path, Uint8Array.from([1, 2, 3]));
  assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
  assert.deepEqual(readdirSync(dir), ['a.bin']);
});

test('writeFileAtomic into a missing directory throws and writes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vaekit-atomic-'));
  assert.throws(() => writeFileAtomic(join(dir, 'no', 'x'), 'x'), /ENOENT/);
  assert.deepEqual(readdirSync(dir), []);
});

test('writeJsonAtomic writes parseable JSON', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'vaekit-atomic-')), 'c.json');
  writeJsonAtomic(path, { a: [1, 2], b: 'x' });
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { a: [1, 2], b: 'x' });
});

test('appendLine appends one line per call', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'vaekit-atomic-')), 'm.jsonl');
  appendLine(path, '{"step":1}');
  appendLine(path, '{"step":2}', { fsync: true });
  assert.equal(readFileSync(path, 'utf8'), '{"step":1}\n{"step":2}\n');
});
