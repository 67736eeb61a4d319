/**
 * `vaekit export` killed (SIGKILL, or Ctrl-C: the writes are synchronous, so no handler could run) while it
 * writes its staging folder: -o never holds a partial export, and the next export into the same folder
 * removes the dead one's staging, so nothing of it is left beside -o.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sourceCliArgs, trainTiny, vaekitFromSource } from '../../helpers/cli-source.js';
import { idxDigits } from '../../helpers/idx-digits.js';

const work = mkdtempSync(join(tmpdir(), 'vk-attack-crash-'));
const vaekit = vaekitFromSource(work);

const trained = (() => {
  let done = false;
  return () => {
    if (done) return;
    const data = idxDigits(100, 50);
    const t = trainTiny(vaekit, 'big', data, '--hidden', '1200,1200', '--latent-dim', '8');
    assert.equal(t.code, 0, t.err);
    done = true;
  };
})();

for (const signal of ['SIGKILL', 'SIGINT'] as const) {
  test(`${signal === 'SIGKILL' ? 'kill -9' : 'Ctrl-C (SIGINT)'} of vaekit export while it writes: the next export to the same -o leaves nothing of it`, async () => {
    trained();
    const parent = join(work, `exports-${signal}`);
    mkdirSync(parent);
    const out = join(parent, 'vae');
    const child = spawn(
      process.execPath,
      sourceCliArgs('export', 'runs/big', '--format', 'tfjs', '--part', 'all', '-o', out),
      { cwd: work, stdio: 'ignore' },
    );
    const exited = new Promise((r) => child.on('exit', r));
    // stop the process as soon as its staging folder appears (a crash, an OOM kill, a Ctrl-C mid-write)
    const watcher = watch(parent, (_event, name) => {
      if (name?.startsWith('.vaekit-staging-')) child.kill(signal);
    });
    await exited;
    watcher.close();
    const left = readdirSync(parent).map(
      (f) => `${f} [${readdirSync(join(parent, f), { recursive: true }).join(' ')}]`,
    );
    // the signal may land after the rename on a fast machine: then the export is whole, and is cleared for the retry
    rmSync(out, { recursive: true, force: true });
    const again = vaekit('export', 'runs/big', '--format', 'tfjs', '--part', 'all', '-o', out);
    assert.equal(again.code, 0, again.err);
    assert.deepEqual(
      readdirSync(parent).filter((f) => f !== 'vae'),
      [],
      `after ${signal} (left: ${left.join(', ')}), and a later export to the same -o, the folder beside it holds ${readdirSync(parent).join(', ')}`,
    );
  });
}
