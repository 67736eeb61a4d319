import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { InputError } from '../../src/core/errors.js';
import { encodeIdx, type IdxArray, type IdxData, readIdx, writeIdx } from '../../src/data/idx.js';

const dir = mkdtempSync(join(tmpdir(), 'vaekit-idx-'));

const samples: Record<string, IdxData> = {
  ubyte: Uint8Array.from([0, 1, 127, 128, 255, 42]),
  byte: Int8Array.from([-128, -1, 0, 1, 127, 5]),
  short: Int16Array.from([-32768, -1, 0, 1, 32767, 300]),
  int: Int32Array.from([-2147483648, -1, 0, 1, 2147483647, 70000]),
  float: Float32Array.from([-1.5, 0, 0.25, 1e-20, 3.5e38, Math.fround(0.1)]),
  double: Float64Array.from([-1.5, 0, 0.1, 1e-300, 1.7e308, Math.PI]),
};

for (const [name, data] of Object.entries(samples)) {
  for (const gzip of [false, true]) {
    test(`IDX round trip: ${name}${gzip ? ' (gzip)' : ''}`, () => {
      const path = join(dir, `${name}-${gzip}.idx`);
      const arr: IdxArray = { dims: [2, 3], data };
      writeIdx(path, arr, { gzip });
      const back = readIdx(path);
      assert.deepEqual(back.dims, [2, 3]);
      assert.equal(back.data.constructor, data.constructor);
      assert.deepEqual(Array.from(back.data), Array.from(data));
    });
  }
}

/** Write bytes to a fresh file and assert reading it throws an InputError naming the file and `part`. */
function assertRejects(bytes: Uint8Array, part: RegExp): void {
  const path = join(dir, `bad-${Math.random().toString(36).slice(2)}.idx`);
  writeFileSync(path, bytes);
  assert.throws(
    () => readIdx(path),
    (e: unknown) => e instanceof InputError && e.details.where.startsWith(path) && part.test(e.details.where),
  );
}

const valid = encodeIdx({ dims: [3, 4], data: new Uint8Array(12).fill(7) });

test('IDX reader rejects a truncated file', () => {
  assertRejects(valid.subarray(0, valid.length - 1), /file length/);
  assertRejects(valid.subarray(0, 6), /header/);
});

test('IDX reader rejects a file with extra bytes', () => {
  assertRejects(Buffer.concat([valid, Buffer.from([0])]), /file length/);
});

test('IDX reader rejects a wrong magic', () => {
  const bad = Buffer.from(valid);
  bad[1] = 0x08;
  assertRejects(bad, /header byte 1/);
});

test('IDX reader rejects a bad dtype code', () => {
  const bad = Buffer.from(valid);
  bad[2] = 0x0a;
  assertRejects(bad, /header byte 2 \(data type\)/);
});

test('IDX reader rejects a zero dimension', () => {
  const bad = Buffer.from(valid);
  bad.writeUInt32BE(0, 4);
  assertRejects(bad, /dimension 0/);
});

test('IDX reader rejects a truncated gzip stream', () => {
  const gz = gzipSync(encodeIdx({ dims: [100, 10], data: new Uint8Array(1000).map((_, i) => i) }));
  assertRejects(gz.subarray(0, gz.length - 10), /gzip/);
});

test('IDX reader detects gzip by magic, not by extension', () => {
  const path = join(dir, 'plain-name.idx');
  writeFileSync(path, gzipSync(valid));
  assert.deepEqual(readIdx(path).dims, [3, 4]);
});

test('IDX reader names a missing file', () => {
  assert.throws(
    () => readIdx(join(dir, 'missing')),
    (e: unknown) => e instanceof InputError && /missing/.test(e.message),
  );
});
