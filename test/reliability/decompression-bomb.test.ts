/**
 * Issue #13, class 8: compressed input is inflated only as far as it declares itself. A 3 MB gzip IDX file
 * took 6.3 GB of memory for 40 s before it was refused: it was inflated whole before its header was looked
 * at. Now the header is inflated and checked first, then inflating stops at the size it declares; a
 * stream that holds more or less is an InputError naming the file. The same holds for the other
 * decompression in the readers: the image data of an interlaced PNG (pngjs bounds only the plain kind).
 *
 * The bombs are built here without writing gigabytes: one deflate segment of zeros, compressed once and
 * repeated (each ends on a full flush, so the copies chain into one valid stream). Each is read in a fresh
 * Node process that reports how much its peak RSS grew; the bound is generous (the declared data, plus
 * room), far under what the stream inflates to. No timing is asserted. A plain IDX file likewise has its
 * header checked against the file's size before the rest is read.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { constants, deflateRawSync, gzipSync } from 'node:zlib';
import { InputError } from '../../src/core/errors.js';
import { decodeIdx, encodeIdx } from '../../src/data/idx.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'vaekit.js');
const work = mkdtempSync(join(tmpdir(), 'vk-bomb-'));

const MiB = 2 ** 20;
/** How far each bomb would inflate. */
const BOMB_BYTES = 6 * 1024 * MiB;
/** Peak RSS growth allowed while one is refused: far below BOMB_BYTES (and the 4 GiB Node can inflate). */
const RSS_BOUND_MIB = 512;

const SEGMENT = 16 * MiB;
/** Raw deflate of `prefix` + SEGMENT zeros, ending on a full flush (byte-aligned, no history needed). */
const segment = (prefix: Buffer = Buffer.alloc(0)) =>
  deflateRawSync(Buffer.concat([prefix, Buffer.alloc(SEGMENT)]), { finishFlush: constants.Z_FULL_FLUSH });
const FINAL_BLOCK = deflateRawSync(Buffer.alloc(0)); // an empty final block

/** A raw deflate stream of `prefix` then zeros, about `total` bytes in all. */
function deflatedZeros(prefix: Buffer, total: number): Buffer {
  const zeros = segment();
  const parts = [segment(prefix)];
  for (let n = SEGMENT; n < total; n += SEGMENT) parts.push(zeros);
  parts.push(FINAL_BLOCK);
  return Buffer.concat(parts);
}

/** A gzip file of `prefix` then zeros, inflating to about `total` bytes (its trailer is never reached). */
function gzipBomb(prefix: Buffer, total = BOMB_BYTES): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  return Buffer.concat([header, deflatedZeros(prefix, total), Buffer.alloc(8)]);
}

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

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A valid-looking interlaced 64×64 greyscale PNG whose image data inflates to about `total` bytes. */
function interlacedPngBomb(total = BOMB_BYTES): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(64, 0);
  ihdr.writeUInt32BE(64, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  ihdr[12] = 1; // Adam7
  // zlib stream: header 78 9c, the deflate data, an Adler-32 that is never reached
  const idat = Buffer.concat([
    Buffer.from([0x78, 0x9c]),
    deflatedZeros(Buffer.alloc(0), total),
    Buffer.alloc(4),
  ]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

interface Outcome {
  grewMiB: number;
  name?: string;
  inputError?: boolean;
  message?: string;
}

/**
 * Reads `file` with `reader` ('idx' or 'image') in a fresh Node process and reports what it threw and
 * how much that process's peak RSS grew while reading.
 */
function readInChild(file: string, reader: 'idx' | 'image'): Outcome {
  const src = (p: string) => pathToFileURL(join(ROOT, 'src', p)).href;
  const script = join(work, `read-${reader}.mts`);
  writeFileSync(
    script,
    `
import { readFileSync } from 'node:fs';
const { InputError } = await import(${JSON.stringify(src('core/errors.ts'))});
const { readIdx } = await import(${JSON.stringify(src('data/idx.ts'))});
const { decodeImage } = await import(${JSON.stringify(src('io/image.ts'))});
const file = process.argv[2];
const read = ${reader === 'idx' ? '() => readIdx(file)' : '() => decodeImage(readFileSync(file), file)'};
const before = process.resourceUsage().maxRSS;
let error;
try { read(); } catch (e) { error = e; }
const after = process.resourceUsage().maxRSS;
process.stdout.write(JSON.stringify({
  grewMiB: (after - before) / 1024,
  name: error?.name, inputError: error instanceof InputError, message: error?.message,
}));
`,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, file], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 16 * MiB,
  });
  assert.equal(r.status, 0, `the reader process died: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as Outcome;
}

function assertRefusedBounded(o: Outcome, file: string, message: RegExp): void {
  assert.ok(o.grewMiB < RSS_BOUND_MIB, `peak RSS grew by ${o.grewMiB.toFixed(0)} MiB while refusing it`);
  assert.equal(o.inputError, true, `expected an InputError, got ${o.name}: ${o.message}`);
  assert.ok(o.message?.includes(file), `the message names the file: ${o.message}`);
  assert.match(o.message ?? '', message);
}

test('a gzip IDX file with a valid header and gigabytes of data stops at the declared size', () => {
  const file = join(work, 'train-images-idx3-ubyte.gz');
  writeFileSync(file, gzipBomb(idxHeader([60000, 28, 28])));
  const o = readInChild(file, 'idx');
  assertRefusedBounded(o, file, /47040016 bytes once inflated.*60000×28×28.*found more/s);
});

test('a gzip bomb without an IDX header is refused at the header, before inflating the rest', () => {
  const file = join(work, 'zeros.idx.gz');
  writeFileSync(file, gzipBomb(Buffer.alloc(0)));
  const o = readInChild(file, 'idx');
  assertRefusedBounded(o, file, /data type/);
});

test('a gzip IDX header that declares more than vaekit inflates is refused before inflating', () => {
  const file = join(work, 'huge.idx.gz');
  writeFileSync(file, gzipBomb(idxHeader([100000, 1000, 1000])));
  const o = readInChild(file, 'idx');
  assertRefusedBounded(o, file, /at most \d+ bytes \(1 GiB\) once inflated/);
});

test('an interlaced PNG whose image data inflates to gigabytes is refused at its image size', () => {
  const file = join(work, 'bomb.png');
  writeFileSync(file, interlacedPngBomb());
  const o = readInChild(file, 'image');
  assertRefusedBounded(o, file, /interlaced 64×64/);
});

test('a plain IDX file is checked from its header before the rest of it is read', () => {
  // 1.5 GiB on paper, a sparse file on disk; its header declares 16 bytes of data
  const file = join(work, 'sparse-images-idx3-ubyte');
  writeFileSync(file, idxHeader([1, 4, 4]));
  truncateSync(file, 1536 * MiB);
  const o = readInChild(file, 'idx');
  assertRefusedBounded(o, file, /file length: expected 32 bytes .*found 1610612736 bytes/);
});

test('a gzip stream holding less or more than its header declares is an InputError naming the file', () => {
  const full = encodeIdx({ dims: [10, 4], data: new Uint8Array(40).fill(3) });
  const short = gzipSync(full.subarray(0, full.length - 5));
  const long = gzipSync(Buffer.concat([full, Buffer.alloc(7)]));
  const check = (gz: Buffer, found: RegExp) =>
    assert.throws(
      () => decodeIdx(gz, 'data/x.idx.gz'),
      (e: unknown) =>
        e instanceof InputError &&
        /data\/x\.idx\.gz/.test(e.message) &&
        /52 bytes/.test(e.message) &&
        found.test(e.message),
    );
  check(short, /found 47 bytes/);
  check(long, /more/);
  // and the exact stream still reads, in one member or in two
  assert.deepEqual(decodeIdx(gzipSync(full), 'ok').dims, [10, 4]);
  const twoMembers = Buffer.concat([gzipSync(full.subarray(0, 20)), gzipSync(full.subarray(20))]);
  assert.deepEqual(Array.from(decodeIdx(twoMembers, 'two').data), Array.from(full.subarray(12)));
});

test('`vaekit train` on a gzip bomb exits 2 naming the file, with no stack trace', () => {
  const dir = join(work, 'bombdir');
  mkdirSync(dir);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipBomb(idxHeader([60000, 28, 28])));
  writeFileSync(
    join(dir, 't10k-images-idx3-ubyte.gz'),
    gzipSync(encodeIdx({ dims: [10, 28, 28], data: new Uint8Array(7840) })),
  );
  const r = spawnSync(
    process.execPath,
    [BIN, 'train', '--dataset', dir, '--runs-dir', join(work, 'runs'), '--name', 'b'],
    {
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /train-images-idx3-ubyte\.gz/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
