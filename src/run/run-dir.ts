import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { type RunConfig, runConfigSchema } from './config.js';
import { parseWith } from './parse.js';

/** The files of one run: `runs/<name>/{config.json, metrics.jsonl, checkpoints/, samples/}`. */
export function runPaths(dir: string) {
  return {
    dir,
    config: join(dir, 'config.json'),
    metrics: join(dir, 'metrics.jsonl'),
    checkpoints: join(dir, 'checkpoints'),
    samples: join(dir, 'samples'),
  };
}

export type RunPaths = ReturnType<typeof runPaths>;

export function createRunDir(dir: string, config: RunConfig): RunPaths {
  const p = runPaths(dir);
  if (existsSync(p.config)) {
    throw new InputError({
      where: dir,
      expected: 'a new run directory',
      found: 'an existing run',
      hint: `continue it with --resume ${dir}, or choose another --name`,
    });
  }
  mkdirSync(p.samples, { recursive: true });
  mkdirSync(p.checkpoints, { recursive: true });
  writeJsonAtomic(p.config, config);
  return p;
}

export function readRunConfig(dir: string): RunConfig {
  const p = runPaths(dir);
  if (!existsSync(p.config)) {
    throw new InputError({
      where: dir,
      expected: 'a run directory with config.json',
      found: 'no config.json',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(p.config, 'utf8'));
  } catch (e) {
    throw new InputError(
      { where: p.config, expected: 'valid JSON', found: (e as Error).message },
      { cause: e },
    );
  }
  const version = (raw as { version?: unknown })?.version;
  if (version !== 1) {
    throw new InputError({
      where: `${p.config}: version`,
      expected: 'run format version 1',
      found: String(version),
      hint: 'this run was written by an incompatible vaekit version',
    });
  }
  return parseWith(runConfigSchema, raw, p.config);
}

/** A run name from the time: `vae-mnist-20261127-031500`. */
export function defaultRunName(config: RunConfig): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const data = config.data.dataset.split(/[\\/]/).filter(Boolean).pop() ?? 'data';
  return `${config.model.type}-${data}-${t}`;
}
