import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunConfig, runConfigSchema } from '../../src/run/config.js';
import { createRunDir } from '../../src/run/run-dir.js';
import { trainRun } from '../../src/run/train-run.js';

/** A small MLP VAE on the built-in digits: one epoch takes seconds. */
export const tinyRunConfig = (): RunConfig =>
  runConfigSchema.parse({
    seed: 3,
    data: { dataset: 'mnist' },
    inputShape: [28, 28, 1],
    model: { latentDim: 6, network: { type: 'mlp', hidden: [64] } },
    train: { epochs: 1, batchSize: 100 },
  });

/** A run directory as `vaekit train` leaves it before its first epoch ends: config.json, no checkpoint. */
export function emptyRun(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'vk-web-')), 'run');
  createRunDir(dir, tinyRunConfig());
  return dir;
}

/** Trains the run in `dir` (made by emptyRun) for its one epoch: metrics.jsonl and a checkpoint appear. */
export async function trainTinyRun(dir: string): Promise<void> {
  await trainRun({ dir, resume: true });
}
