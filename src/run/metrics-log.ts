import { existsSync, readFileSync } from 'node:fs';
import { appendLine, writeFileAtomic } from '../io/atomic.js';
import type { TrainCallbacks } from '../train/loop.js';

/**
 * Drops the log lines that come after the checkpoint a run resumes or rolls back to (and a line torn by
 * a crash), so the log reads as one run with every epoch once.
 */
export function truncateLog(
  path: string,
  at: { step: number; epoch: number; reason: 'resume' | 'rollback' },
): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => {
      try {
        // an epoch's record belongs to the epochs the checkpoint has completed (a checkpoint of an epoch's
        // last step taken before its evaluation has the same step but not the record); an event stays
        // after a roll-back (it is why it happened) and goes after a resume (the replay repeats it)
        const r = JSON.parse(line) as { step: number; epoch?: number };
        if (r.epoch !== undefined) return r.epoch <= at.epoch;
        return at.reason === 'rollback' || r.step <= at.step;
      } catch {
        return false;
      }
    });
  writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
}

/**
 * The test metrics logged at the end of epoch `epoch` (1-based, as the log counts), measured at `step`: those
 * of a checkpoint that ends that epoch. The last such line, as a roll-back may have logged the epoch again;
 * null when there is none (a log cut short, a run without test data, a checkpoint taken inside an epoch,
 * whose weights no line measured) — never another epoch's or another step's.
 */
export function epochTestRecord(
  path: string,
  epoch: number,
  step: number,
): { epoch: number; step: number; test: unknown } | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  let found: { epoch: number; step: number; test: unknown } | null = null;
  for (const line of text.split('\n')) {
    try {
      const r = JSON.parse(line) as { epoch?: unknown; step?: unknown; test?: unknown };
      if (r.epoch === epoch && r.step === step && r.test !== undefined) found = { epoch, step, test: r.test };
    } catch {
      // a line torn by a crash
    }
  }
  return found;
}

/**
 * `metrics.jsonl`: one JSON line per epoch (written before the epoch's checkpoint, so each epoch is
 * logged exactly once across crashes, resumes and roll-backs) and one per event (roll-backs); when the
 * run goes back to a checkpoint, the lines after it are dropped first.
 */
export function metricsLog(path: string): TrainCallbacks {
  return {
    onRestore: (at) => truncateLog(path, at),
    onRecord: (record) => appendLine(path, JSON.stringify(record)),
    onEvent: (e) => appendLine(path, JSON.stringify({ event: e.kind, step: e.step, message: e.message })),
  };
}
