/**
 * "The batch size is free" (vaekit export --help), down to an empty batch: a logistic-mixture ONNX decoder
 * on batch 0 gives x [0, h, w, c], the rank the file declares (onnxruntime's ReduceSum returned an empty
 * input unreduced, [0, h, w, c, K], so the mixture's sum is a MatMul with ones).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';
import { idxDigits } from '../../helpers/idx-digits.js';
import { onnxSession, runOnnx } from '../../helpers/onnx-runtime.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack-batch0-'));
const vaekit = vaekitFromSource(work);

test('a logistic-mixture ONNX decoder on a batch of 0 gives x [0, 28, 28, 1]', async () => {
  const data = idxDigits(100, 50);
  const t = trainTiny(vaekit, 'lm', data, '--likelihood', 'logistic-mixture', '--mixtures', '2');
  assert.equal(t.code, 0, t.err);
  const r = vaekit('export', 'runs/lm', '--format', 'onnx', '-o', 'lm-onnx');
  assert.equal(r.code, 0, r.err);
  const session = await onnxSession(readFileSync(join(work, 'lm-onnx', 'decoder.onnx')));
  for (const n of [1, 0]) {
    const out = await runOnnx(session, { z: { data: new Float32Array(n * 3), dims: [n, 3] } });
    assert.deepEqual([...out.x.dims], [n, 28, 28, 1], `batch ${n}: x has dims [${out.x.dims}]`);
  }
  await session.release();
});
