#!/usr/bin/env node
// The vaekit command: runs the compiled CLI (built by `npm ci` / `npm run build` into dist/).
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`vaekit: error: Node.js 20 or newer is needed, found ${process.versions.node}\n`);
  process.exit(2);
}
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (e) {
  // a broken install, not bad input: one line, no stack trace
  process.stderr.write(
    `vaekit: internal error: the compiled CLI could not be loaded (${e?.message?.split('\n')[0] ?? e}); ` +
      'reinstall vaekit, or run `npm run build` in a checkout\n',
  );
  process.exit(1);
}
process.exitCode = await main(process.argv);
