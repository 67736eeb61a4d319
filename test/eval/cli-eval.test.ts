import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodePng } from '../../src/io/png.js';
import { jsonLines, vaekitFromSource } from '../helpers/cli-source.js';

const work = mkdtempSync(join(tmpdir(), 'vk-eval-'));
const vaekit = vaekitFromSource(work);

test('train --objective iwae logs latent diagnostics; train-classifier caches; eval writes its report', () => {
  const t = vaekit(
    ...['train', '--name', 'iw', '--hidden', '32', '--latent-dim', '4', '--epochs', '2'],
    ...['--objective', 'iwae', '--k', '3', '--binarize', 'dynamic', '--seed', '1'],
  );
  assert.equal(t.code, 0, t.err);
  const run = join(work, 'runs', 'iw');
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.deepEqual(config.train.objective, { kind: 'iwae', k: 3 });
  const latent = jsonLines(join(run, 'latent.jsonl'));
  assert.deepEqual(
    latent.map((r) => r.epoch),
    [1, 2],
  );
  assert.equal(latent[1].klPerDim.length, 4);
  assert.ok(latent[1].activeUnits >= 1 && latent[1].activeUnits <= 4);

  const c = vaekit(
    'train-classifier',
    '--dataset',
    'mnist',
    '--epochs',
    '1',
    '--hidden',
    '32,8',
    '--seed',
    '2',
  );
  assert.equal(c.code, 0, c.err);
  assert.match(c.out, /test accuracy \d+\.\d+%/);
  const info = JSON.parse(
    readFileSync(join(work, '.cache', 'classifiers', 'mnist', 'classifier.json'), 'utf8'),
  );
  assert.ok(info.testAccuracy > 0.5 && info.featureDim === 8);

  const e = vaekit('eval', 'runs/iw', '--k', '30', '--iwae-k', '3', '--limit', '20', '--samples', '200');
  assert.equal(e.code, 0, e.err);
  assert.match(e.out, /IS-NLL, k=30 +\d+\.\d+ nats/);
  assert.match(e.out, /active units +\d \/ 4/);
  assert.match(e.out, /Fréchet distance/);
  const r = JSON.parse(readFileSync(join(run, 'eval', 'eval.json'), 'utf8'));
  assert.equal(r.testImages, 20);
  // on the same 20 images: −log p̂ (k = 30) ≤ −L_3 ≤ −ELBO, up to sampling noise
  assert.ok(r.importanceSampled.nll < r.iwae.nll + 1, JSON.stringify(r));
  assert.ok(r.iwae.nll < r.elbo.loss + 1, JSON.stringify(r));
  assert.ok(r.sampleQuality.frechetDistance > 0);
  for (const png of ['kl-per-dim.png', 'curves.png', 'latent-curves.png'])
    assert.ok(decodePng(readFileSync(join(run, 'eval', png)), png).width > 100);
  assert.match(readFileSync(join(run, 'eval', 'report.md'), 'utf8'), /## Posterior collapse/);
});

test('bad input to eval and the IWAE flags stops with exit code 2', () => {
  assert.equal(vaekit('eval', 'runs/none').code, 2);
  assert.equal(vaekit('eval', 'runs/iw', '--k', '-5').code, 2);
  assert.equal(vaekit('eval', 'runs/iw', '--classifier', 'nowhere', '--k', '0', '--iwae-k', '0').code, 2);
  const k = vaekit('train', '--name', 'bad', '--objective', 'elbo', '--k', '3', '--epochs', '1');
  assert.equal(k.code, 2);
  assert.match(k.err, /objective/);
});

test('eval --gaps writes both gaps on test and training images; --refine-steps refines at evaluation; other models are refused', () => {
  const t = vaekit(
    ...['train', '--name', 'gap', '--hidden', '32', '--latent-dim', '3', '--epochs', '1', '--seed', '2'],
  );
  assert.equal(t.code, 0, t.err);
  const run = join(work, 'runs', 'gap');
  const cheap = ['--limit', '6', '--k', '100', '--iwae-k', '0', '--no-quality'];
  const e = vaekit(
    'eval',
    run,
    '--gaps',
    ...cheap,
    '--ais-steps',
    '10',
    '--ais-chains',
    '2',
    '--gap-samples',
    '50',
    '-o',
    join(work, 'g1'),
  );
  assert.equal(e.code, 0, e.err);
  assert.match(e.out, /gaps, 6 test +approximation -?\d+\.\d+ ± \d+\.\d+ +amortisation/);
  const report = JSON.parse(readFileSync(join(work, 'g1', 'eval.json'), 'utf8'));
  for (const split of ['test', 'train']) {
    const g = report.gaps[split];
    assert.equal(g.images, 6);
    assert.equal(g.perImage.amortisationGap.length, 6);
    assert.ok(Math.abs(g.totalGap.mean - g.approximationGap.mean - g.amortisationGap.mean) < 1e-9);
    assert.ok(g.logLikelihood.is && g.logLikelihood.ais, 'both estimates of log p(x)');
    assert.ok(decodePng(readFileSync(join(work, 'g1', `gaps-${split}.png`)), split).width > 100);
  }
  assert.match(readFileSync(join(work, 'g1', 'report.md'), 'utf8'), /amortisation gap/);
  // a plain model refined at evaluation: a better ELBO on the same images and draws
  const plain = JSON.parse(readFileSync(join(work, 'g1', 'eval.json'), 'utf8')).bound.nats;
  const r = vaekit('eval', run, '--refine-steps', '5', ...cheap, '--k', '0', '-o', join(work, 'g2'));
  assert.equal(r.code, 0, r.err);
  const refined = JSON.parse(readFileSync(join(work, 'g2', 'eval.json'), 'utf8'));
  assert.match(refined.model, /refined by 5 steps/);
  assert.ok(!existsSync(join(work, 'g2', 'gaps-test.png')));
  // an evaluation without --gaps into a folder that had them leaves no stale histogram behind
  const again = vaekit('eval', run, ...cheap, '--k', '0', '-o', join(work, 'g1'));
  assert.equal(again.code, 0, again.err);
  assert.ok(!existsSync(join(work, 'g1', 'gaps-test.png')), 'the old histogram is gone');
  // a --gaps setting without --gaps is refused, not ignored
  const alone = vaekit('eval', run, '--ais-steps', '50', ...cheap, '-o', join(work, 'g5'));
  assert.equal(alone.code, 2);
  assert.match(alone.err, /--ais-steps/);
  assert.ok(refined.bound.nats < plain + 1, `refined −ELBO ${refined.bound.nats} vs ${plain}`);
  // no estimate of log p(x) to split the gap with
  const none = vaekit('eval', run, '--gaps', '--k', '0', '--ais-steps', '0', '-o', join(work, 'g3'));
  assert.equal(none.code, 2);
  assert.match(none.err, /--gaps/);
  // a hierarchical VAE has no single per-image posterior to optimise
  const h = vaekit(
    'train',
    '--name',
    'h',
    '--model',
    'hvae',
    '--width',
    '16',
    '--latent-dim',
    '2',
    '--hidden',
    '16',
    '--epochs',
    '1',
  );
  assert.equal(h.code, 0, h.err);
  for (const flag of [['--gaps'], ['--refine-steps', '2']]) {
    const refused = vaekit('eval', join(work, 'runs', 'h'), ...flag, ...cheap, '-o', join(work, 'g4'));
    assert.equal(refused.code, 2, refused.err);
    assert.match(refused.err, /per-image posterior parameters \(vae, cvae\)/);
  }
});
