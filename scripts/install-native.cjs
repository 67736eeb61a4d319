/**
 * npm's install hook: the native kernels from a prebuilt binary (prebuilds/, for linux-x64 and linux-arm64
 * with glibc ≥ 2.34), else built from source with node-gyp, else none (training then uses the wasm kernels
 * alone, about half as fast). Says which in one line; never fails the install. A prebuilt binary is taken
 * only if it was built from the sources beside it (a clone whose native/ changed builds them again) and it
 * loads here, which is tried in a child process with a time limit (a bad binary could crash or hang this
 * one); taking it removes an earlier build/, which the loader would otherwise take first.
 * `npm rebuild vaekit --build-from-source` (npm_config_build_from_source=true) skips the prebuilt binary.
 */
const { spawnSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const { join } = require('node:path');
const { prebuiltCandidate, servingProblem, root } = require('../native/binary.cjs');

const target = `${process.platform}-${process.arch}`;
const say = (line) => console.log(`vaekit: native kernels: ${line}`);

/** The prebuilt binary that serves here (relative to the package), or why there is none. */
function usablePrebuilt() {
  const candidate = prebuiltCandidate();
  if (!candidate) return { why: `no prebuilt binary for ${target}` };
  if (!candidate.file) return candidate;
  const relative = candidate.file.slice(root.length + 1);
  const problem = servingProblem(candidate.file);
  return problem ? { why: `${relative} ${problem}` } : { file: relative };
}

const fromSource = /^(true|1)$/.test(process.env.npm_config_build_from_source ?? '');
const prebuilt = usablePrebuilt();
if (prebuilt.file && !fromSource) {
  // an earlier build from source would come first at run time: this install chose the prebuilt binary
  rmSync(join(root, 'build'), { recursive: true, force: true });
  say(`prebuilt binary for ${target} (${prebuilt.file})`);
} else {
  const why = fromSource ? 'build from source asked for' : prebuilt.why;
  const build = spawnSync('node-gyp', ['rebuild', '--loglevel=warn'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (build.status === 0) say(`built from source (${why})`);
  else if (prebuilt.file)
    say(`the build from source failed (${why}); the prebuilt binary for ${target} serves (${prebuilt.file})`);
  else
    say(
      `none (${why}, and the build from source failed: no C++ compiler or node-gyp?); training uses the wasm kernels, about half as fast`,
    );
}
