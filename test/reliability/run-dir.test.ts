/**
 * Class 2 of issue #13 — run directories. A run name is one safe path segment: a name that would write
 * outside --runs-dir (`../x`, an absolute path) or into it (`""`, `.`) is refused with exit code 2 and
 * nothing is written anywhere; an existing folder that is not a vaekit run is never written into.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { defaultClassifierDir } from '../../src/eval/classifier.js';
import { runDirFor } from '../../src/run/run-dir.js';
import { assertInputError, listTree, TINY, tempDir, tinyIdxDir, vaekitIn } from './cli.js';

const BAD_NAMES = [
  '../x',
  '../../x',
  '..',
  '.',
  '',
  'a/b',
  'x/../../y',
  './x',
  'a\\b',
  '..\\x',
  '.hidden',
  '-rf',
  'a\u0000b',
  'x'.repeat(300),
];

test('runDirFor refuses every name that is not one safe folder name, and takes ordinary ones', () => {
  const runs = join(tempDir('names'), 'runs');
  for (const name of [...BAD_NAMES, '/tmp/abs', 'C:\\x', 'a b', 'a:b', 'é/../x']) {
    assert.throws(
      () => runDirFor(runs, name),
      (e: unknown) => e instanceof InputError && /--name/.test(e.message),
      JSON.stringify(name),
    );
  }
  for (const name of ['vae-mnist-20261127-031500', 'run_1', 'β-vae', 'a.b', '2026', 'x+y=z@1,2']) {
    assert.equal(runDirFor(runs, name), join(runs, name));
  }
});

test('the default classifier folder of a dataset named .. stays inside .cache/classifiers', () => {
  for (const dataset of ['..', 'data/..', '/', '.'])
    assert.equal(defaultClassifierDir(dataset), join('.cache', 'classifiers', 'data'), dataset);
  assert.equal(defaultClassifierDir('data/fashion'), join('.cache', 'classifiers', 'fashion'));
});

test('vaekit train: a --name outside or on --runs-dir exits 2 and writes nothing anywhere', () => {
  const root = tempDir('traversal');
  const work = join(root, 'a', 'b');
  mkdirSync(join(work, 'runs'), { recursive: true });
  const data = tinyIdxDir(join(root, 'data'));
  const before = listTree(root);
  // the spellings of the issue and a few more; runDirFor's test above covers the rest without a process each
  for (const name of ['../x', '../../x', '', '.', 'x/../../y', join(root, 'abs')]) {
    const r = vaekitIn(work, ['train', ...TINY, '--dataset', data, '--runs-dir', 'runs', '--name', name]);
    assertInputError(r, /--name: expected one folder name/, JSON.stringify(name));
    assert.doesNotMatch(r.out, /training/, 'nothing announced');
  }
  assert.deepEqual(listTree(root), before, 'nothing was written');
});

test('vaekit train: an existing folder is refused unless empty; a run only with --resume; a symlink never', () => {
  const root = tempDir('existing');
  const data = tinyIdxDir(join(root, 'data'));
  const runs = join(root, 'runs');
  // a folder of someone else's files: nothing of it may be overwritten
  mkdirSync(join(runs, 'mine', 'samples'), { recursive: true });
  writeFileSync(join(runs, 'mine', 'metrics.jsonl'), 'my own notes\n');
  writeFileSync(join(runs, 'mine', 'samples', 'epoch-001.png'), 'my picture');
  const before = listTree(root);
  const train = (name: string, ...more: string[]) =>
    vaekitIn(root, ['train', ...TINY, '--dataset', data, '--runs-dir', 'runs', '--name', name, ...more]);
  assertInputError(train('mine'), /not a vaekit run \(no config\.json\)/, 'non-empty folder');
  assert.deepEqual(listTree(root), before);
  assert.equal(readFileSync(join(runs, 'mine', 'metrics.jsonl'), 'utf8'), 'my own notes\n');
  // --resume of that folder: it is not a run, nothing is written either
  assertInputError(
    vaekitIn(root, ['train', '--resume', join(runs, 'mine')]),
    /config\.json/,
    'resume a non-run',
  );
  assert.deepEqual(listTree(root), before);
  // a file, and a symbolic link to a folder elsewhere
  writeFileSync(join(runs, 'file'), 'x');
  mkdirSync(join(root, 'elsewhere'));
  symlinkSync(join(root, 'elsewhere'), join(runs, 'link'));
  assertInputError(train('file'), /a file/, 'file');
  assertInputError(train('link'), /a symbolic link/, 'symlink');
  assert.deepEqual(listTree(join(root, 'elsewhere')), []);
  // an empty folder may become a run; then the same name is an existing run (--resume)
  mkdirSync(join(runs, 'empty'));
  const ok = train('empty');
  assert.equal(ok.code, 0, ok.err);
  assert.ok(existsSync(join(runs, 'empty', 'config.json')));
  assertInputError(train('empty'), /an existing run[\s\S]*--resume/, 'existing run');
});
