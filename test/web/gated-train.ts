/**
 * A training run paced by a test, in its own process (training blocks the event loop, so the explorer
 * under test runs in another): `node --import tsx test/web/gated-train.ts <run-dir> <gate-dir> 20,50`
 * resumes the run with a line of steps.jsonl at every step, and after each listed step writes
 * `<gate-dir>/at-<step>` and waits until `<gate-dir>/go-<step>` exists.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainRun } from '../../src/run/train-run.js';
import { useBackend } from '../helpers/backend.js';

const [dir, gates, pauses] = process.argv.slice(2);
const at = new Set(pauses.split(',').map(Number));
const nap = new Int32Array(new SharedArrayBuffer(4));

await useBackend('wasm');
await trainRun({
  dir,
  resume: true,
  stepsLogMs: 0,
  callbacks: [
    {
      onStep: (state) => {
        if (!at.has(state.step)) return;
        writeFileSync(join(gates, `at-${state.step}`), '');
        // a synchronous wait: the loop must not take another step until the test says so
        while (!existsSync(join(gates, `go-${state.step}`))) Atomics.wait(nap, 0, 0, 20);
      },
    },
  ],
});
