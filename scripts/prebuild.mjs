/**
 * Builds the native addon's prebuilt binaries into prebuilds/<platform>-<arch>/ for the npm package:
 * linux-x64 with the host's compiler, and linux-arm64 with Debian's aarch64 cross compiler
 * (g++-aarch64-linux-gnu, required unless PREBUILD_ARCHS leaves arm64 out). prebuilds/ is emptied first, so
 * no binary of older sources is left to ship, and prebuilds/SOURCES.sha256 records the sources they are
 * built from (the loader and the install script take a prebuilt binary only for those). Each build runs in
 * a temporary copy of binding.gyp and native/, so the checkout's own build/ (what the tests load) is left
 * alone. N-API binaries, tagged glibc (node-gyp-build loads them on any Node ≥ 20 of that platform; a musl
 * system builds from source). Built on Debian 12, they need glibc ≥ 2.34 and GCC 12's libstdc++.
 *
 *   npm run prebuilds            (npm pack and npm publish run it through prepack)
 *   PREBUILD_ARCHS=x64 npm run prebuilds
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const prebuildify = join(dirname(require.resolve('prebuildify')), 'bin.js');
const { sourcesDigest, SOURCES_FILE } = require('../native/binary.cjs');
const has = (tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;

/** Each target: its node-gyp arch, and the tools that build for it (null: the host's). */
const TARGETS = {
  x64: null,
  arm64: {
    CC: 'aarch64-linux-gnu-gcc',
    CXX: 'aarch64-linux-gnu-g++',
    LINK: 'aarch64-linux-gnu-g++',
    STRIP: 'aarch64-linux-gnu-strip',
  },
};
const wanted = (process.env.PREBUILD_ARCHS ?? 'arm64,x64').split(',').filter(Boolean);
if (wanted.length === 0) {
  console.error(
    `prebuild: PREBUILD_ARCHS=${JSON.stringify(process.env.PREBUILD_ARCHS)} names no architecture; expected x64 and/or arm64`,
  );
  process.exit(1);
}

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`prebuild: builds on linux-x64 only (this is ${process.platform}-${process.arch})`);
  process.exit(1);
}
for (const arch of wanted) {
  if (!(arch in TARGETS)) {
    console.error(`prebuild: PREBUILD_ARCHS names ${arch}; expected x64 and/or arm64`);
    process.exit(1);
  }
  const cxx = TARGETS[arch]?.CXX;
  if (cxx && !has(cxx)) {
    console.error(
      `prebuild: no ${cxx} (apt-get install g++-aarch64-linux-gnu) for linux-${arch}; nothing built`,
    );
    process.exit(1);
  }
}
rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
mkdirSync(join(root, 'prebuilds'));
writeFileSync(join(root, 'prebuilds', SOURCES_FILE), `${sourcesDigest(root)}\n`);
for (const arch of wanted) {
  const tools = TARGETS[arch];
  const work = mkdtempSync(join(tmpdir(), `vaekit-prebuild-${arch}-`));
  try {
    cpSync(join(root, 'binding.gyp'), join(work, 'binding.gyp'));
    cpSync(join(root, 'native'), join(work, 'native'), { recursive: true });
    const env = { ...process.env, ...(tools ?? {}), PREBUILD_STRIP_BIN: tools?.STRIP ?? 'strip' };
    const args = [
      prebuildify,
      '--napi',
      '--strip',
      '--tag-libc',
      '--arch',
      arch,
      '--cwd',
      work,
      '--out',
      root,
    ];
    const r = spawnSync(process.execPath, args, { env, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
    console.log(`prebuild: prebuilds/linux-${arch} written`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
