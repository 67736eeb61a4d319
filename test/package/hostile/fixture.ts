/**
 * A vaekit package as npm installs it, made quickly for the packaging attacks: package.json, dist/, the
 * install script, node_modules (a link to this checkout's), and prebuilds/linux-x64/node.glibc.node — the
 * checkout's own build/Release addon (an N-API build of the same sources with the same compiler, which is
 * what prebuildify makes). `probe` loads the native kernels the way initBackend does and says where from.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';

export const repo = join(import.meta.dirname, '..', '..', '..');
const { sourcesDigest, SOURCES_FILE } = createRequire(import.meta.url)('../../../native/binary.cjs') as {
  sourcesDigest(dir: string): string;
  SOURCES_FILE: string;
};
export const checkoutAddon = join(repo, 'build', 'Release', 'vaekit_native.node');

/** Why the fixture cannot be made here, or false. */
export const fixtureSkip =
  platform() !== 'linux' || arch() !== 'x64'
    ? 'the package attacks run on linux-x64'
    : !existsSync(checkoutAddon)
      ? 'no build/Release/vaekit_native.node in this checkout (npm ci builds it)'
      : !existsSync(join(repo, 'dist', 'backend', 'native.js'))
        ? 'no dist/ (npm run build)'
        : false;

/** A fresh installed-package folder; returns its path. */
export function makePackage(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'vk-pkg-attack-')), 'vaekit');
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  cpSync(join(repo, 'package.json'), join(dir, 'package.json'));
  cpSync(join(repo, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(repo, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(repo, 'scripts', 'install-native.cjs'), join(dir, 'scripts', 'install-native.cjs'));
  cpSync(join(repo, 'native'), join(dir, 'native'), { recursive: true });
  cpSync(join(repo, 'binding.gyp'), join(dir, 'binding.gyp'));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'prebuilds', 'linux-x64'), { recursive: true });
  cpSync(checkoutAddon, join(dir, 'prebuilds', 'linux-x64', 'node.glibc.node'));
  writeFileSync(join(dir, 'prebuilds', SOURCES_FILE), `${sourcesDigest(dir)}\n`);
  return dir;
}

const PROBE = `
const m = await import(process.argv[2] + '/dist/backend/native.js');
await m.loadNativeKernels();
console.log('ORIGIN ' + m.nativeKernelsOrigin());
console.log('LOADED ' + (m.nativeKernels() != null));
`;

/** Loads the package's native kernels in a fresh node (env added to this one's); what it said. */
export function probe(pkg: string, env: Record<string, string | undefined> = {}, cwd = pkg) {
  const file = join(pkg, '..', 'probe.mjs');
  writeFileSync(file, PROBE);
  const r = spawnSync(process.execPath, [file, pkg], {
    cwd,
    env: { ...process.env, VAEKIT_NATIVE: undefined, VAEKIT_NATIVE_ADDON: undefined, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    status: r.status,
    signal: r.signal,
    origin: /^ORIGIN (.*)$/m.exec(r.stdout)?.[1] ?? '',
    loaded: /^LOADED true$/m.test(r.stdout),
    out: `${r.stdout}\n${r.stderr}`,
  };
}

/** Runs the package's install script as npm would (cwd the package); its status and output. */
export function installScript(pkg: string, env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [join(pkg, 'scripts', 'install-native.cjs')], {
    cwd: pkg,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { status: r.status, signal: r.signal, out: `${r.stdout}\n${r.stderr}` };
}
