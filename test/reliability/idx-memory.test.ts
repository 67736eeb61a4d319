/**
 * Adversarial finding F3 on #13: a 1 MB gzip IDX file that honestly declares 1,048,575 images of 32×32
 * took 6.4 GB of memory: its 1 GiB of inflated bytes passed the gzip bound, were copied, then converted to
 * float32 (×4). Now the decoded dataset is bounded from the *declared* header before any of the data is
 * read or inflated: the float32 images it becomes (4 bytes a value) plus what the reader holds at once (the
 * compressed file, the inflated bytes in one buffer, a decoded copy of wider values), beside the data
 * already read (the train set when the test set is read), within the 2 GiB the image folders use
 * (DECODED_DATA_LIMIT, one constant and one check for both); above it, an InputError naming the file, the
 * computed size and the limit. Byte values are a view of the inflated buffer, not a copy.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { constants, crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { InputError } from '../../src/core/errors.js';
import { checkDecodedBytes, DECODED_DATA_LIMIT } from '../../src/data/dataset.js';
import { encodeIdx, type IdxDeclared, readIdx } from '../../src/data/idx.js';
import { idxDatasetBytes, loadIdxDir } from '../../src/data/idxdataset.js';
import { assertInputError, TINY, tempDir } from './cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const work = tempDir('idxmem');
const MiB = 2 ** 20;

/** An IDX header: ubyte values with these dimensions. */
function idxHeader(dims: number[]): Buffer {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h[2] = 0x08;
  h[3] = dims.length;
  dims.forEach((d, i) => {
    h.writeUInt32BE(d, 4 + 4 * i);
  });
  return h;
}

/**
 * An honest gzip IDX file of `dims` ubyte zeros (a valid stream, CRC and length included), built without
 * holding its data: one deflate segment of 16 MiB of zeros compressed once and repeated (each ends on a
 * full flush, so the copies chain into one stream), then the rest.
 */
function honestGzipIdx(dims: number[]): Buffer {
  const header = idxHeader(dims);
  const total = dims.reduce((a, b) => a * b, 1);
  const SEG = 16 * MiB;
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const parts = [deflateRawSync(header, flush)];
  const zeros = Buffer.alloc(SEG);
  const seg = deflateRawSync(zeros, flush);
  let crc = crc32(header);
  let left = total;
  for (; left >= SEG; left -= SEG) {
    parts.push(seg);
    crc = crc32(zeros, crc);
  }
  parts.push(deflateRawSync(Buffer.alloc(left)));
  crc = crc32(Buffer.alloc(left), crc);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((header.length + total) % 2 ** 32, 4);
  const gz = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  return Buffer.concat([gz, ...parts, trailer]);
}

const declared = (over: Partial<IdxDeclared>): IdxDeclared => ({
  path: 'x',
  dims: [1, 1, 1],
  type: 'ubyte',
  valueBytes: 1,
  count: 1,
  rawBytes: 17,
  fileBytes: 17,
  gzip: false,
  described: '',
  ...over,
});

test('the size of a decoded IDX file: float32 images plus the bytes the reader holds', () => {
  const n = 1000 * 28 * 28;
  // plain ubyte: the file's bytes (a view is used as the values) and the float32 images
  assert.equal(idxDatasetBytes(declared({ count: n, rawBytes: 16 + n }), 'images'), 16 + n + 4 * n);
  // gzip: the compressed file too
  assert.equal(
    idxDatasetBytes(declared({ count: n, rawBytes: 16 + n, fileBytes: 5000, gzip: true }), 'images'),
    5000 + 16 + n + 4 * n,
  );
  // double: the decoded Float64Array beside them
  assert.equal(
    idxDatasetBytes(declared({ type: 'double', valueBytes: 8, count: n, rawBytes: 16 + 8 * n }), 'images'),
    16 + 8 * n + 8 * n + 4 * n,
  );
});

test('the limit is the image folders’ 2 GiB: a size just under it passes, one byte over is refused', () => {
  assert.equal(DECODED_DATA_LIMIT, 2 * 1024 ** 3);
  checkDecodedBytes('f', DECODED_DATA_LIMIT, 'images', 'n', 'h');
  // an honest ubyte file declaring just under the limit passes the check
  const under = Math.floor((DECODED_DATA_LIMIT - 16) / 5);
  const bytes = idxDatasetBytes(declared({ count: under, rawBytes: 16 + under }), 'images');
  assert.ok(bytes <= DECODED_DATA_LIMIT && bytes > DECODED_DATA_LIMIT - 5);
  checkDecodedBytes('f', bytes, 'images', 'n', 'h');
  assert.throws(
    () => checkDecodedBytes('data/f', DECODED_DATA_LIMIT + 1, 'images', '2×3 ubyte values', 'h'),
    (e: unknown) =>
      e instanceof InputError &&
      /^data\/f: expected at most 2 GiB of decoded images in memory \(2147483648 bytes\), found 2×3 ubyte values: 2\.0 GiB \(2147483649 bytes\)/.test(
        e.message,
      ),
  );
});

/** Loads the IDX folder `dir` in a fresh Node process; what it threw and how much its peak RSS grew. */
function loadInChild(dir: string): { grewMiB: number; inputError?: boolean; message?: string; ms: number } {
  const src = (p: string) => JSON.stringify(pathToFileURL(join(ROOT, 'src', p)).href);
  const script = join(work, 'load.mts');
  writeFileSync(
    script,
    `
const { InputError } = await import(${src('core/errors.ts')});
const { loadIdxDir } = await import(${src('data/idxdataset.ts')});
const before = process.resourceUsage().maxRSS;
const t = performance.now();
let error;
try { loadIdxDir(process.argv[2]); } catch (e) { error = e; }
process.stdout.write(JSON.stringify({
  grewMiB: (process.resourceUsage().maxRSS - before) / 1024, ms: performance.now() - t,
  inputError: error instanceof InputError, message: error?.message,
}));
`,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, dir], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(r.status, 0, `the loader died: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout);
}

/** A folder whose train images honestly declare `n` images of 32×32 ubyte (gzip), with a small test set. */
function bigDeclaredDir(name: string, n: number): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), honestGzipIdx([n, 32, 32]));
  writeFileSync(
    join(dir, 't10k-images-idx3-ubyte'),
    encodeIdx({ dims: [10, 32, 32], data: new Uint8Array(10 * 32 * 32) }),
  );
  return dir;
}

test('a small gzip IDX file honestly declaring more than the limit is refused from its header, before inflating', () => {
  // 500,000 images of 32×32: 512 MB of bytes (under the 1 GiB gzip bound), 2.4 GiB decoded; a ~0.5 MB file
  const dir = bigDeclaredDir('over', 500_000);
  const o = loadInChild(dir);
  assert.equal(o.inputError, true, `expected an InputError, got: ${o.message}`);
  assert.match(
    o.message ?? '',
    /train-images-idx3-ubyte\.gz: expected at most 2 GiB of decoded images in memory \(2147483648 bytes\)/,
  );
  assert.match(o.message ?? '', /500000×32×32 ubyte values.*: 2\.4 GiB \(\d+ bytes\)/s);
  // nothing of the declared size was allocated (inflating alone would take 488 MiB)
  assert.ok(o.grewMiB < 100, `peak RSS grew by ${o.grewMiB.toFixed(0)} MiB while refusing it`);
});

test('`vaekit train` on it exits 2 naming the file, the size and the limit', () => {
  const dir = bigDeclaredDir('over-cli', 500_000);
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'bin', 'vaekit.js'), 'train', ...TINY, '--dataset', dir, '--name', 'g'],
    { cwd: tempDir('cwd'), encoding: 'utf8', timeout: 120_000 },
  );
  assertInputError(
    { code: r.status, out: r.stdout, err: r.stderr },
    /train-images-idx3-ubyte\.gz: expected at most 2 GiB .*\(2147483648 bytes\), found .*2\.4 GiB/,
    'train',
  );
});

test('the test set is counted beside the train set already read', () => {
  // the test file alone fits (400,000×32×32: 1.9 GiB with its bytes); with the 30,000 train images held as
  // float32 (117 MiB) it does not. The train set is read; the test set is refused from its header.
  const dir = join(work, 'pair');
  mkdirSync(dir);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), honestGzipIdx([30_000, 32, 32]));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), honestGzipIdx([400_000, 32, 32]));
  const o = loadInChild(dir);
  assert.equal(o.inputError, true, `expected an InputError, got: ${o.message}`);
  assert.match(
    o.message ?? '',
    /t10k-images-idx3-ubyte\.gz: expected at most 2 GiB.*beside 122880000 bytes of data already read/s,
  );
  assert.ok(o.grewMiB < 400, `peak RSS grew by ${o.grewMiB.toFixed(0)} MiB`);
});

test('gzip byte values are a view of the one inflated buffer, and a small folder still loads', () => {
  const file = join(work, 'view-idx3-ubyte.gz');
  const data = Uint8Array.from({ length: 100 * 64 }, (_, i) => i % 251);
  writeFileSync(file, gzipSync(encodeIdx({ dims: [100, 8, 8], data })));
  const arr = readIdx(file);
  assert.deepEqual(Array.from(arr.data), Array.from(data));
  // one buffer of the declared length (+1, where zlib would have noticed more), the values a view into it
  assert.equal(arr.data.buffer.byteLength, 16 + data.length + 1);
  assert.equal(arr.data.byteOffset, 16);
  const dir = join(work, 'small');
  mkdirSync(dir);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx({ dims: [100, 8, 8], data })));
  writeFileSync(
    join(dir, 't10k-images-idx3-ubyte'),
    encodeIdx({ dims: [10, 8, 8], data: data.subarray(0, 640) }),
  );
  const { train, test: t } = loadIdxDir(dir);
  assert.equal(train.count, 100);
  assert.equal(t.count, 10);
  assert.equal(train.images[1], Math.fround(1 / 255));
});
