/**
 * Adversarial findings F4 and F2 (wording) on #13: every data file vaekit reads must be a regular file of a
 * bounded size. A symbolic link to /dev/zero named `zz.png` in an image folder made `train` read without
 * end (9.5 GB RSS), and a FIFO named `zz.png` (or given as an IDX file, or as `-c`) made it hang in open().
 * Now one checked reader opens each file with O_NONBLOCK, checks the opened file with fstat (a regular
 * file, at most 256 MiB for an image) and reads at most the size it had; an image folder's entries are
 * checked the same way when the folder is scanned, before any run directory exists. Each such entry is an
 * InputError naming it (exit 2), or is skipped and counted with `--skip-bad-files`, in memory and with
 * `--stream`.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { encodeImageGrid } from '../../src/io/png.js';
import { assertInputError, type CliResult, TINY, tempDir, tinyIdxDir } from './cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'vaekit.js');
const work = tempDir('datafiles');

/** `vaekit …args` in `cwd`, killed after 60 s (a hang reads as code null, so it fails). */
function vaekit(cwd: string, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const mkfifo = (path: string) => execFileSync('mkfifo', [path]);

/** A grey 8×8 PNG. */
const PNG = encodeImageGrid(new Float32Array(64).fill(0.5), 1, [8, 8, 1], { padding: 0 });

/** An image folder of two classes, 20 good PNGs each, with `bad` made by `make` in class `a`. */
function folderWith(name: string, bad: Record<string, (path: string) => void>): string {
  const dir = join(work, name);
  for (const c of ['a', 'b']) {
    mkdirSync(join(dir, c), { recursive: true });
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, c, `${String(i).padStart(2, '0')}.png`), PNG);
  }
  for (const [file, make] of Object.entries(bad)) make(join(dir, 'a', file));
  return dir;
}

const BAD: Record<string, { what: string; make: (path: string) => void; found: RegExp }> = {
  'zero.png': {
    what: 'a link to /dev/zero',
    make: (p) => symlinkSync('/dev/zero', p),
    found: /character device/,
  },
  'fifo.png': { what: 'a FIFO', make: mkfifo, found: /named pipe \(FIFO\)/ },
  // 300 MiB on paper, a sparse file on disk
  'big.png': {
    what: 'a 300 MiB file',
    make: (p) => {
      writeFileSync(p, PNG);
      truncateSync(p, 300 * 2 ** 20);
    },
    found: /at most 256\.0 MiB.*found a file of 300\.0 MiB/,
  },
};

const IMAGE_FLAGS = ['--image-size', '8', '--channels', '1', '--batch-size', '10'];

for (const [file, { what, make, found }] of Object.entries(BAD)) {
  for (const stream of [false, true]) {
    test(`an image folder entry ${file}, ${what}, is refused naming it${stream ? ', with --stream' : ''}, before anything is written`, () => {
      const dir = folderWith(`${file}-${stream}`, { [file]: make });
      const cwd = tempDir('cwd');
      const r = vaekit(
        cwd,
        'train',
        ...TINY,
        ...IMAGE_FLAGS,
        ...(stream ? ['--stream'] : []),
        '--dataset',
        dir,
        '--name',
        'r',
      );
      assertInputError(
        r,
        new RegExp(`a/${file.replace('.', '\\.')}: expected a readable image file.*${found.source}`),
        file,
      );
      assert.ok(!existsSync(join(cwd, 'runs')), 'a run directory was made');
    });
  }
}

for (const stream of [false, true]) {
  test(`--skip-bad-files skips such entries and counts them${stream ? ', with --stream' : ''}`, () => {
    const dir = folderWith(
      `skip-${stream}`,
      Object.fromEntries(Object.entries(BAD).map(([f, b]) => [f, b.make])),
    );
    const cwd = tempDir('cwd');
    const r = vaekit(
      cwd,
      'train',
      ...TINY,
      ...IMAGE_FLAGS,
      ...(stream ? ['--stream'] : []),
      '--skip-bad-files',
      '--dataset',
      dir,
      '--name',
      'r',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /skipped 3 file\(s\)/);
  });
}

test('an IDX file that is a link to /dev/zero or a FIFO is refused naming it, without reading it', () => {
  for (const [what, make, found] of [
    ['zero', (p: string) => symlinkSync('/dev/zero', p), /character device/],
    ['fifo', mkfifo, /named pipe/],
  ] as const) {
    const dir = tinyIdxDir(join(work, `idx-${what}`));
    const file = join(dir, 't10k-labels-idx1-ubyte');
    execFileSync('rm', [file]);
    make(file);
    const r = vaekit(tempDir('cwd'), 'train', ...TINY, '--dataset', dir, '--name', 'r');
    assertInputError(
      r,
      new RegExp(
        `t10k-labels-idx1-ubyte: expected a readable IDX file \\(a regular file\\), found .*${found.source}`,
      ),
      what,
    );
  }
});

test('the checked reader refuses a FIFO, a device, a folder and a file over its bound, without blocking', () => {
  const fifo = join(work, 'reader.fifo');
  mkfifo(fifo);
  const big = join(work, 'reader-big.yaml');
  writeFileSync(big, 'a: 1\n');
  truncateSync(big, 17 * 2 ** 20);
  const script = join(work, 'reader.mts');
  const src = (p: string) => JSON.stringify(pathToFileURL(join(ROOT, 'src', p)).href);
  writeFileSync(
    script,
    `
const { readInputFile, readInputText, readInputHead } = await import(${src('io/files.ts')});
const { readIdx } = await import(${src('data/idx.ts')});
const { InputError } = await import(${src('core/errors.ts')});
const out = {};
const tries = {
  fifoFile: () => readInputFile(${JSON.stringify(fifo)}, 'a file'),
  fifoText: () => readInputText(${JSON.stringify(fifo)}, 'a config file'),
  fifoHead: () => readInputHead(${JSON.stringify(fifo)}, 16, 'a file'),
  fifoIdx: () => readIdx(${JSON.stringify(fifo)}),
  zero: () => readInputFile('/dev/zero', 'a file'),
  folder: () => readInputFile(${JSON.stringify(work)}, 'a file'),
  bigText: () => readInputText(${JSON.stringify(big)}, 'a config file'),
};
for (const [k, f] of Object.entries(tries)) {
  try { f(); out[k] = 'read'; } catch (e) { out[k] = (e instanceof InputError ? 'InputError: ' : 'other: ') + e.message; }
}
process.stdout.write(JSON.stringify(out));
`,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `the reader blocked or died: ${r.error ?? r.stderr.slice(-2000)}`);
  const out = JSON.parse(r.stdout) as Record<string, string>;
  for (const k of ['fifoFile', 'fifoText', 'fifoHead', 'fifoIdx']) {
    assert.match(out[k], /^InputError: .*reader\.fifo: expected .*found a named pipe \(FIFO\)/, k);
  }
  assert.match(out.zero, /^InputError: \/dev\/zero: .*found a character device/);
  assert.match(out.folder, /^InputError: .*found a folder/);
  assert.match(
    out.bigText,
    /^InputError: .*reader-big\.yaml: expected a config file of at most 16\.0 MiB .*found a file of 17\.0 MiB/,
  );
});

test('a FIFO given as -c is refused naming it, without blocking', () => {
  const cfg = join(work, 'cfg.yaml');
  mkfifo(cfg);
  const r = spawnSync(process.execPath, [BIN, 'train', '-c', cfg], {
    cwd: work,
    encoding: 'utf8',
    timeout: 20_000,
  });
  assertInputError(
    { code: r.status, out: r.stdout, err: r.stderr },
    /cfg\.yaml: expected .*found a named pipe \(FIFO\)/,
    '-c',
  );
});
