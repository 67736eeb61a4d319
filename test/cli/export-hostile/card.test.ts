/**
 * model-card.json tells the truth about what was exported: how the data were prepared, the range of x,
 * which checkpoint and which epoch's metrics, the classes of a CVAE's one-hot columns, a refined encoder.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { writeShapesFolder } from '../../../src/data/shapes.js';
import { trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';
import { idxDigits } from '../../helpers/idx-digits.js';
import { onnxSession, runOnnx } from '../../helpers/onnx-runtime.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack-card-'));
const vaekit = vaekitFromSource(work);
const data = idxDigits(100, 50);

before(() => {
  // three epochs: checkpoints step-4, step-8, step-12; best.json and latest.json name step-12
  const r = trainTiny(vaekit, 'three', data, '--epochs', '3', '--batch-size', '25');
  assert.equal(r.code, 0, r.err);
});

const card = (out: string) => JSON.parse(readFileSync(join(work, out, 'model-card.json'), 'utf8'));

test('the card of a run on an IDX directory says its images are 28×28 grey as stored, not "resized to 32×32, RGB"', () => {
  const r = vaekit('export', 'runs/three', '--format', 'onnx', '-o', 'idx');
  assert.equal(r.code, 0, r.err);
  const c = card('idx');
  assert.deepEqual(c.data.imageShape, { height: 28, width: 28, channels: 1, layout: 'NHWC' });
  // the run's data are 28×28 grey IDX images; config.json's data.imageSize (32) and data.channels (3) are
  // the image-folder defaults, which were never used
  for (const line of c.data.preprocessing as string[]) {
    assert.doesNotMatch(line, /32×32|RGB/, `the card's preprocessing says: ${line}`);
  }
});

test('--checkpoint best on a run whose best.json names a checkpoint that is gone: the card does not claim "best"', () => {
  cpSync(join(work, 'runs', 'three'), join(work, 'runs', 'gone-best'), { recursive: true });
  const ck = join(work, 'runs', 'gone-best', 'checkpoints');
  writeFileSync(join(ck, 'best.json'), JSON.stringify({ checkpoint: 'step-000000004', step: 4 }));
  rmSync(join(ck, 'step-000000004'), { recursive: true });
  const r = vaekit('export', 'runs/gone-best', '--format', 'onnx', '-o', 'gone-best');
  assert.equal(r.code, 0, r.err);
  const c = card('gone-best');
  // vaekit fell back to the newest checkpoint (it says so on stderr), which is not the best one
  assert.equal(c.checkpoint.folder, 'step-000000012');
  assert.notEqual(
    c.checkpoint.which,
    'best',
    `the card says which: best for ${c.checkpoint.folder}, a fallback (stderr: ${r.err.trim()})`,
  );
});

test("the card's metrics are the loaded checkpoint's epoch, or none; never another epoch's", () => {
  cpSync(join(work, 'runs', 'three'), join(work, 'runs', 'short-log'), { recursive: true });
  // metrics.jsonl lost its last lines (a crash between checkpoint and log, a hand edit): epoch 3 has no record
  const log = join(work, 'runs', 'short-log', 'metrics.jsonl');
  writeFileSync(log, `${readFileSync(log, 'utf8').split('\n')[0]}\n`);
  const r = vaekit('export', 'runs/short-log', '--format', 'onnx', '-o', 'short-log');
  assert.equal(r.code, 0, r.err);
  const c = card('short-log');
  assert.equal(c.checkpoint.epochsTrained, 3);
  assert.ok(
    c.metrics === null || c.metrics.epoch === 3,
    `the card of the epoch-3 checkpoint gives epoch ${c.metrics?.epoch}'s metrics: ${JSON.stringify(c.metrics)}`,
  );
});

test('a Gaussian-likelihood decoder: the card says x is "float32 in [0, 1]" only if the file keeps x in [0, 1]', async () => {
  const r = trainTiny(vaekit, 'gauss', data, '--batch-size', '25', '--likelihood', 'gaussian');
  assert.equal(r.code, 0, r.err);
  const e = vaekit('export', 'runs/gauss', '--format', 'onnx', '-o', 'gauss');
  assert.equal(e.code, 0, e.err);
  const c = card('gauss');
  const holds: string = c.parts[0].outputs[0].holds;
  const session = await onnxSession(readFileSync(join(work, 'gauss', 'decoder.onnx')));
  // z ~ N(0, I), exactly what the card says draws samples
  let s = 12345;
  const normal = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    const u = (s + 1) / 2147483649;
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos((2 * Math.PI * s) / 2147483648);
  };
  const z = Float32Array.from({ length: 64 * 3 }, normal);
  const { x } = await runOnnx(session, { z: { data: z, dims: [64, 3] } });
  await session.release();
  const lo = Math.min(...x.data);
  const hi = Math.max(...x.data);
  if (/in \[0, 1\]/.test(holds)) {
    assert.ok(
      lo >= 0 && hi <= 1,
      `the card says x is "${holds}", the decoder gives values in [${lo}, ${hi}]`,
    );
  }
});

test("a CVAE trained on an image folder: the card says which one-hot column is which class (the folder's names)", () => {
  const shapes = writeShapesFolder(join(work, 'shapes'), 40, 16, 2); // classes disc/ and square/
  const r = trainTiny(
    vaekit,
    'cvae-shapes',
    shapes,
    '--model',
    'cvae',
    '--image-size',
    '12',
    '--channels',
    '3',
    '--batch-size',
    '20',
    '--latent-dim',
    '2',
  );
  assert.equal(r.code, 0, r.err);
  const e = vaekit('export', 'runs/cvae-shapes', '--format', 'onnx', '-o', 'cvae-shapes');
  assert.equal(e.code, 0, e.err);
  const c = card('cvae-shapes');
  assert.equal(c.model.classes, 2);
  const text = JSON.stringify(c);
  // without the names, a user of decoder.onnx cannot tell whether y = [1, 0] draws discs or squares
  assert.ok(
    text.includes('disc') && text.includes('square'),
    `the card never names the classes: ${JSON.stringify(c.model)}`,
  );
});

test('a run that refines q(z|x) per image (--refine-steps): the card says the exported encoder gives the unrefined start', () => {
  const r = trainTiny(vaekit, 'refine', data, '--batch-size', '25', '--refine-steps', '2');
  assert.equal(r.code, 0, r.err);
  const e = vaekit('export', 'runs/refine', '--format', 'onnx', '--part', 'encoder', '-o', 'refine');
  assert.equal(e.code, 0, e.err);
  const c = card('refine');
  // the model's q(z|x) is the encoder's output refined by 2 gradient steps (model.description: "refined by 2
  // steps"); the file gives the amortised encoder's output (src/models/vae/export.ts says so), the card does not
  const encoder = c.parts.find((p: { part: string }) => p.part === 'encoder');
  const said = JSON.stringify(encoder);
  assert.match(said, /unrefined|amortised|before refinement|refinement/, `the encoder's ports say: ${said}`);
});
