import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { decodeNpy, encodeNpy, type NpyData, readNpy, writeNpy } from '../../src/io/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'vaekit-npy-'));

const cases: [string, NpyData, number[]][] = [
  ['float32', Float32Array.from([0.5, -1.25, 3e38, 0, 1, 2]), [2, 3]],
  ['int32', Int32Array.from([-2147483648, 2147483647, 0, 7]), [4]],
  ['uint8', Uint8Array.from([0, 255, 1, 2, 3, 4, 5, 6]), [2, 2, 2]],
  ['scalar', Float32Array.from([42]), []],
];

for (const [name, data, shape] of cases) {
  test(`NPY round trip: ${name}`, () => {
    const path = join(dir, `${name}.npy`);
    writeNpy(path, { shape, data });
    const bytes = readFileSync(path);
    const headerEnd = 10 + bytes.readUInt16LE(8);
    assert.equal(headerEnd % 64, 0);
    assert.equal(bytes[headerEnd - 1], 0x0a);
    const back = readNpy(path);
    assert.deepEqual(back.shape, shape);
    assert.equal(back.data.constructor, data.constructor);
    assert.deepEqual(Array.from(back.data), Array.from(data));
  });
}

test('NPY header matches what numpy writes', () => {
  const bytes = encodeNpy({ shape: [3], data: new Float32Array(3) });
  const header = bytes.toString('latin1', 10, 10 + bytes.readUInt16LE(8));
  assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3,\), \} +\n$/);
});

/** Apply `edit` to the header text of a valid file and assert decoding fails at `part`. */
function assertBadHeader(edit: (h: string) => string, part: RegExp): void {
  const good = encodeNpy({ shape: [2, 2], data: new Float32Array(4) });
  const end = 10 + good.readUInt16LE(8);
  const header = edit(good.toString('latin1', 10, end)).padEnd(end - 10);
  const bad = Buffer.concat([good.subarray(0, 10), Buffer.from(header, 'latin1'), good.subarray(end)]);
  assert.throws(
    () => decodeNpy(bad, 'x.npy'),
    (e: unknown) =>
      e instanceof InputError && e.details.where.startsWith('x.npy') && part.test(e.details.where),
  );
}

test('NPY reader rejects bad headers', () => {
  assertBadHeader((h) => h.replace('<f4', '>f8'), /descr/);
  assertBadHeader((h) => h.replace('False', 'True'), /fortran_order/);
  assertBadHeader((h) => h.replace('(2, 2)', '(2, -2)'), /shape/);
  assertBadHeader((h) => h.replace('(2, 2)', '(2, 3)'), /data length/);
  assertBadHeader((h) => h.replace('{', '['), /header/);
});

test('NPY reader rejects a wrong magic, a bad version and truncation', () => {
  const good = encodeNpy({ shape: [2], data: new Int32Array(2) });
  const magic = Buffer.from(good);
  magic[1] = 0x4d;
  const version = Buffer.from(good);
  version[6] = 9;
  for (const [bytes, part] of [
    [magic, /magic/],
    [version, /version/],
    [good.subarray(0, 40), /header/],
    [good.subarray(0, good.length - 1), /data length/],
  ] as const) {
    assert.throws(
      () => decodeNpy(bytes, 'y.npy'),
      (e: unknown) => e instanceof InputError && part.test(e.details.where),
    );
  }
});
