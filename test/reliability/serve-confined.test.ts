/**
 * Issue #13, class 6: `vaekit serve` serves only files inside the run directory (and the built page).
 * A crafted run directory made the server follow symlinks and `latest.json`/`best.json` pointers out of
 * the run: /api/checkpoint/weights.bin returned /etc/passwd. Every served file is now resolved with
 * realpath and refused (403, nothing of the file sent) when it leads outside; config.json leading outside
 * stops the server from starting (exit 2). Each case below is a different way out — absolute and relative
 * symlinks, a symlinked folder on the way, a pointer with `../`, an absolute or a nested pointer, a
 * symlinked pointer, a hard link, a loop — and the last ones check what must keep working.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { CLIENT_DIR, startExplorer } from '../../src/web/server.js';
import { useBackend } from '../helpers/backend.js';
import { emptyRun, trainTinyRun } from '../web/tiny-run.js';

interface Answer {
  status: number;
  body: Buffer;
}

function get(base: string, path: string): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const MARKER = 'vaekit-secret-8c1f0e7d';
let trained: string;
let work: string;
/** A file outside every run, and a checkpoint-shaped folder outside the run whose weights are the secret. */
let secret: string;
let outsideCheckpoint: string;
let checkpointName: string;

before(async () => {
  await useBackend('wasm');
  trained = emptyRun();
  await trainTinyRun(trained);
  work = mkdtempSync(join(tmpdir(), 'vk-confined-'));
  secret = join(work, 'secret.txt');
  writeFileSync(secret, `${MARKER}\n`);
  checkpointName = readdirSync(join(trained, 'checkpoints')).find((n) => n.startsWith('step-'))!;
  outsideCheckpoint = join(work, 'outside-checkpoint');
  cpSync(join(trained, 'checkpoints', checkpointName), outsideCheckpoint, { recursive: true });
  writeFileSync(join(outsideCheckpoint, 'weights.bin'), MARKER);
});

let copies = 0;
/** A fresh copy of the trained run, changed by `craft` (given the copy and its checkpoints folder). */
function craftedRun(craft: (run: string, ck: string) => void): string {
  const run = join(work, `run-${++copies}`);
  cpSync(trained, run, { recursive: true });
  craft(run, join(run, 'checkpoints'));
  return run;
}

/** Serves `run` and checks that each path is refused with 403 and none of the secret. */
async function assertRefused(run: string, paths: string[]): Promise<void> {
  const explorer = await startExplorer({ runDir: run, port: 0 });
  try {
    for (const path of paths) {
      const a = await get(explorer.url, path);
      assert.ok(!a.body.toString('latin1').includes(MARKER), `${path} sent the file outside the run`);
      assert.ok(!a.body.toString('latin1').includes('root:x:0:0'), `${path} sent /etc/passwd`);
      assert.equal(a.status, 403, `${path}: ${a.status} ${a.body.toString().slice(0, 200)}`);
      assert.match(JSON.parse(a.body.toString()).error, /^refused: /);
    }
  } finally {
    await explorer.close();
  }
}

const WEIGHTS = ['/api/checkpoint/weights.json', '/api/checkpoint/weights.bin'];

test('a weights.bin symlinked out of the run (absolute or relative) is refused', async () => {
  await assertRefused(
    craftedRun((_, ck) => {
      rmSync(join(ck, checkpointName, 'weights.bin'));
      symlinkSync('/etc/passwd', join(ck, checkpointName, 'weights.bin'));
    }),
    ['/api/checkpoint/weights.bin'],
  );
  await assertRefused(
    craftedRun((_, ck) => {
      const bin = join(ck, checkpointName, 'weights.bin');
      rmSync(bin);
      symlinkSync(relative(join(ck, checkpointName), secret), bin);
    }),
    ['/api/checkpoint/weights.bin'],
  );
});

test('weights.json and state.json symlinked out of the run are refused', async () => {
  await assertRefused(
    craftedRun((_, ck) => {
      const specs = join(ck, checkpointName, 'weights.json');
      rmSync(specs);
      symlinkSync(join(outsideCheckpoint, 'weights.json'), specs);
    }),
    WEIGHTS,
  );
  await assertRefused(
    craftedRun((_, ck) => {
      const state = join(ck, checkpointName, 'state.json');
      rmSync(state);
      symlinkSync(join(outsideCheckpoint, 'state.json'), state);
    }),
    WEIGHTS,
  );
});

test('metrics.jsonl and latent.jsonl symlinked out of the run are refused', async () => {
  await assertRefused(
    craftedRun((run) => {
      rmSync(join(run, 'metrics.jsonl'));
      symlinkSync(secret, join(run, 'metrics.jsonl'));
      rmSync(join(run, 'latent.jsonl'));
      symlinkSync(relative(run, secret), join(run, 'latent.jsonl'));
    }),
    ['/api/metrics', '/api/latent'],
  );
});

test('a config.json symlinked out of the run stops serve before it starts (exit 2)', async () => {
  const outsideConfig = join(work, 'config.json');
  cpSync(join(trained, 'config.json'), outsideConfig);
  for (const target of [outsideConfig, relative(join(work, 'x'), outsideConfig)]) {
    const run = craftedRun((r) => {
      rmSync(join(r, 'config.json'));
      symlinkSync(target, join(r, 'config.json'));
    });
    // (one that starts anyway is closed again, so a failure here does not keep the process alive)
    const started = startExplorer({ runDir: run, port: 0 }).then(async (explorer) => explorer.close());
    await assert.rejects(
      started,
      (e: unknown) => e instanceof InputError && /config\.json/.test(e.message) && /outside/.test(e.message),
    );
  }
});

test('a latest.json or best.json naming a checkpoint outside the run is refused, however it is spelled', async () => {
  const up = relative(join(work, 'run-x', 'checkpoints'), outsideCheckpoint); // ../../outside-checkpoint
  const spellings = [
    up,
    `./${up}`,
    `${checkpointName}/../${up}`,
    outsideCheckpoint,
    `${outsideCheckpoint}/`,
    `//${outsideCheckpoint}`,
    '..',
    '.',
    '',
    `${up}\0`,
    '..\\..\\outside-checkpoint',
  ];
  for (const pointer of ['latest.json', 'best.json']) {
    for (const name of spellings) {
      await assertRefused(
        craftedRun((_, ck) => {
          writeFileSync(join(ck, pointer), JSON.stringify({ checkpoint: name, step: 1 }));
          if (pointer === 'latest.json') rmSync(join(ck, 'best.json'), { force: true });
        }),
        WEIGHTS,
      );
    }
  }
  // a pointer whose checkpoint is not a string at all
  for (const name of [['..', 'outside-checkpoint'], { toString: '..' }, 42]) {
    await assertRefused(
      craftedRun((_, ck) => writeFileSync(join(ck, 'best.json'), JSON.stringify({ checkpoint: name }))),
      WEIGHTS,
    );
  }
});

test('a symlinked pointer file, checkpoint folder or checkpoints/ folder leading out is refused', async () => {
  const outsideRoot = join(work, 'outside-root');
  mkdirSync(outsideRoot);
  cpSync(outsideCheckpoint, join(outsideRoot, checkpointName), { recursive: true });
  writeFileSync(join(outsideRoot, 'latest.json'), JSON.stringify({ checkpoint: checkpointName }));
  writeFileSync(join(outsideRoot, 'best.json'), JSON.stringify({ checkpoint: checkpointName }));
  // the pointer itself a link to a pointer outside (which names a checkpoint folder that exists inside)
  await assertRefused(
    craftedRun((_, ck) => {
      rmSync(join(ck, 'best.json'));
      symlinkSync(join(outsideRoot, 'best.json'), join(ck, 'best.json'));
    }),
    WEIGHTS,
  );
  // the checkpoint folder a link out of the run
  await assertRefused(
    craftedRun((_, ck) => {
      rmSync(join(ck, checkpointName), { recursive: true });
      symlinkSync(outsideCheckpoint, join(ck, checkpointName));
    }),
    WEIGHTS,
  );
  // the whole checkpoints/ folder a link out of the run
  await assertRefused(
    craftedRun((_, ck) => {
      rmSync(ck, { recursive: true });
      symlinkSync(outsideRoot, ck);
    }),
    WEIGHTS,
  );
});

test('a hard link to a file outside, and a symlink loop, are refused (not served, not a 500)', async () => {
  await assertRefused(
    craftedRun((_, ck) => {
      const bin = join(ck, checkpointName, 'weights.bin');
      rmSync(bin);
      linkSync(secret, bin);
    }),
    ['/api/checkpoint/weights.bin'],
  );
  await assertRefused(
    craftedRun((run) => {
      rmSync(join(run, 'metrics.jsonl'));
      symlinkSync('metrics.jsonl', join(run, 'metrics.jsonl'));
    }),
    ['/api/metrics'],
  );
});

test("the built page's files are served only from inside the built client", async () => {
  const client = join(work, 'client');
  cpSync(CLIENT_DIR, client, { recursive: true });
  const asset = readdirSync(join(client, 'assets')).find((n) => n.endsWith('.js'))!;
  rmSync(join(client, 'assets', asset));
  symlinkSync(secret, join(client, 'assets', asset));
  const explorer = await startExplorer({ runDir: trained, port: 0, clientDir: client });
  try {
    const a = await get(explorer.url, `/assets/${asset}`);
    assert.equal(a.status, 403);
    assert.ok(!a.body.toString().includes(MARKER));
    assert.equal((await get(explorer.url, '/')).status, 200);
    rmSync(join(client, 'index.html'));
    symlinkSync(secret, join(client, 'index.html'));
    const page = await get(explorer.url, '/');
    assert.equal(page.status, 403);
    assert.ok(!page.body.toString().includes(MARKER));
  } finally {
    await explorer.close();
  }
});

test('what stays inside is served: a run reached through a symlink, links that stay inside the run', async () => {
  const run = craftedRun((r, ck) => {
    // metrics.jsonl kept in a subfolder and linked; the checkpoint folder renamed and linked
    mkdirSync(join(r, 'logs'));
    renameSync(join(r, 'metrics.jsonl'), join(r, 'logs', 'metrics.jsonl'));
    symlinkSync(join('logs', 'metrics.jsonl'), join(r, 'metrics.jsonl'));
    renameSync(join(ck, checkpointName), join(ck, 'kept'));
    symlinkSync('kept', join(ck, checkpointName));
  });
  const alias = join(work, 'alias');
  symlinkSync(run, alias);
  const explorer = await startExplorer({ runDir: alias, port: 0 });
  try {
    const metrics = await get(explorer.url, '/api/metrics');
    assert.equal(metrics.status, 200);
    assert.equal(metrics.body.toString(), readFileSync(join(trained, 'metrics.jsonl'), 'utf8'));
    const weights = await get(explorer.url, '/api/checkpoint/weights.bin');
    assert.equal(weights.status, 200);
    assert.ok(weights.body.equals(readFileSync(join(trained, 'checkpoints', checkpointName, 'weights.bin'))));
    assert.equal((await get(explorer.url, '/api/config')).status, 200);
  } finally {
    await explorer.close();
  }
});

test('a FIFO in the run is refused at once, not read (it would block the server)', async (t) => {
  if (spawnSync('mkfifo', ['--version']).status !== 0) {
    t.skip('no mkfifo');
    return;
  }
  const run = craftedRun((r) => {
    rmSync(join(r, 'latent.jsonl'));
    assert.equal(spawnSync('mkfifo', [join(r, 'latent.jsonl')]).status, 0);
  });
  // a writer waiting on the other end, so that a server that does read the FIFO gets the secret
  const writer = spawn('sh', ['-c', `printf ${MARKER} > '${join(run, 'latent.jsonl')}'`], {
    stdio: 'ignore',
  });
  t.after(() => writer.kill());
  await assertRefused(run, ['/api/latent']);
});
