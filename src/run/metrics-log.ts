import { existsSync, readFileSync } from 'node:fs';
import { appendLine, writeFileAtomic } from '../io/atomic.js';
import type { TrainCallbacks } from '../train/loop.js';

/**
 * Drops the log lines written after the checkpoint a run resumes from (and a line torn by a crash),
 * so the log reads as one uninterrupted run.
 */
export function truncateLog(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => {
      try {
        return (JSON.parse(line) as { step: number }).step <= step;
      } catch {
        return false;
      }
    });
  writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
}

/**
 * `metrics.jsonl`: one JSON line per epoch (written before the epoch's checkpoint, so each epoch is
 * logged exactly once across crashes and resumes) and one per event (roll-backs); on resume, the lines
 * after the checkpoint resumed from are dropped first.
 */
export function metricsLog(path: string): TrainCallbacks {
  return {
    onStart: ({ resumedFrom }) => {
      if (resumedFrom > 0) truncateLog(path, resumedFrom);
    },
    onRecord: (record) => appendLine(path, JSON.stringify(record)),
    onEvent: (e) => appendLine(path, JSON.stringify({ event: e.kind, step: e.step, message: e.message })),
  };
}
