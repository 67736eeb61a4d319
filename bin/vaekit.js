#!/usr/bin/env node
// The vaekit command: runs the compiled CLI (built by `npm ci` / `npm run build` into dist/).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
