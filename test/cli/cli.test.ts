import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeNpy } from '../../src/io/npy.js';
import { decodePng } from '../../src/io/png.js';
import { idxDigits } from '../helpers/idx-digits.js';

// The CLI as users run it: the bin script over the compiled dist/ (`npm test` builds it first).
const bin = join(import.meta.dirname, '..', '..', 'bin', 'vaekit.js');
const work = mkdtempSync(join(tmpdir(), 'vk-cli-'));

function vaekit(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const small = ['--hidden', '64', '--latent-dim', '4', '--epochs', '1', '--runs-dir', 'runs'];

test('train writes a complete run; sample, reconstruct and encode read it', () => {
  const t = vaekit('train', '--name', 'a', ...small, '--seed', '1');
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /backend (wasm|cpu|tensorflow)/);
  assert.match(t.out, /epoch 1\/1 .*test loss \d+\.\d+ \(\d\.\d+ bits\/dim\)/);
  assert.doesNotMatch(t.out + t.err, /Hi there|tfjs-node/, 'no tfjs banner');
  const run = join(work, 'runs', 'a');
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.deepEqual(config.model.network, { type: 'mlp', hidden: [64] });
  assert.deepEqual(config.inputShape, [28, 28, 1]);
  const metrics = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(metrics.length, 1);
  assert.ok(metrics[0].test.loss > 0 && metrics[0].test.loss < 545);
  assert.ok(readdirSync(join(run, 'checkpoints')).some((n) => n.startsWith('step-')));
  const grid = decodePng(readFileSync(join(run, 'samples', 'epoch-001.png')), 'grid');
  assert.ok(grid.width > 8 * 28 && grid.height > 8 * 28);
  assert.ok(existsSync(join(run, 'samples', 'reconstructions.png')));

  const s = vaekit('sample', run, '-n', '9', '-t', '0.5', '-o', 'nine.png');
  assert.equal(s.code, 0, s.err);
  assert.ok(decodePng(readFileSync(join(work, 'nine.png')), 'nine').width > 3 * 28);

  const r = vaekit('reconstruct', run, '-n', '4', '-o', 'rec.png');
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(join(work, 'rec.png')));

  const e = vaekit('encode', run, '-o', 'z.csv');
  assert.equal(e.code, 0, e.err);
  const lines = readFileSync(join(work, 'z.csv'), 'utf8').trim().split('\n');
  assert.equal(lines[0], 'label,z0,z1,z2,z3');
  assert.equal(lines.length, 1001);
  const n = vaekit('encode', run, '-o', 'z.npy', '--split', 'test');
  assert.equal(n.code, 0, n.err);
  assert.deepEqual(decodeNpy(readFileSync(join(work, 'z.npy')), 'z.npy').shape, [1000, 4]);
});

test('the same seed gives the same run', () => {
  const a = vaekit('train', '--name', 's1', ...small, '--seed', '7');
  const b = vaekit('train', '--name', 's2', ...small, '--seed', '7');
  assert.equal(a.code, 0, a.err);
  assert.equal(b.code, 0, b.err);
  const loss = (name: string) =>
    JSON.parse(readFileSync(join(work, 'runs', name, 'metrics.jsonl'), 'utf8').split('\n')[0]).test.loss;
  assert.equal(loss('s1'), loss('s2'));
});

test('--resume continues a run to more epochs', () => {
  assert.equal(vaekit('train', '--name', 'r', ...small).code, 0);
  const r = vaekit('train', '--resume', join('runs', 'r'), '--epochs', '2');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /epoch 2\/2/);
  const lines = readFileSync(join(work, 'runs', 'r', 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n');
  assert.equal(lines.length, 2);
});

test('a YAML config is validated field by field; flags override it', () => {
  writeFileSync(
    join(work, 'ok.yaml'),
    'model:\n  latentDim: 3\n  network: { type: mlp, hidden: [32] }\ntrain:\n  epochs: 5\n',
  );
  const ok = vaekit('train', '-c', 'ok.yaml', '--epochs', '1', '--name', 'y', '--runs-dir', 'runs');
  assert.equal(ok.code, 0, ok.err);
  const cfg = JSON.parse(readFileSync(join(work, 'runs', 'y', 'config.json'), 'utf8'));
  assert.equal(cfg.model.latentDim, 3);
  assert.equal(cfg.train.epochs, 1);

  writeFileSync(join(work, 'bad.yaml'), 'model:\n  latentDim: 0\n  colour: red\ntrain:\n  epochs: "ten"\n');
  const bad = vaekit('train', '-c', 'bad.yaml', '--runs-dir', 'runs', '--name', 'bad');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /bad\.yaml\.model\.latentDim/);
  assert.match(bad.err, /colour/);
  assert.match(bad.err, /bad\.yaml\.train\.epochs/);
  assert.ok(!existsSync(join(work, 'runs', 'bad')), 'nothing half-written');
});

test('GAN settings from flags land in the run config; a flag the model does not have is refused', () => {
  const tiny = [
    '--generator-filters',
    '4,2',
    '--critic-filters',
    '2,4',
    '--latent-dim',
    '3',
    '--epochs',
    '1',
  ];
  const gp = ['--model', 'wgan-gp', '--n-critic', '2', '--gp-lambda', '3', '--lr', '0.0002', ...tiny];
  const t = vaekit('train', ...gp, '--name', 'gp', '--runs-dir', 'runs');
  assert.equal(t.code, 0, t.err);
  const cfg = JSON.parse(readFileSync(join(work, 'runs', 'gp', 'config.json'), 'utf8'));
  assert.deepEqual(
    [
      cfg.model.nCritic,
      cfg.model.gpLambda,
      cfg.model.learningRate,
      cfg.model.generatorFilters,
      cfg.model.criticFilters,
    ],
    [2, 3, 0.0002, [4, 2], [2, 4]],
  );
  const clip = vaekit(
    'train',
    '--model',
    'wgan',
    '--clip',
    '0.05',
    ...tiny,
    '--name',
    'w',
    '--runs-dir',
    'runs',
  );
  assert.equal(clip.code, 0, clip.err);
  assert.equal(JSON.parse(readFileSync(join(work, 'runs', 'w', 'config.json'), 'utf8')).model.clip, 0.05);
  const wrong = vaekit('train', '--model', 'vae', '--n-critic', '2', '--name', 'v', '--runs-dir', 'runs');
  assert.equal(wrong.code, 2);
  assert.match(wrong.err, /nCritic/);
  assert.ok(!existsSync(join(work, 'runs', 'v')), 'nothing half-written');
});

test('bad input exits with code 2 and says what was expected', () => {
  const flag = vaekit('train', '--epochs', 'x');
  assert.equal(flag.code, 2);
  assert.match(flag.err, /--epochs.*expected an integer/);
  const data = vaekit('train', '--dataset', 'no/such/dir', '--runs-dir', 'runs', '--name', 'nodata');
  assert.equal(data.code, 2);
  assert.match(data.err, /no\/such\/dir/);
  assert.ok(!existsSync(join(work, 'runs', 'nodata')));
  const batch = vaekit('train', '--batch-size', '20000', '--runs-dir', 'runs', '--name', 'bigbatch');
  assert.equal(batch.code, 2);
  assert.match(batch.err, /batchSize/);
  const missing = vaekit('sample', join(work, 'nope'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /config\.json/);
  const exists = vaekit('train', '--name', 'a', ...small);
  assert.equal(exists.code, 2);
  assert.match(exists.err, /--resume/);
});

test('train --posterior iaf --flow-steps 2 trains a VAE with a flow posterior, says its KL is by Monte Carlo, and eval reads it', () => {
  const digits = idxDigits(256, 64);
  const t = vaekit(
    'train',
    '--dataset',
    digits,
    '--posterior',
    'iaf',
    '--flow-steps',
    '2',
    '--name',
    'iaf',
    ...small,
  );
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /IAF posterior, 2 steps \(KL by Monte Carlo\)/);
  const run = join(work, 'runs', 'iaf');
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.deepEqual(config.model.posterior, { type: 'iaf', flowSteps: 2, flowHidden: [64], flowContext: 32 });
  const e = vaekit('eval', run, '--k', '10', '--iwae-k', '5', '--limit', '20', '--samples', '0');
  assert.equal(e.code, 0, e.err);
  const wrong = vaekit('train', '--model', 'hvae', '--flow-steps', '2', '--name', 'h', '--runs-dir', 'runs');
  assert.equal(wrong.code, 2);
  assert.match(wrong.err, /flowSteps/);
});

test('--help teaches each command', () => {
  const h = vaekit('--help');
  assert.equal(h.code, 0);
  for (const c of ['train', 'sample', 'reconstruct', 'encode']) assert.match(h.out, new RegExp(c));
  const t = vaekit('train', '--help');
  assert.equal(t.code, 0);
  assert.match(t.out, /--kl-warmup/);
  assert.match(t.out, /--posterior <type>\s+posterior q\(z\|x\)[\s\S]*gaussian \|\s+iaf/);
  assert.match(t.out, /--flow-steps <K>\s+IAF posterior: flow steps/);
  assert.match(t.out, /pytorch\/examples/);
});

test('the conditional VAE: train --model cvae, then sample --class draws the class; --class is refused elsewhere', () => {
  const t = vaekit('train', '--model', 'cvae', '--name', 'cv', ...small, '--seed', '2');
  assert.equal(t.code, 0, t.err);
  const run = join(work, 'runs', 'cv');
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.equal(config.model.type, 'cvae');
  assert.equal(config.classes, 10);
  const s = vaekit('sample', 'runs/cv', '--class', '3', '-n', '12', '-o', 'three.png');
  assert.equal(s.code, 0, s.err);
  assert.match(s.out, /12 samples of class 3/);
  assert.equal(decodePng(readFileSync(join(work, 'three.png')), 'three.png').width > 0, true);
  // every class, one per column, by default; eval and reconstruct take the labels of the test images
  assert.equal(vaekit('sample', 'runs/cv', '-o', 'all.png').code, 0);
  assert.equal(vaekit('reconstruct', 'runs/cv', '-n', '4').code, 0);
  const e = vaekit('eval', 'runs/cv', '--k', '10', '--iwae-k', '5', '--limit', '20', '--samples', '0');
  assert.equal(e.code, 0, e.err);
  const out = vaekit('sample', 'runs/cv', '--class', '10');
  assert.equal(out.code, 2);
  assert.match(out.err, /--class: expected a class from 0 to 9, found 10/);
  assert.equal(vaekit('train', '--name', 'plain', ...small).code, 0);
  const vae = vaekit('sample', 'runs/plain', '--class', '1');
  assert.equal(vae.code, 2);
  assert.match(vae.err, /a class condition \(cvae\)/);
});
