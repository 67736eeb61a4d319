/**
 * Attack on what `npm pack` / `npm publish` put in dist/. The package ships the whole dist/ folder
 * (package.json files: "dist"), and prepare rebuilds it with `tsc -p tsconfig.build.json && vite build`;
 * tsc writes over what it compiles but removes nothing, and only vite's own dist/web/client is emptied.
 *
 * Found by a hostile test (fixed since): compiled files of modules that no longer exist in src/ (renamed or deleted since the checkout last
 * built) stay in dist/ and go into the tarball: here dist/train/removed-module.js, left from "an older
 * build", survives `npm run build` and is listed by `npm pack --dry-run`. A release made from a working
 * checkout ships dead, outdated code (and its .d.ts) beside the current build.
 * Expected: the build starts from an empty dist/ (or the pack refuses files with no source).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const repo = join(import.meta.dirname, '..', '..', '..');

test('npm run build leaves in dist/ nothing whose source is gone, so npm pack cannot ship it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-stale-dist-'));
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && existsSync(join(repo, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(repo, f), join(dir, f));
  }
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  // an earlier build's output of a module deleted since
  mkdirSync(join(dir, 'dist', 'train'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'train', 'removed-module.js'), 'export const old = 1;\n');
  const build = spawnSync('npm', ['run', 'build'], { cwd: dir, encoding: 'utf8', timeout: 600_000 });
  assert.equal(build.status, 0, `${build.stdout}\n${build.stderr}`);
  // what the tarball would hold (prepare just ran; prepack's prebuilds do not touch dist/)
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.equal(pack.status, 0, pack.stderr);
  const listed = (JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
  assert.ok(listed.includes('dist/index.js'), 'the fixture');
  // observed: dist/train/removed-module.js is in the tarball
  assert.deepEqual(
    listed.filter((f) => f === 'dist/train/removed-module.js'),
    [],
  );
});
