/**
 * Class 7 of issue #13 — no stack traces. Every input of the list exits with code 2 and says
 * which file or field, what was expected and what was found; an oversize model is refused from its
 * computed size before anything is allocated; and an unexpected internal error prints one line and the
 * path of a crash log holding the trace, and exits 1.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { writeCrashLog } from '../../src/cli/main.js';
import { encodeImageGrid } from '../../src/io/png.js';
import { assertInputError, listTree, TINY, tempDir, tinyIdxDir, vaekitIn } from './cli.js';

const root = tempDir('traces');
const data = join(root, 'data');
const run = join(root, 'runs', 'r');
const vaekit = (...args: string[]) => vaekitIn(root, args);

before(() => {
  tinyIdxDir(data);
  const t = vaekit('train', ...TINY, '--dataset', data, '--runs-dir', 'runs', '--name', 'r');
  assert.equal(t.code, 0, t.err);
});

/** A copy of the trained run, to break. */
function copyRun(name: string): string {
  const dir = join(root, 'runs', name);
  cpSync(run, dir, { recursive: true });
  return dir;
}

test('a latest.json or best.json that is not JSON: named, never a trace', () => {
  const dir = copyRun('badptr');
  for (const args of [
    ['train', '--resume', dir, '--epochs', '2'],
    ['sample', dir, '--checkpoint', 'latest', '-o', join(root, 'p.png')],
    ['sample', dir, '-o', join(root, 'p.png')],
  ]) {
    // broken again before each command (a resume writes new pointers)
    writeFileSync(join(dir, 'checkpoints', 'latest.json'), '{ "checkpoint": ');
    writeFileSync(join(dir, 'checkpoints', 'best.json'), 'not json');
    const r = vaekit(...args);
    // exit 2 naming the pointer, or the newest checkpoint that reads whole, saying why
    if (r.code === 0)
      assert.match(r.err, /(latest|best)\.json cannot be read: using step-\d+/, args.join(' '));
    else assertInputError(r, /(latest|best)\.json/, args.join(' '));
    assert.doesNotMatch(r.err, /\n\s+at /, `${args.join(' ')}: a stack trace`);
  }
});

test('train and test IDX images of different sizes; a self-looping symlink in an image folder', () => {
  const mixed = tinyIdxDir(join(root, 'mixed'), { side: 8, testSide: 10 });
  assertInputError(
    vaekit('train', ...TINY, '--dataset', mixed, '--runs-dir', 'runs', '--name', 'm'),
    /t10k-images-idx3-ubyte: expected images of 8×8×1.*found images of 10×10×1/,
    'IDX sizes',
  );
  const folder = join(root, 'folder');
  mkdirSync(folder);
  const png = encodeImageGrid(new Float32Array(64).fill(0.5), 1, [8, 8, 1], { padding: 0 });
  for (let i = 0; i < 20; i++) writeFileSync(join(folder, `img${i}.png`), png);
  for (const name of ['loop.png', 'loop']) {
    symlinkSync(name, join(folder, name));
    assertInputError(
      vaekit('train', ...TINY, '--dataset', folder, '--image-size', '8', '--runs-dir', 'runs', '--name', 'f'),
      new RegExp(`${name.replace('.', '\\.')}: expected .*ELOOP`),
      `ELOOP ${name}`,
    );
    rmSync(join(folder, name));
  }
});

test('-o into a folder that does not exist, or naming an existing folder, for every command that writes', () => {
  mkdirSync(join(root, 'existing'), { recursive: true });
  const before = listTree(root);
  const missing = join(root, 'no', 'such');
  for (const [cmd, ext] of [
    ['sample', '.png'],
    ['reconstruct', '.png'],
    ['encode', '.csv'],
    ['encode', '.npy'],
    ['compare', '.png'],
  ]) {
    assertInputError(
      vaekit(cmd, run, '-o', join(missing, `out${ext}`)),
      /--out .*no folder/,
      `${cmd} missing`,
    );
    assertInputError(
      vaekit(cmd, run, '-o', join(root, 'existing')),
      /--out .*(folder|extension)/,
      `${cmd} folder`,
    );
  }
  writeFileSync(join(root, 'a-file'), 'x');
  assertInputError(vaekit('eval', run, '-o', join(root, 'a-file')), /--out .*a file/, 'eval into a file');
  rmSync(join(root, 'a-file'));
  assert.deepEqual(listTree(root), before, 'nothing was written');
});

test('sample -n 1000000, serve --port 70000 and the other counts: the limit is stated', () => {
  assertInputError(
    vaekit('sample', run, '-n', '1000000'),
    /--count: expected at most \d+ images/,
    'sample -n',
  );
  assertInputError(vaekit('serve', run, '--port', '70000'), /--port.*0 to 65535.*70000/, 'serve --port');
  assertInputError(
    vaekit('eval', run, '--rows', '1000000000'),
    /--rows: expected at most \d+/,
    'eval --rows',
  );
  assertInputError(vaekit('eval', run, '--samples', '1000000'), /--samples.*50000/, 'eval --samples');
  assertInputError(vaekit('compare', run, '-n', '1000000'), /--count.*50000/, 'compare -n');
});

test('an unedited run of every model kind resumes: the checks of config.json against its checkpoint pass', () => {
  for (const [name, flags] of [
    [
      'conv-learned',
      ['--arch', 'conv', '--filters', '2,2', '--likelihood', 'gaussian-learned', '--latent-dim', '2'],
    ],
    ['hvae', ['--model', 'hvae', '--width', '8', '--latent-dim', '2', '--hidden', '8']],
    [
      'wgan',
      ['--model', 'wgan', '--generator-filters', '4,2', '--critic-filters', '2,4', '--latent-dim', '2'],
    ],
    ['cvae', ['--model', 'cvae', '--hidden', '8']],
  ] as [string, string[]][]) {
    const t = vaekit(
      'train',
      ...flags,
      '--dataset',
      data,
      '--epochs',
      '1',
      '--batch-size',
      '50',
      '--runs-dir',
      'runs',
      '--name',
      name,
    );
    assert.equal(t.code, 0, t.err);
    const r = vaekit('train', '--resume', join(root, 'runs', name), '--epochs', '2');
    assert.equal(r.code, 0, `${name}: ${r.err}`);
    assert.match(r.out, /epoch 2\/2/);
  }
});

test('--resume after config.json was edited, or after the data changed shape', () => {
  const edited = copyRun('edited');
  const configPath = join(edited, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  writeFileSync(configPath, JSON.stringify({ ...config, model: { ...config.model, latentDim: 3 } }));
  // the checkpoints record the configuration they were written with: the edit itself is named
  const edit = /config\.json was edited after this checkpoint was written: model\.latentDim 2 → 3/;
  assertInputError(vaekit('train', '--resume', edited, '--epochs', '2'), edit, 'latentDim edited');
  assertInputError(vaekit('sample', edited), edit, 'sample of an edited run');
  writeFileSync(configPath, JSON.stringify({ ...config, model: { type: 'gan', latentDim: 2 } }));
  assertInputError(
    vaekit('train', '--resume', edited, '--epochs', '2'),
    /config\.json was edited after this checkpoint was written: model\./,
    'model type edited',
  );
  // the data grows from 8×8 to 12×12 images under the run
  const moving = tinyIdxDir(join(root, 'moving'));
  const t = vaekit('train', ...TINY, '--dataset', moving, '--runs-dir', 'runs', '--name', 'moving');
  assert.equal(t.code, 0, t.err);
  tinyIdxDir(moving, { side: 12 });
  for (const args of [
    ['train', '--resume', join(root, 'runs', 'moving'), '--epochs', '2'],
    ['encode', join(root, 'runs', 'moving'), '-o', join(root, 'z.csv')],
  ]) {
    assertInputError(vaekit(...args), /inputShape 8×8×1.*found 12×12×1/, args[0]);
  }
});

test('oversize models are refused from their computed size, before anything is allocated', () => {
  const runs = join(root, 'big-runs');
  for (const flags of [
    ['--latent-dim', '1e9'],
    ['--latent-dim', '1000000'],
    ['--hidden', '10000000'],
    ['--filters', '100000,100000'],
    ['--model', 'hvae', '--width', '1000000'],
    ['--model', 'hvae', '--groups', '100000'],
    ['--model', 'gan', '--generator-filters', '100000', '--latent-dim', '2'],
    ['--likelihood', 'logistic-mixture', '--mixtures', '1000000'],
    ['--objective', 'iwae', '--k', '10000000'],
  ]) {
    const r = vaekitIn(root, [
      'train',
      '--dataset',
      data,
      '--epochs',
      '1',
      '--runs-dir',
      runs,
      '--name',
      'x',
      ...flags,
    ]);
    assertInputError(
      r,
      /expected at most 2\.0 GiB to train, found [\d.]+ [GT]iB: [\d,]+ parameters/,
      flags.join(' '),
    );
  }
  assert.deepEqual(
    listTree(root).filter((p) => p.startsWith('big-runs')),
    [],
  );
  const clf = vaekitIn(root, [
    'train-classifier',
    '--dataset',
    data,
    '--hidden',
    '10000000',
    '-o',
    join(root, 'clf'),
  ]);
  assertInputError(clf, /classifier .*expected at most 2\.0 GiB to train/, 'train-classifier --hidden');
  assert.ok(!listTree(root).includes('clf'));
});

test('the crash log goes to $VAEKIT_CRASH_DIR, else to the system temporary folder', () => {
  const saved = process.env.VAEKIT_CRASH_DIR;
  try {
    delete process.env.VAEKIT_CRASH_DIR;
    const path = writeCrashLog(new Error('unit'), ['node', 'vaekit', 'sample', 'x']);
    assert.ok(path?.startsWith(tmpdir()), String(path));
    assert.match(readFileSync(path ?? '', 'utf8'), /Error: unit\n\s+at /);
    rmSync(path ?? '');
  } finally {
    if (saved !== undefined) process.env.VAEKIT_CRASH_DIR = saved;
  }
});

test('an unexpected internal error: one line, the path of a crash log with the trace, exit 1', () => {
  const crashDir = join(root, 'crashes');
  const hook = join(root, 'bug-hook.mjs');
  // a bug inside a command: the line "wrote …" makes stdout throw
  writeFileSync(
    hook,
    "const write = process.stdout.write.bind(process.stdout);\nprocess.stdout.write = (s, ...a) => { if (String(s).startsWith('wrote')) throw new TypeError('simulated bug'); return write(s, ...a); };\n",
  );
  // a bug outside the command's promise (an event handler, a timer), once vaekit's handlers are in place
  const later = join(root, 'later-hook.mjs');
  writeFileSync(
    later,
    "const t = setInterval(() => { if (process.listenerCount('uncaughtException') > 0) { clearInterval(t); throw new RangeError('simulated late bug'); } }, 5);\n",
  );
  for (const [file, message] of [
    [hook, 'TypeError: simulated bug'],
    [later, 'RangeError: simulated late bug'],
  ]) {
    rmSync(crashDir, { recursive: true, force: true });
    const r = vaekitIn(root, ['sample', run, '-o', join(root, 'crash.png')], {
      nodeArgs: ['--import', file],
      env: { VAEKIT_CRASH_DIR: crashDir },
    });
    assert.equal(r.code, 1, r.err);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    const lines = r.err.trim().split('\n');
    assert.equal(lines.length, 2, r.err);
    assert.equal(lines[0], `vaekit: internal error: ${message}`);
    const log = /the details are in (\S+)$/.exec(lines[1])?.[1];
    assert.ok(log?.startsWith(crashDir), r.err);
    const text = readFileSync(log ?? '', 'utf8');
    assert.match(text, new RegExp(message));
    assert.match(text, /\n\s+at /, 'the trace is in the log');
    assert.match(text, /command: sample /);
  }
});
