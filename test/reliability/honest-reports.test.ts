/**
 * What vaekit reports is what happened: settings a run would never use are refused, an evaluation with
 * non-finite results exits 3, a roll-back names the learning rates the optimisers really got, an epoch with
 * no update is a failure, a resumed epoch keeps its speed, and a resume asked for fewer epochs says so.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeImageGrid } from '../../src/io/png.js';
import { assertInputError, listTree, TINY, tempDir, tinyIdxDir, vaekitIn } from './cli.js';

const root = tempDir('honest');
const data = tinyIdxDir(join(root, 'data'));
const run = (...args: string[]) => vaekitIn(root, args);
const records = (name: string) =>
  readFileSync(join(root, 'runs', name, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

test('settings the run would never use are refused before anything is written', () => {
  const folder = join(root, 'folder');
  mkdirSync(folder);
  const png = encodeImageGrid(new Float32Array(64).fill(0.5), 1, [8, 8, 1], { padding: 0 });
  for (let i = 0; i < 20; i++) writeFileSync(join(folder, `img${i}.png`), png);
  const before = listTree(root);
  const cases: [string[], RegExp][] = [
    [['--sigma', '0.5'], /model\.sigma \(--sigma\).*bernoulli likelihood has no σ/],
    [['--mixtures', '3'], /model\.mixtures \(--mixtures\).*bernoulli likelihood/],
    [['--likelihood', 'gaussian', '--mixtures', '3'], /model\.mixtures.*gaussian likelihood/],
    [['--channels', '1'], /data\.channels \(--channels\).*not a folder of PNG\/JPEG images/],
    [['--image-size', '16'], /data\.imageSize \(--image-size\)/],
    [['--stream'], /data\.stream \(--stream\)/],
    [['--skip-bad-files'], /data\.skipBadFiles \(--skip-bad-files\)/],
  ];
  for (const [flags, message] of cases) {
    const r = run('train', ...TINY, '--dataset', data, '--runs-dir', 'runs', '--name', 'u', ...flags);
    assertInputError(r, message, flags.join(' '));
  }
  // from a config file too
  writeFileSync(join(root, 'c.json'), JSON.stringify({ data: { dataset: data, stream: true } }));
  assertInputError(run('train', '-c', 'c.json', ...TINY, '--name', 'u'), /data\.stream/);
  const after = listTree(root).filter((p) => p !== 'c.json');
  assert.deepEqual(after, before, 'a refused run wrote something');
  // the same settings where they apply are taken
  const ok = run(
    'train',
    ...TINY,
    '--dataset',
    data,
    '--likelihood',
    'gaussian',
    '--sigma',
    '0.5',
    '--name',
    'g',
  );
  assert.equal(ok.code, 0, ok.err);
  const img = run(
    'train',
    ...TINY,
    '--batch-size',
    '5',
    '--dataset',
    folder,
    '--image-size',
    '8',
    '--channels',
    '1',
    '--stream',
    '--name',
    'i',
  );
  assert.equal(img.code, 0, img.err);
});

test('eval of a diverged run exits 3 and says which results are not finite', () => {
  const r = run('train', ...TINY, '--epochs', '2', '--dataset', data, '--name', 'nan', '--lr', '1e30');
  assert.equal(r.code, 3, r.err);
  const e = run('eval', 'runs/nan', '--limit', '10', '--k', '4', '--iwae-k', '2', '--checkpoint', 'latest');
  assert.equal(e.code, 3, `${e.out}\n${e.err}`);
  assert.match(e.err, /evaluation gave non-finite results \(.*(ELBO|IS-NLL)/);
  assert.doesNotMatch(e.err, /\n\s+at /);
});

test('a GAN roll-back reports the learning rates its optimisers got; an epoch with no update fails (exit 3)', () => {
  const r = run(
    'train',
    '--model',
    'wgan-gp',
    '--generator-filters',
    '8,4',
    '--critic-filters',
    '4,8',
    '--latent-dim',
    '4',
    '--epochs',
    '2',
    '--batch-size',
    '50',
    '--dataset',
    data,
    '--name',
    'gan',
    '--lr',
    '1e6',
  );
  const events = records('gan').filter((x) => x.event === 'rollback');
  assert.ok(events.length > 0, 'lr 1e6 made no roll-back: the test no longer tests it');
  for (const ev of events) {
    // the model's own rate (1e6), halved: never the unused train.learningRate (1e-3) halved
    assert.match(ev.message, /learning rates? .*5(00000|e\+?5)/, ev.message);
    assert.doesNotMatch(ev.message, /0\.0005/, ev.message);
  }
  const last = records('gan')
    .filter((x) => x.epoch !== undefined && x.event === undefined)
    .at(-1);
  if (last && last.skippedSteps >= 6)
    assert.equal(r.code, 3, `an epoch without an update ended with exit ${r.code}`);
  assert.doesNotMatch(r.err, /\n\s+at /);
});

test('an epoch resumed from its last step keeps the speed of its steps; fewer epochs than trained is refused', () => {
  // 300 images / 50 = 6 steps an epoch; the run is killed right after the checkpoint of step 12 (the end of
  // epoch 2) is written, before epoch 2 is logged
  const r = vaekitIn(
    root,
    ['train', ...TINY, '--epochs', '3', '--dataset', data, '--name', 'k', '--checkpoint-every', '6'],
    { env: { VAEKIT_FAULT: 'checkpoint-renamed:12:1' } },
  );
  assert.notEqual(r.code, 0);
  const resumed = run('train', '--resume', 'runs/k');
  assert.equal(resumed.code, 0, resumed.err);
  const epochs = records('k').filter((x) => x.epoch !== undefined && x.event === undefined);
  assert.deepEqual(
    epochs.map((x) => x.epoch),
    [1, 2, 3],
  );
  for (const x of epochs)
    assert.ok(x.imagesPerSecond > 0 && Number.isFinite(x.imagesPerSecond), JSON.stringify(x));
  assertInputError(
    run('train', '--resume', 'runs/k', '--epochs', '1'),
    /--epochs: expected at least the 3 epochs/,
  );
  const done = run('train', '--resume', 'runs/k');
  assert.equal(done.code, 0, done.err);
  assert.match(done.out + done.err, /trained all 3 epochs: nothing to train/);
});

test('eval --k and sample -t have bounds', () => {
  assertInputError(run('eval', 'runs/k', '--k', '1e9'), /--k.*from 0 to 1000000/);
  assertInputError(run('sample', 'runs/k', '-t', '1e300'), /temperature.*from 0 to 100/);
});
