import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/**
 * node-gyp as npm runs it: the one npm names in npm_config_node_gyp (set in npm scripts), else the one npm
 * bundles beside its own npm-cli.js; null when neither is there.
 */
export function nodeGyp(): string | null {
  const named = process.env.npm_config_node_gyp;
  if (named && existsSync(named)) return named;
  const npm = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  if (!npm) return null;
  const bundled = join(dirname(realpathSync(npm)), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return existsSync(bundled) ? bundled : null;
}

/** Node's headers on this machine (npm's nodedir, or the include/node beside the node binary), or null. */
export function nodeHeaders(): string | null {
  const candidates = [process.env.npm_config_nodedir, dirname(dirname(process.execPath))];
  return candidates.find((d) => d && existsSync(join(d, 'include', 'node', 'node_api.h'))) ?? null;
}

/**
 * Builds the addon from binding.gyp and native/ copied into `work`, with the compilers in `env` (CC, CXX);
 * returns the .node file, or throws with node-gyp's output.
 */
export function buildAddon(work: string, env: Record<string, string>): string {
  const gyp = nodeGyp();
  const headers = nodeHeaders();
  if (!gyp || !headers) throw new Error('node-gyp or Node headers missing: see nodeGyp() and nodeHeaders()');
  cpSync(join(root, 'binding.gyp'), join(work, 'binding.gyp'));
  cpSync(join(root, 'native'), join(work, 'native'), { recursive: true });
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${headers}`, '--loglevel=warn'], {
    cwd: work,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`node-gyp rebuild failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return join(work, 'build', 'Release', 'vaekit_native.node');
}
