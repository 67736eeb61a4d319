#!/usr/bin/env node
// The vaekit command: runs the compiled CLI (built by `npm ci` / `npm run build` into dist/).
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`vaekit: error: Node.js 20 or newer is needed, found ${process.versions.node}\n`);
  process.exit(2);
}
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv);
