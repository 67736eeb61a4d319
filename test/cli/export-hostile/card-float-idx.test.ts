/**
 * Found by a hostile test (fixed since): a run on float32 IDX images (vaekit reads float/double IDX values as they are, in [0, 1]; only
 * ubyte images are divided by 255: src/data/idxdataset.ts) gets a model card that tells the user to divide
 * by 255:
 *   data.inputRange: "[0, 1], float32 (8-bit pixels divided by 255)"
 *   data.preprocessing[0]: "pixel values divided by 255 (8-bit images), so x is in [0, 1]"
 * A user who prepares inputs for encoder.onnx from the card divides data already in [0, 1] by 255 again and
 * feeds near-black images. Expected: the card says the stored float values were used as they are.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { writeIdx } from '../../../src/data/idx.js';
import { exportCard, trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack2-float-'));
const vaekit = vaekitFromSource(work);

before(() => {
  const dir = join(work, 'float-idx');
  mkdirSync(dir);
  let s = 7;
  const unit = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (const [prefix, n] of [
    ['train', 100],
    ['t10k', 50],
  ] as const) {
    writeIdx(join(dir, `${prefix}-images-idx3-ubyte`), {
      dims: [n, 8, 8],
      data: Float32Array.from({ length: n * 64 }, unit),
    });
    writeIdx(join(dir, `${prefix}-labels-idx1-ubyte`), {
      dims: [n],
      data: Uint8Array.from({ length: n }, (_, i) => i % 10),
    });
  }
  const r = trainTiny(vaekit, 'float', dir, '--likelihood', 'gaussian');
  assert.equal(r.code, 0, r.err);
});

test('the card of a run on float IDX images does not tell the user to divide by 255', () => {
  const card = exportCard(vaekit, work, 'runs/float', 'float', '--part', 'all');
  assert.deepEqual(card.data.imageShape, { height: 8, width: 8, channels: 1, layout: 'NHWC' });
  const said = [card.data.inputRange, ...card.data.preprocessing];
  for (const line of said) {
    assert.doesNotMatch(
      line,
      /divided by 255/,
      `the images were float32 in [0, 1], used as stored; the card says: ${JSON.stringify(said)}`,
    );
  }
});
