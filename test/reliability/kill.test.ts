import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

// `kill -9` at arbitrary moments of a training run — mid-step, mid-checkpoint — must always leave a
// run that `--resume` can finish. The CLI over the compiled dist/ (npm test builds it first).
const bin = join(import.meta.dirname, '..', '..', 'bin', 'vaekit.js');
const work = mkdtempSync(join(tmpdir(), 'vk-kill-'));
const run = join(work, 'runs', 'k');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, [bin, ...args], { cwd: work, stdio: 'ignore' });
}

test('kill -9 during training and saving never leaves a run that cannot resume', async () => {
  // checkpoints every 3 steps, so kills land inside saves as well as inside steps
  const args = [
    '--hidden',
    '32',
    '--latent-dim',
    '2',
    '--epochs',
    '3',
    '--batch-size',
    '64',
    '--checkpoint-every',
    '3',
  ];
  let child = start(['train', '--name', 'k', '--runs-dir', 'runs', ...args]);
  const latest = join(run, 'checkpoints', 'latest.json');
  for (let waited = 0; !existsSync(latest); waited += 100) {
    assert.ok(waited < 120_000, 'the first checkpoint was never written');
    await sleep(100);
  }
  // then kill at staggered moments, resuming after each kill
  for (const ms of [150, 900, 1300, 700, 1100, 400]) {
    await sleep(ms);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    child = start(['train', '--resume', run]);
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const done = spawnSync(process.execPath, [bin, 'train', '--resume', run], { cwd: work, encoding: 'utf8' });
  assert.equal(done.status, 0, done.stderr);
  assert.match(done.stdout, /epoch 3\/3/);
  // the log reads as one uninterrupted run: epochs 1, 2, 3 once each, steps increasing
  const log = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    log.filter((l) => l.epoch).map((l) => l.epoch),
    [1, 2, 3],
  );
  const pointer = JSON.parse(readFileSync(latest, 'utf8'));
  assert.ok(existsSync(join(run, 'checkpoints', pointer.checkpoint, 'weights.bin')));
  // steps.jsonl too: every line whole (a torn one is dropped at the resume), steps strictly increasing
  // (the lines after each resumed checkpoint were dropped), up to the last step
  const steps = readFileSync(join(run, 'steps.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).step as number);
  assert.ok(steps.length > 1);
  assert.ok(
    steps.every((s, i) => i === 0 || s > steps[i - 1]),
    `steps in order: ${steps}`,
  );
  assert.equal(steps.at(-1), log.filter((l) => l.epoch).at(-1).step);
});
