/**
 * Fuzzing the readers (issue 7): random byte strings and mutated valid files, drawn from a seeded Rng,
 * must either decode or throw an InputError — never another exception, never hang.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { InputError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { decodeIdx, encodeIdx } from '../../src/data/idx.js';
import { decodeJpeg } from '../../src/io/image.js';
import { decodeNpy, encodeNpy } from '../../src/io/npy.js';
import { decodePng, encodeImageGrid } from '../../src/io/png.js';

const CASES = 300;

function randomBytes(rng: Rng, prefix: number[] = []): Buffer {
  const tail = Array.from({ length: rng.int(80) }, () => rng.int(256));
  return Buffer.from([...prefix, ...tail]);
}

/** One random edit of a valid file: flip bytes (mostly in the header), truncate, extend or forge a uint32. */
function mutate(valid: Buffer, rng: Rng): Buffer {
  const out = Buffer.from(valid);
  switch (rng.int(4)) {
    case 0: {
      const n = 1 + rng.int(4);
      for (let k = 0; k < n; k++) {
        const range = rng.next() < 0.7 ? Math.min(out.length, 40) : out.length;
        out[rng.int(range)] = rng.int(256);
      }
      return out;
    }
    case 1:
      return out.subarray(0, rng.int(out.length));
    case 2:
      return Buffer.concat([out, randomBytes(rng)]);
    default: {
      const at = rng.int(Math.max(1, Math.min(out.length, 40) - 4));
      if (at + 4 <= out.length) out.writeUInt32BE(rng.next() < 0.5 ? rng.int(2 ** 32) : rng.int(64), at);
      return out;
    }
  }
}

/** Run `decode` on CASES inputs: random bytes (some behind a valid magic) and mutations of `valid`. */
function fuzz(name: string, decode: (b: Buffer) => unknown, valid: Buffer[], magic: number[]): void {
  test(`fuzz ${name}: only InputError, never another exception`, { timeout: 60_000 }, () => {
    const rng = new Rng(name.length * 7919 + valid[0].length);
    assert.doesNotThrow(() => valid.forEach(decode));
    let rejected = 0;
    for (let i = 0; i < CASES; i++) {
      const choice = i % 3;
      const input =
        choice === 0
          ? randomBytes(rng)
          : choice === 1
            ? randomBytes(rng, magic)
            : mutate(valid[rng.int(valid.length)], rng);
      try {
        decode(input);
      } catch (e) {
        if (!(e instanceof InputError)) {
          assert.fail(`case ${i} (${input.toString('hex').slice(0, 80)}…) threw ${(e as Error)?.stack ?? e}`);
        }
        rejected++;
      }
    }
    assert.ok(rejected > CASES / 2, `only ${rejected} of ${CASES} inputs were rejected`);
  });
}

const idx = [
  encodeIdx({ dims: [3, 4, 5], data: Uint8Array.from({ length: 60 }, (_, i) => i) }),
  encodeIdx({ dims: [6], data: Int16Array.from([1, -2, 3, -4, 5, -6]) }),
  encodeIdx({ dims: [2, 2], data: Float64Array.from([0.5, 1, 2, 3]) }),
];
fuzz('IDX', (b) => decodeIdx(b, 'fuzz.idx'), idx, [0, 0, 0x08, 3]);
fuzz(
  'IDX gzip',
  (b) => decodeIdx(b, 'fuzz.idx.gz'),
  idx.map((b) => gzipSync(b)),
  [0x1f, 0x8b, 8, 0],
);

const npy = [
  encodeNpy({ shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }),
  encodeNpy({ shape: [4], data: Int32Array.from([1, 2, 3, 4]) }),
  encodeNpy({ shape: [], data: Uint8Array.from([9]) }),
];
fuzz('NPY', (b) => decodeNpy(b, 'fuzz.npy'), npy, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);

const png = [
  encodeImageGrid(
    Float32Array.from({ length: 16 }, (_, i) => i / 16),
    1,
    [4, 4, 1],
  ),
  encodeImageGrid(
    Float32Array.from({ length: 2 * 27 }, (_, i) => (i % 7) / 7),
    2,
    [3, 3, 3],
  ),
];
fuzz('PNG', (b) => decodePng(b, 'fuzz.png'), png, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const jpg = [2, 9].map((side) => {
  const rgba = Uint8Array.from({ length: side * side * 4 }, (_, i) => (i * 37) % 256);
  return jpeg.encode({ width: side, height: side, data: rgba }, 80).data;
});
fuzz('JPEG', (b) => decodeJpeg(b, 'fuzz.jpg'), jpg, [0xff, 0xd8, 0xff, 0xe0]);
