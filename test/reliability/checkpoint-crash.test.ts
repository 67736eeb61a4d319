/**
 * Checkpoints never lose a run. When --checkpoint-every divides an epoch, its last step is saved twice
 * (mid-epoch and at the epoch's end); a SIGKILL between or inside those saves must leave a run that
 * resumes where it was. And whenever latest.json is missing, unreadable or dangling, --resume continues
 * from the newest checkpoint that reads whole and says so — or stops with exit 2 — but never starts over.
 * The kills are placed by the save path's test hook (VAEKIT_FAULT), not by timing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'vaekit.js');
const work = mkdtempSync(join(tmpdir(), 'vk-ckcrash-'));

function vaekit(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 240_000,
  });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

// 9,000 digits in batches of 1,000: 9 steps an epoch, checkpoints at steps 3, 6, 9 and again at 9 (epoch end)
const tiny = [
  '--hidden',
  '16',
  '--latent-dim',
  '2',
  '--batch-size',
  '1000',
  '--checkpoint-every',
  '3',
  '--runs-dir',
  'runs',
];
const epochsLogged = (run: string) =>
  readFileSync(join(work, run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => l.epoch)
    .map((l) => l.epoch);

for (const point of ['checkpoint-renamed', 'checkpoint-pointed']) {
  test(`a SIGKILL at ${point} of the second save of an epoch's last step: the run resumes, every epoch logged once`, () => {
    const name = `k-${point}`;
    const killed = vaekit(['train', '--name', name, '--epochs', '2', ...tiny], {
      VAEKIT_FAULT: `${point}:9:2`,
    });
    assert.equal(killed.signal, 'SIGKILL', `the hook did not fire: ${killed.err}`);
    const done = vaekit(['train', '--resume', `runs/${name}`]);
    assert.equal(done.code, 0, done.err);
    assert.match(done.err, /continuing from step 9 /, 'the resume did not start at the killed save');
    assert.match(done.out, /epoch 2\/2/);
    assert.deepEqual(epochsLogged(`runs/${name}`), [1, 2]);
  });
}

test('a missing, unreadable or dangling latest.json: resume continues from the newest checkpoint that reads, and says so', () => {
  const base = vaekit(['train', '--name', 'base', '--epochs', '2', ...tiny]);
  assert.equal(base.code, 0, base.err);
  const breakages: Record<string, (ck: string) => void> = {
    missing: (ck) => rmSync(join(ck, 'latest.json')),
    unreadable: (ck) => writeFileSync(join(ck, 'latest.json'), '{"checkpoint": '),
    dangling: (ck) => writeFileSync(join(ck, 'latest.json'), '{"checkpoint": "step-000000099", "step": 99}'),
    'pointing at a torn checkpoint': (ck) => {
      const newest = readdirSync(ck)
        .filter((e) => e.startsWith('step-'))
        .sort()
        .at(-1)!;
      writeFileSync(join(ck, 'latest.json'), JSON.stringify({ checkpoint: newest, step: 18 }));
      truncateSync(join(ck, newest, 'weights.bin'), 100);
    },
  };
  for (const [what, breakIt] of Object.entries(breakages)) {
    const name = `broken-${what.replaceAll(' ', '-')}`;
    cpSync(join(work, 'runs/base'), join(work, 'runs', name), { recursive: true });
    breakIt(join(work, 'runs', name, 'checkpoints'));
    const r = vaekit(['train', '--resume', `runs/${name}`, '--epochs', '3']);
    assert.equal(r.code, 0, `${what}: ${r.err}`);
    assert.match(r.err, /newest checkpoint that reads whole/, `${what}: not said`);
    assert.match(r.err, /continuing from step (9|18) /, `${what}: started over`);
    assert.equal(epochsLogged(`runs/${name}`).at(-1), 3, what);
    assert.ok(
      epochsLogged(`runs/${name}`).filter((e) => e === 1).length <= 1,
      `${what}: epoch 1 logged twice`,
    );
  }
});

test('when no checkpoint reads whole, resume stops with exit 2 naming them — it does not start over', () => {
  cpSync(join(work, 'runs/base'), join(work, 'runs/ruined'), { recursive: true });
  const ck = join(work, 'runs/ruined/checkpoints');
  for (const d of readdirSync(ck).filter((e) => e.startsWith('step-')))
    truncateSync(join(ck, d, 'weights.bin'), 10);
  const r = vaekit(['train', '--resume', 'runs/ruined']);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /checkpoint that reads whole/);
  assert.doesNotMatch(r.err, /\n\s+at /, 'a stack trace');
  assert.deepEqual(epochsLogged('runs/ruined'), [1, 2], 'the log was not touched');
});
