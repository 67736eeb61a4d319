/**
 * npm's install hook: the native kernels from a prebuilt binary (prebuilds/, for linux-x64 and linux-arm64
 * with glibc), else built from source with node-gyp, else none (training then uses the wasm kernels alone,
 * about half as fast). Says which in one line; never fails the install.
 * `npm install vaekit --build-from-source` (or npm_config_build_from_source=true) skips the prebuilt binary.
 */
const { spawnSync } = require('node:child_process');
const { join, sep } = require('node:path');

const root = join(__dirname, '..');
const target = `${process.platform}-${process.arch}`;
const say = (line) => console.log(`vaekit: native kernels: ${line}`);

function prebuilt() {
  try {
    process.env.PREBUILDS_ONLY = '1'; // node-gyp-build: look in prebuilds/, not at an earlier build/
    const file = require('node-gyp-build').resolve(root);
    if (!file.includes(`${sep}prebuilds${sep}`)) return null;
    require(file).threads(); // it loads and answers on this machine
    return file;
  } catch {
    return null;
  }
}

const fromSource = /^(true|1)$/.test(process.env.npm_config_build_from_source ?? '');
const file = fromSource ? null : prebuilt();
if (file) {
  say(`prebuilt binary for ${target} (${file.slice(root.length + 1)})`);
} else {
  const why = fromSource ? 'build from source asked for' : `no prebuilt binary for ${target} loads here`;
  const build = spawnSync('node-gyp', ['rebuild', '--loglevel=warn'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (build.status === 0) say(`built from source (${why})`);
  else
    say(
      `none (${why}, and the build from source failed: no C++ compiler or node-gyp?); training uses the wasm kernels, about half as fast`,
    );
}
