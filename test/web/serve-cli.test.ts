import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { emptyRun } from './tiny-run.js';

// `vaekit serve` as users run it: the bin script over the compiled dist/ (`npm test` builds it first).
const bin = join(import.meta.dirname, '..', '..', 'bin', 'vaekit.js');

/**
 * Runs `vaekit serve` with `args` and, once its output holds the URL `urlPattern` matches, hands the URL
 * and the output to `use`; then stops it with Ctrl-C and checks that it exits with 0.
 */
async function serving(
  args: string[],
  urlPattern: RegExp,
  use: (url: string, out: string) => Promise<void>,
): Promise<void> {
  const child = spawn(process.execPath, [bin, 'serve', ...args]);
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = urlPattern.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(`serve exited: ${out}`)));
    });
    await use(url, out);
  } finally {
    child.kill('SIGINT');
  }
  assert.equal(await exited, 0);
}

test('vaekit serve prints a loopback URL, serves the page, and stops on Ctrl-C', async () => {
  await serving(
    [emptyRun(), '--port', '0', '--seed', '4'],
    /(http:\/\/127\.0\.0\.1:\d+\/\?seed=4)/,
    async (url) => {
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /vaekit explorer/);
      const none = await fetch(new URL('/api/checkpoint/weights.json', url));
      assert.equal(none.status, 404);
    },
  );
});

test('vaekit serve: --help teaches, a missing run is an input error (exit 2)', () => {
  const help = spawnSync(process.execPath, [bin, 'serve', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--port/);
  assert.match(help.stdout, /interpolation/);
  const missing = spawnSync(process.execPath, [bin, 'serve', join(emptyRun(), 'nope')], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /config\.json/);
});

test('vaekit serve takes several runs: the URL names them all; a bad one is named; one twice is refused', async () => {
  const [a, b] = [emptyRun(), emptyRun()];
  await serving([a, b, '--port', '0'], /(http:\/\/127\.0\.0\.1:\d+\/)/, async (url, out) => {
    assert.ok(out.includes(`${a}, ${b}`), out);
    const runs = await (await fetch(new URL('/api/runs', url))).json();
    assert.deepEqual(
      runs.map((r: { index: number }) => r.index),
      [0, 1],
    );
    const status = await fetch(new URL('/api/run/1/status', url));
    assert.equal(status.status, 200);
    assert.equal((await status.json()).checkpoint, null);
  });
  const nope = join(b, 'nope');
  const bad = spawnSync(process.execPath, [bin, 'serve', a, nope], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.ok(bad.stderr.includes(nope), bad.stderr);
  const twice = spawnSync(process.execPath, [bin, 'serve', a, a], { encoding: 'utf8' });
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /each run directory once/);
  const help = spawnSync(process.execPath, [bin, 'serve', '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, /<run-dirs\.\.\.>/);
  assert.match(help.stdout, /vaekit serve runs\/beta1 runs\/beta4/);
});
