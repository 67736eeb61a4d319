/**
 * Found by a hostile test (round 3, fixed since): the model card of a run on a folder of 16-bit PNGs says
 *   "PNG/JPEG files: 8-bit values divided by 255; …"
 * (src/data/preparation.ts writes that for every image folder). The files hold 16-bit samples: pngjs
 * (src/io/png.ts) rescales them to 8 bits, round(v · 255 / 65535), and vaekit divides those by 255. A user
 * who prepares inputs for encoder.onnx from the card reads the 16-bit sample 16384 (0.25 of full scale)
 * and divides by 255 as told: 64.25 instead of vaekit's 64 / 255 = 0.251 — 256× out of the [0, 1] range.
 * Expected: the card says that 16-bit samples were reduced to 8 bits (or: divided by 65535), not that the
 * files hold 8-bit values.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { exportCard, trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack3-png16-'));
const vaekit = vaekitFromSource(work);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** A 16-bit greyscale PNG of side s with samples v(x, y) in [0, 1]. */
function grey16(s: number, v: (x: number, y: number) => number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(s, 0);
  ihdr.writeUInt32BE(s, 4);
  ihdr[8] = 16; // bit depth
  ihdr[9] = 0; // greyscale
  const row = 1 + 2 * s;
  const raw = Buffer.alloc(s * row);
  for (let y = 0; y < s; y++)
    for (let x = 0; x < s; x++) raw.writeUInt16BE(Math.round(v(x, y) * 65535), y * row + 1 + 2 * x);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

before(() => {
  mkdirSync(join(work, 'scans'));
  for (let n = 0; n < 40; n++)
    writeFileSync(
      join(work, 'scans', `${n}.png`),
      grey16(8, (x, y) => 0.25 + (((x * 8 + y + n) % 64) / 63) * 0.5),
    );
  const r = trainTiny(
    vaekit,
    'scans',
    join(work, 'scans'),
    '--image-size',
    '8',
    '--channels',
    '1',
    '--batch-size',
    '12',
    '--latent-dim',
    '2',
  );
  assert.equal(r.code, 0, r.err);
});

test('the card of a run on 16-bit PNGs does not say the files hold 8-bit values divided by 255', () => {
  const card = exportCard(vaekit, work, 'runs/scans', 'scans-export', '--part', 'all');
  const text = (card.data.preprocessing as string[]).join(' | ');
  assert.match(
    text,
    /16-bit|16 bit|65535/,
    `every file is a 16-bit PNG (samples v/65535 rounded to 8 bits by the decoder); the card says: ${text}`,
  );
});
