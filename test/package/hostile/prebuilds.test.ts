/**
 * Attack on `npm run prebuilds` (scripts/prebuild.mjs, run by prepack, so by every `npm pack` / `npm publish`)
 * and on the binaries it makes, in a temporary copy of binding.gyp, native/ and the script.
 *
 * Found by a hostile test (fixed since): stale binaries ship. prebuilds/ is git-ignored and never cleared, and PREBUILD_ARCHS=x64 (the
 * script's own example, and what the package test uses without the cross compiler) rebuilds linux-x64 only:
 * a prebuilds/linux-arm64/node.glibc.node left by an earlier pack stays and goes into the tarball, built from
 * older native/ sources than the rest of the package (here a 6-byte placeholder survived the run, exit 0).
 * Expected: the targets not built in this run are removed (or the run refuses).
 *
 * Found by a hostile test (fixed since): PREBUILD_ARCHS="" (or ",") builds nothing and exits 0 without a word, so `PREBUILD_ARCHS= npm pack`
 * makes a package with no (or only stale) prebuilt binaries. Expected: an error naming x64/arm64.
 *
 * Found by a hostile test (fixed since): the prebuilt binaries need glibc 2.34 and libstdc++ 3.4.30 (GCC 12): objdump -T shows
 * GLIBC_2.34 (pthread_mutex_trylock) and GLIBCXX_3.4.30 (std::condition_variable::wait) in both the x64 and
 * the arm64 one, while the node that runs them needs only GLIBC_2.28 and GLIBCXX_3.4.21. The README's table
 * offers them to "linux-x64, glibc" and "linux-arm64, glibc (Graviton, Ampere, Raspberry Pi 64-bit)"; on
 * Node 20's own supported systems with an older glibc (Debian 11, Ubuntu 20.04, RHEL 8, Amazon Linux 2023's
 * libstdc++ 11, Raspberry Pi OS bullseye) they do not load, and without a compiler training is on wasm.
 * (Kept as a check that the README states that floor, read from the binaries.) Expected then: binaries that ask for no newer glibc/libstdc++ symbol versions than Node itself (or a README
 * that states the floor).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';

const repo = join(import.meta.dirname, '..', '..', '..');
const has = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const skip = platform() !== 'linux' || arch() !== 'x64' ? 'prebuilds are made on linux-x64' : false;
const cross = has('aarch64-linux-gnu-g++') && has('aarch64-linux-gnu-objdump');

/** A copy of what the prebuild script needs, with this checkout's node_modules linked in. */
function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vk-prebuild-attack-'));
  mkdirSync(join(dir, 'scripts'));
  for (const f of ['package.json', 'binding.gyp', 'native', 'scripts/prebuild.mjs'])
    cpSync(join(repo, f), join(dir, f), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** `npm run prebuilds` with PREBUILD_ARCHS in `dir`. */
function prebuilds(dir: string, archs: string) {
  const r = spawnSync('npm', ['run', 'prebuilds'], {
    cwd: dir,
    env: { ...process.env, PREBUILD_ARCHS: archs },
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const listed = (dir: string) =>
  existsSync(join(dir, 'prebuilds'))
    ? readdirSync(join(dir, 'prebuilds'), { recursive: true, encoding: 'utf8' }).filter((f) =>
        f.endsWith('.node'),
      )
    : [];

let x64Dir = '';
let arm64Dir = '';
before(() => {
  if (skip) return;
  // a checkout that packed for both architectures before: its arm64 binary is from older sources
  x64Dir = copy();
  mkdirSync(join(x64Dir, 'prebuilds', 'linux-arm64'), { recursive: true });
  writeFileSync(join(x64Dir, 'prebuilds', 'linux-arm64', 'node.glibc.node'), 'stale\n');
  const r = prebuilds(x64Dir, 'x64');
  assert.equal(r.status, 0, r.out.slice(-3000));
  if (cross) {
    arm64Dir = copy();
    const a = prebuilds(arm64Dir, 'arm64');
    assert.equal(a.status, 0, a.out.slice(-3000));
  }
});

test('PREBUILD_ARCHS=x64 leaves no linux-arm64 binary from an earlier run in prebuilds/', { skip }, () => {
  assert.ok(listed(x64Dir).includes(join('linux-x64', 'node.glibc.node')), String(listed(x64Dir)));
  // observed: [ 'linux-arm64/node.glibc.node' (the 6-byte placeholder), 'linux-x64/node.glibc.node' ]
  assert.deepEqual(listed(x64Dir), [join('linux-x64', 'node.glibc.node')]);
});

test('an empty PREBUILD_ARCHS is an error, not a silent run that builds nothing', { skip }, () => {
  for (const archs of ['', ',']) {
    const dir = copy();
    const r = spawnSync(process.execPath, [join(dir, 'scripts', 'prebuild.mjs')], {
      cwd: dir,
      env: { ...process.env, PREBUILD_ARCHS: archs },
      encoding: 'utf8',
    });
    // observed: exit 0, no output, no prebuilds/
    assert.notEqual(r.status, 0, `PREBUILD_ARCHS=${JSON.stringify(archs)}: exit ${r.status}, ${listed(dir)}`);
  }
});

const older = (a: string | undefined, b: string | undefined) => {
  if (!a || !b) return true;
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return true;
};

/** The highest version of each symbol-version family (GLIBC, GLIBCXX) a shared object or program needs. */
function needs(objdump: string, file: string): Record<string, string> {
  const text = execFileSync(objdump, ['-T', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const max: Record<string, string> = {};
  for (const [, family, version] of text.matchAll(/\((GLIBC|GLIBCXX)_([0-9.]+)\)/g)) {
    if (!max[family] || !older(version, max[family])) max[family] = version;
  }
  return max;
}

test('the README states the glibc and libstdc++ the prebuilt binaries need', {
  skip: skip || (has('objdump') ? false : 'no objdump (binutils)'),
}, () => {
  // built on Debian 12 they need more than Node itself does: the README must say how much, and it does by
  // the symbol versions, so this test reads them from the binaries
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const bins: [string, string][] = [['objdump', join(x64Dir, 'prebuilds', 'linux-x64', 'node.glibc.node')]];
  if (cross)
    bins.push(['aarch64-linux-gnu-objdump', join(arm64Dir, 'prebuilds', 'linux-arm64', 'node.glibc.node')]);
  for (const [objdump, file] of bins) {
    const got = needs(objdump, file);
    assert.ok(readme.includes(`glibc ≥ ${got.GLIBC}`), `README does not say glibc ≥ ${got.GLIBC} (${file})`);
    assert.ok(
      readme.includes(`GLIBCXX_${got.GLIBCXX}`),
      `README does not say GLIBCXX_${got.GLIBCXX} (${file})`,
    );
  }
});
