/**
 * One writer per run (attack finding F7 of issue #13's second round): `train` holds `runs/<name>/.lock`
 * (made with O_EXCL: pid, host, start time) while it writes the run. A second writer is refused with exit 2
 * ("run in use by pid N since …"); a lock whose process is gone (Ctrl-C, kill -9) is taken over with a note;
 * the lock goes when the writer ends; and a save never deletes another live process's temporary folder.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { assertInputError, bin, tempDir, tinyIdxDir, vaekitIn } from './cli.js';

const root = tempDir('lock');
const data = join(root, 'data');
const vaekit = (...args: string[]) => vaekitIn(root, args);
const FLAGS = ['--hidden', '16', '--latent-dim', '2', '--batch-size', '50', '--runs-dir', 'runs'];

before(() => {
  tinyIdxDir(data);
  const t = vaekit('train', ...FLAGS, '--dataset', data, '--epochs', '1', '--name', 'base');
  assert.equal(t.code, 0, t.err);
});

function copyRun(name: string): string {
  const dir = join(root, 'runs', name);
  cpSync(join(root, 'runs', 'base'), dir, { recursive: true });
  return dir;
}

/** The pid of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

test('a run locked by a live process: --resume is refused with exit 2 naming the pid, and the run is untouched', () => {
  const run = copyRun('held');
  const since = '2026-01-01T00:00:00.000Z';
  writeFileSync(join(run, '.lock'), JSON.stringify({ pid: process.pid, host: hostname(), started: since }));
  const before = readFileSync(join(run, 'metrics.jsonl'), 'utf8');
  assertInputError(
    vaekit('train', '--resume', run, '--epochs', '2'),
    new RegExp(`run in use by pid ${process.pid} since ${since.replace(/\./g, '\\.')}`),
    'resume of a locked run',
  );
  assert.equal(readFileSync(join(run, 'metrics.jsonl'), 'utf8'), before);
  assert.ok(existsSync(join(run, '.lock')), 'the other process’s lock is left alone');
  // readers need no lock
  const s = vaekit('sample', run, '-n', '4', '-o', join(root, 's.png'));
  assert.equal(s.code, 0, s.err);
});

test('a stale lock (its process gone) is taken over with a note, and released at the end', () => {
  const run = copyRun('stale');
  const pid = deadPid();
  writeFileSync(
    join(run, '.lock'),
    JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00Z' }),
  );
  const r = vaekit('train', '--resume', run, '--epochs', '2');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, new RegExp(`took over the lock of pid ${pid}`));
  // a train that ends leaves no lock (the first one neither)
  assert.equal(existsSync(join(run, '.lock')), false);
  assert.equal(existsSync(join(root, 'runs', 'base', '.lock')), false);
});

test('two trainings of one run at once: one is refused, the other finishes the run', async () => {
  const run = copyRun('race');
  const start = () =>
    new Promise<{ code: number | null; err: string }>((resolve) => {
      const p = spawn(process.execPath, [bin, 'train', '--resume', run, '--epochs', '30'], { cwd: root });
      let err = '';
      p.stderr.on('data', (d) => {
        err += d;
      });
      p.on('close', (code) => resolve({ code, err }));
    });
  const [a, b] = await Promise.all([start(), start()]);
  const codes = [a.code, b.code].sort();
  assert.deepEqual(codes, [0, 2], `${a.err}\n---\n${b.err}`);
  assert.match((a.code === 2 ? a : b).err, /run in use by pid \d+ since/);
  const epochs = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => l.epoch !== undefined && l.test)
    .map((l) => l.epoch);
  assert.deepEqual(
    epochs,
    Array.from({ length: 30 }, (_, i) => i + 1),
  );
  assert.equal(existsSync(join(run, '.lock')), false);
});

test('Ctrl-C (SIGINT) stops training at once; its lock, left with a pid that is gone, is taken over by the next train', async () => {
  const run = copyRun('interrupted');
  const p = spawn(process.execPath, [bin, 'train', '--resume', run, '--epochs', '100000'], { cwd: root });
  let err = '';
  p.stderr.on('data', (d) => {
    err += d;
  });
  const deadline = Date.now() + 60_000;
  while (!existsSync(join(run, '.lock')) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(join(run, '.lock')), `the run was never locked: ${err}`);
  const lock = JSON.parse(readFileSync(join(run, '.lock'), 'utf8'));
  assert.equal(lock.pid, p.pid);
  assert.equal(lock.host, hostname());
  await new Promise((r) => setTimeout(r, 500));
  p.kill('SIGINT');
  const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
  const signal = await new Promise((resolve) => p.on('close', (_code, sig) => resolve(sig)));
  clearTimeout(timer);
  assert.equal(signal, 'SIGINT', 'Ctrl-C did not stop the training');
  // resume to the epochs it has trained (a resume may not ask for fewer): nothing to train, the lock is taken over
  const latest = JSON.parse(readFileSync(join(run, 'checkpoints', 'latest.json'), 'utf8'));
  const state = JSON.parse(readFileSync(join(run, 'checkpoints', latest.checkpoint, 'state.json'), 'utf8'));
  const r = vaekit('train', '--resume', run, '--epochs', String(Math.max(3, state.state.epoch)));
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, new RegExp(`took over the lock of pid ${p.pid}`));
  assert.equal(existsSync(join(run, '.lock')), false);
});

test("a save removes only its own or dead processes' temporary folders, never a live one's", () => {
  const run = copyRun('tmps');
  const ck = join(run, 'checkpoints');
  const live = join(ck, `.tmp-step-000000099-${process.pid}`);
  const dead = join(ck, `.tmp-step-000000098-${deadPid()}`);
  for (const d of [live, dead]) {
    mkdirSync(d);
    writeFileSync(join(d, 'weights.bin'), 'x');
  }
  const r = vaekit('train', '--resume', run, '--epochs', '2');
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(join(live, 'weights.bin')), 'a live process’s save in progress was deleted');
  assert.equal(existsSync(dead), false, 'a dead process’s temporary folder was kept');
  assert.ok(readdirSync(ck).some((e) => e.startsWith('step-000000012')));
});
