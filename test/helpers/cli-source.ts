import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The CLI from the sources (src/cli/main.ts through tsx), so a test does not depend on a build.
const mainTs = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
const tsx = import.meta.resolve('tsx');

/** The arguments after `node` that run `vaekit <args>` from the sources (for a spawn of one's own). */
export function sourceCliArgs(...args: string[]): string[] {
  const script = `import { main } from ${JSON.stringify(mainTs)}; process.exitCode = await main(['node', 'vaekit', ...process.argv.slice(1)]);`;
  return ['--import', tsx, '--input-type=module', '-e', script, ...args];
}

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/**
 * Why the CLI cannot be run here as another user (false when it can): it takes root and util-linux's
 * setpriv, and a checkout the user nobody may read (a clone in a 0700 folder is not).
 */
export function cannotRunAsNobody(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to act as another user';
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'needs setpriv (util-linux)';
  const probe = spawnSync('setpriv', [...NOBODY, process.execPath, ...sourceCliArgs('export', '--help')], {
    cwd: tmpdir(),
    encoding: 'utf8',
  });
  return probe.status === 0 ? false : `the user nobody cannot run vaekit from this checkout (${mainTs})`;
}

/** Runs `vaekit <args>` from the sources in `cwd` as the user nobody (uid and gid 65534), through setpriv. */
export function vaekitAsNobody(cwd: string, ...args: string[]) {
  const r = spawnSync('setpriv', [...NOBODY, process.execPath, ...sourceCliArgs(...args)], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, HOME: tmpdir() },
    timeout: 300_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A function that runs `vaekit <args>` from the sources in `cwd`: its exit code, stdout and stderr. */
export function vaekitFromSource(cwd: string, timeout = 300_000) {
  return (...args: string[]) => {
    const r = spawnSync(process.execPath, sourceCliArgs(...args), {
      cwd,
      encoding: 'utf8',
      timeout,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
}

/** The records of a JSON-lines file. */
export const jsonLines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** What trainTiny trains unless told otherwise: 1 epoch of batch 50, an MLP of 16, 3 latent dims, seed 3, into runs/. */
const TINY: Record<string, string> = {
  '--epochs': '1',
  '--batch-size': '50',
  '--runs-dir': 'runs',
  '--seed': '3',
  '--hidden': '16',
  '--latent-dim': '3',
};

/**
 * `vaekit train --name <name> --dataset <dataset>` of a tiny model (TINY) through `vaekit`; a flag of TINY
 * given in `extra` replaces its value there, any other flag is added.
 */
export function trainTiny(
  vaekit: ReturnType<typeof vaekitFromSource>,
  name: string,
  dataset: string,
  ...extra: string[]
) {
  const settings = { ...TINY };
  const rest: string[] = [];
  for (let i = 0; i < extra.length; i++) {
    if (extra[i] in settings && i + 1 < extra.length) settings[extra[i]] = extra[++i];
    else rest.push(extra[i]);
  }
  return vaekit('train', '--name', name, '--dataset', dataset, ...Object.entries(settings).flat(), ...rest);
}

/** `vaekit export <run> --format onnx [flags] -o <out>` through `vaekit` (working in `cwd`), which must succeed; its model card. */
export function exportCard(
  vaekit: ReturnType<typeof vaekitFromSource>,
  cwd: string,
  run: string,
  out: string,
  ...flags: string[]
) {
  const r = vaekit('export', run, '--format', 'onnx', ...flags, '-o', out);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(readFileSync(join(cwd, out, 'model-card.json'), 'utf8'));
}
