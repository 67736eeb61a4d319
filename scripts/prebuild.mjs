/**
 * Builds the native addon's prebuilt binaries into prebuilds/<platform>-<arch>/ for the npm package:
 * linux-x64 with the host's compiler, and linux-arm64 with Debian's aarch64 cross compiler
 * (g++-aarch64-linux-gnu) when it is installed. Each build runs in a temporary copy of binding.gyp and
 * native/, so the checkout's own build/ (what the tests load) is left alone. N-API binaries, tagged glibc
 * (node-gyp-build loads them on any Node ≥ 20 of that platform; a musl system builds from source).
 *
 *   npm run prebuilds            (npm pack and npm publish run it through prepack)
 *   PREBUILD_ARCHS=x64 npm run prebuilds
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const prebuildify = join(dirname(createRequire(import.meta.url).resolve('prebuildify')), 'bin.js');
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

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`prebuild: builds on linux-x64 only (this is ${process.platform}-${process.arch})`);
  process.exit(1);
}
for (const arch of wanted) {
  if (!(arch in TARGETS)) {
    console.error(`prebuild: PREBUILD_ARCHS names ${arch}; expected x64 and/or arm64`);
    process.exit(1);
  }
  const tools = TARGETS[arch];
  if (tools && !has(tools.CXX)) {
    console.error(
      `prebuild: no ${tools.CXX} (apt-get install g++-aarch64-linux-gnu): linux-${arch} not built`,
    );
    process.exit(1);
  }
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
