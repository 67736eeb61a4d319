import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The CLI from the sources (src/cli/main.ts through tsx), so a test does not depend on a build.
const mainTs = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
const tsx = import.meta.resolve('tsx');

/** A function that runs `vaekit <args>` from the sources in `cwd`: its exit code, stdout and stderr. */
export function vaekitFromSource(cwd: string, timeout = 300_000) {
  return (...args: string[]) => {
    const script = `import { main } from ${JSON.stringify(mainTs)}; process.exitCode = await main(['node', 'vaekit', ...process.argv.slice(1)]);`;
    const r = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script, ...args], {
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
