/**
 * A checkpoint is trusted only as far as it validates, and only with the configuration it was written
 * with (attack findings F5, F6, F9 of issue #13's second round):
 * - a state.json that parses but has the wrong shape or impossible values (null, no state, epoch −5, a
 *   random stream that is not a number, an optimiser group naming a path) does not read whole: readers
 *   and --resume take the newest checkpoint that does and say so, or exit 2 naming each — never a crash;
 * - every checkpoint records the run configuration that fixes the model and the data; a config.json edited
 *   afterwards (even keeping every weight's shape) is refused by every reader with exit 2 naming config.json,
 *   the checkpoint and the field; checkpoints written before this was recorded still read;
 * - a weight-shape mismatch names the checkpoint's file for sample/eval as for --resume;
 * - `--checkpoint best` on a run without best.json says it uses the latest.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { assertInputError, bin, tempDir, tinyIdxDir, vaekitIn } from './cli.js';

const root = tempDir('ckstate');
const data = join(root, 'data');
const vaekit = (...args: string[]) => vaekitIn(root, args);
const out = (f: string) => join(root, f);

// 300 images in batches of 50: 6 steps an epoch; checkpoints step-000000006 and step-000000012
const FLAGS = ['--hidden', '16', '--latent-dim', '2', '--batch-size', '50', '--runs-dir', 'runs'];

before(() => {
  tinyIdxDir(data);
  const t = vaekit('train', ...FLAGS, '--dataset', data, '--epochs', '2', '--name', 'base');
  assert.equal(t.code, 0, t.err);
});

function copyRun(name: string): string {
  const dir = join(root, 'runs', name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(root, 'runs', 'base'), dir, { recursive: true });
  return dir;
}

// biome-ignore lint/suspicious/noExplicitAny: hand-edited JSON files
type Json = Record<string, any>;
const stateFile = (run: string, ck = 'step-000000012') => join(run, 'checkpoints', ck, 'state.json');
const editState = (run: string, edit: (s: Json) => unknown, ck?: string) => {
  const s = JSON.parse(readFileSync(stateFile(run, ck), 'utf8'));
  writeFileSync(stateFile(run, ck), JSON.stringify(edit(s) ?? s));
};

const assertOk = (r: { code: number | null; out: string; err: string }, what: string) => {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.out}\n${r.err}`);
  assert.doesNotMatch(r.err, /internal error/, what);
};

const tamperings: Record<string, (run: string) => void> = {
  null: (run) => writeFileSync(stateFile(run), 'null'),
  'an empty state': (run) => writeFileSync(stateFile(run), '{"format":1,"step":12,"state":{}}'),
  'no state': (run) =>
    editState(run, (s) => {
      delete s.state;
    }),
  'epoch −5 and rng "x"': (run) =>
    editState(run, (s) => {
      s.state.epoch = -5;
      s.state.rng = 'x';
    }),
  'a fractional epoch': (run) =>
    editState(run, (s) => {
      s.state.epoch = 1.5;
    }),
  'a negative step': (run) =>
    editState(run, (s) => {
      s.step = -1;
    }),
  'a step other than the folder’s': (run) =>
    editState(run, (s) => {
      s.step = 7;
    }),
  'an optimiser group naming a path': (run) =>
    editState(run, (s) => {
      s.optimizerGroups = ['../x'];
    }),
  'optimizerGroups not a list': (run) =>
    editState(run, (s) => {
      s.optimizerGroups = 'model';
    }),
  'a learning rate of a string': (run) =>
    editState(run, (s) => {
      s.state.learningRate = '0.1';
    }),
  'a recorded config edited without its digest': (run) =>
    editState(run, (s) => {
      s.runConfig.seed = 99;
    }),
  'a weight spec that is not one': (run) =>
    writeFileSync(join(run, 'checkpoints', 'step-000000012', 'weights.json'), '{"weightSpecs":[{"name":1}]}'),
};

test('a state.json that parses but does not validate: every reader and --resume fall back to the older checkpoint, saying so', () => {
  for (const [i, [what, tamper]] of Object.entries(tamperings).entries()) {
    const run = copyRun('tampered');
    tamper(run);
    const readers = [
      ['sample', run, '--checkpoint', 'latest', '-n', '4', '-o', out('s.png')],
      ['sample', run, '-n', '4', '-o', out('s.png')],
      ['eval', run, '--limit', '20', '--k', '2', '--iwae-k', '2'],
    ];
    // every tampering with one reader and --resume; the first with all of them
    for (const args of i === 0 ? readers : readers.slice(0, 1)) {
      const r = vaekit(...args);
      assertOk(r, `${what}: ${args[0]}`);
      assert.match(
        r.err,
        /step-000000012, which (best|latest)\.json names, does not read whole: using step-000000006/,
        `${what}: ${args.join(' ')}`,
      );
    }
    const r = vaekit('train', '--resume', run, '--epochs', '3');
    assertOk(r, `${what}: --resume`);
    assert.match(r.err, /continuing from step 6 /, `${what}: resume`);
    const epochs = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.epoch !== undefined && l.test)
      .map((l) => l.epoch);
    assert.deepEqual(epochs, [1, 2, 3], `${what}: metrics.jsonl`);
  }
});

test('no checkpoint validates: exit 2 naming each, never an internal error', () => {
  const run = copyRun('all-bad');
  writeFileSync(stateFile(run), 'null');
  editState(
    run,
    (s) => {
      s.state.epoch = -5;
    },
    'step-000000006',
  );
  for (const args of [
    ['sample', run, '-n', '4', '-o', out('s.png')],
    ['train', '--resume', run, '--epochs', '3'],
  ]) {
    assertInputError(vaekit(...args), /step-000000012.*state\.json.*step-000000006.*state\.json/s, args[0]);
  }
});

/** config.json edits that keep every weight's shape. */
const edits: Record<string, [string, (c: Json) => void]> = {
  activation: [
    'model.network.activation',
    (c) => {
      c.model.network.activation = 'tanh';
    },
  ],
  likelihood: [
    'model.likelihood',
    (c) => {
      c.model.likelihood = 'gaussian';
    },
  ],
  binarize: [
    'data.binarize',
    (c) => {
      c.data.binarize = 'static';
    },
  ],
  seed: [
    'seed',
    (c) => {
      c.seed = 5;
    },
  ],
};

test('config.json edited after the checkpoints were written: every reader refuses, naming config.json, the checkpoint and the field', () => {
  for (const [what, [field, edit]] of Object.entries(edits)) {
    const run = copyRun(`edited-${what}`);
    const configPath = join(run, 'config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    edit(config);
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const message = new RegExp(
      `config\\.json.*step-0000000\\d\\d/state\\.json.*config\\.json was edited after this checkpoint was written: ${field.replace(/\./g, '\\.')}`,
    );
    const commands = [
      ['sample', run, '-n', '4', '-o', out('s.png')],
      ['train', '--resume', run, '--epochs', '3'],
      ['eval', run, '--limit', '20', '--k', '2', '--iwae-k', '2'],
      ['encode', run, '-o', out('z.csv')],
      ['reconstruct', run, '-o', out('r.png')],
    ];
    // every edit with sample and --resume; the first with every reader
    const first = what === 'activation';
    for (const args of first ? commands : commands.slice(0, 2)) {
      assertInputError(vaekit(...args), message, `${what}: ${args[0]}`);
    }
    if (!first) continue;
    // serve stops at the start (exit 2) instead of serving a model its config does not describe
    const s = spawnSync(process.execPath, [bin, 'serve', run, '--port', '0'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assertInputError({ code: s.status, out: s.stdout, err: s.stderr }, message, `${what}: serve`);
  }
});

/** Makes every checkpoint of `run` look written before checkpoints recorded the run config. */
function forgetRecordedConfig(run: string): void {
  for (const ck of readdirSync(join(run, 'checkpoints')).filter((e) => e.startsWith('step-')))
    editState(
      run,
      (s) => {
        delete s.runConfig;
        delete s.runConfigSha256;
      },
      ck,
    );
}

test('checkpoints written before the configuration was recorded still read', () => {
  const run = copyRun('legacy');
  forgetRecordedConfig(run);
  assertOk(vaekit('sample', run, '-n', '4', '-o', out('s.png')), 'sample of a legacy run');
  assertOk(vaekit('train', '--resume', run, '--epochs', '3'), 'resume of a legacy run');
  // the resumed run's new checkpoints record it
  const newest = readdirSync(join(run, 'checkpoints'))
    .filter((e) => e.startsWith('step-'))
    .sort()
    .at(-1)!;
  assert.ok(JSON.parse(readFileSync(join(run, 'checkpoints', newest, 'state.json'), 'utf8')).runConfig);
});

test('a weight-shape mismatch names the checkpoint file for sample and eval, as for --resume', () => {
  const run = copyRun('shape');
  const configPath = join(run, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  // a legacy checkpoint (no recorded config), so the weights themselves are what is checked
  forgetRecordedConfig(run);
  writeFileSync(configPath, JSON.stringify({ ...config, model: { ...config.model, latentDim: 3 } }));
  for (const args of [
    ['sample', run, '-n', '4', '-o', out('s.png')],
    ['eval', run, '--limit', '20', '--k', '2', '--iwae-k', '2'],
  ]) {
    assertInputError(vaekit(...args), /step-0000000\d\d\/weights\.bin: weight .*shape/, args[0]);
  }
});

test('--checkpoint best on a run without best.json says it uses the latest', () => {
  const run = copyRun('nobest');
  rmSync(join(run, 'checkpoints', 'best.json'));
  const r = vaekit('sample', run, '-n', '4', '-o', out('s.png'));
  assertOk(r, 'sample');
  assert.match(r.err, /no best checkpoint .*using the latest, step-000000012/);
  const e = vaekit('eval', run, '--checkpoint', 'best', '--limit', '20', '--k', '2', '--iwae-k', '2');
  assertOk(e, 'eval');
  assert.match(e.err, /no best checkpoint/);
});
