/**
 * The layer rule of `npm run lint` (.dependency-cruiser.cjs) is itself tested: on a throw-away tree laid
 * out like src/, an import downward passes, and an import upward, a cycle between files and a folder that
 * is not a layer each fail with the rule's name.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';

const REPO = resolve(import.meta.dirname, '../..');
const CONFIG = join(REPO, '.dependency-cruiser.cjs');
const DEPCRUISE = join(REPO, 'node_modules/.bin/depcruise');

/** Lints a tree of `files` (path → source) with the project's rule; returns the exit code and report. */
function lint(files: Record<string, string>): { code: number; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vk-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext' } }));
  const r = spawnSync(DEPCRUISE, ['src', '--config', CONFIG, '--output-type', 'err'], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const model = { 'src/models/vae.ts': "import { Rng } from '../core/random.js';\nexport const vae = Rng;\n" };
const core = { 'src/core/random.ts': 'export class Rng {}\n' };

test('an import from a lower layer passes the layer rule', () => {
  const r = lint({ ...core, ...model });
  assert.equal(r.code, 0, r.out);
});

test('a deliberately added upward import fails the layer rule, naming it', () => {
  const r = lint({
    ...model,
    'src/core/random.ts':
      "import { vae } from '../models/vae.js';\nexport class Rng {}\nexport const v = vae;\n",
  });
  assert.notEqual(r.code, 0);
  assert.match(r.out, /no-upward-import-from-core: src\/core\/random\.ts → src\/models\/vae\.ts/);
});

test('a cycle between files of one folder and a folder that is no layer fail too', () => {
  const cycle = lint({
    'src/data/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
    'src/data/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
  });
  assert.notEqual(cycle.code, 0);
  assert.match(cycle.out, /no-circular/);
  const stray = lint({
    ...core,
    'src/helpers/x.ts': "import { Rng } from '../core/random.js';\nexport const x = Rng;\n",
  });
  assert.notEqual(stray.code, 0);
  assert.match(stray.out, /no-unknown-layer/);
});

test('outside src/backend, the backend is reached only through its index', () => {
  const backend = {
    'src/backend/index.ts': "export { adam } from './wasm/adam.js';\n",
    'src/backend/wasm/adam.ts': 'export const adam = 1;\n',
  };
  assert.equal(
    lint({
      ...backend,
      'src/train/a.ts': "import { adam } from '../backend/index.js';\nexport const a = adam;\n",
    }).code,
    0,
  );
  const r = lint({
    ...backend,
    'src/train/a.ts': "import { adam } from '../backend/wasm/adam.js';\nexport const a = adam;\n",
  });
  assert.notEqual(r.code, 0);
  assert.match(r.out, /backend-through-its-index/);
});

test('src/ may not import the built package (vaekit, dist/) instead of its own files', () => {
  const r = lint({
    ...core,
    'dist/index.js': 'export const x = 1;\n',
    'src/core/y.ts': "import { x } from '../../dist/index.js';\nexport const y = x;\n",
  });
  assert.notEqual(r.code, 0);
  assert.match(r.out, /no-self-import/);
});
