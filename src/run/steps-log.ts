import { existsSync, readFileSync } from 'node:fs';
import { appendLine, writeFileAtomic } from '../io/atomic.js';
import type { TrainCallbacks } from '../train/loop.js';

/** One line of `steps.jsonl`: the mean training metrics of the steps taken since the line before. */
export interface StepLine {
  /** Optimiser steps taken when the line was written (its last step). */
  step: number;
  /** The epoch in progress, 1-based (as metrics.jsonl counts epochs). */
  epoch: number;
  /** Wall-clock time of the line, seconds since 1970 (ms precision). */
  time: number;
  /** The finite steps the means are taken over. */
  steps: number;
  /** Mean of each training metric over those steps (the numbers the loop already read). */
  train: Record<string, number>;
}

export interface StepsLogOptions {
  /** At most one line per this many milliseconds (default 1000; 0 writes every step). */
  intervalMs?: number;
  /** The clock, for tests (default Date.now). */
  now?: () => number;
}

/** The lines of a steps.jsonl text that parse; a line torn by a crash (or still being written) is skipped. */
export function parseStepLines(text: string): StepLine[] {
  return text.split('\n').flatMap((line) => {
    if (!line.trim()) return [];
    try {
      const r = JSON.parse(line) as StepLine;
      return typeof r.step === 'number' && typeof r.train === 'object' && r.train !== null ? [r] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Keeps the lines of steps.jsonl up to `step` (the checkpoint a run resumes or rolls back to), dropping
 * the later ones — the steps the run is about to take again — and any torn line, in one atomic rewrite.
 */
export function truncateSteps(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = parseStepLines(readFileSync(path, 'utf8')).filter((r) => r.step <= step);
  writeFileAtomic(path, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/**
 * `steps.jsonl`: the training metrics step by step for a live chart, rate-limited to at most one line per
 * `intervalMs` (the means of the steps between lines, so no step is lost) plus the last steps of each epoch.
 * It reads only the numbers the loop hands to `onStep` (no tensor is read for it) and appends one short
 * line per interval. A crash may tear the last line (readers skip it); on a resume or a roll-back the lines
 * after the checkpoint's step are dropped, so the file never shows the steps of a run that was undone.
 */
export function stepsLog(path: string, opts: StepsLogOptions = {}): TrainCallbacks {
  const interval = opts.intervalMs ?? 1000;
  const now = opts.now ?? Date.now;
  let sums: Record<string, number> = {};
  let count = 0;
  let last = -Infinity;
  let at = { step: 0, epoch: 1 };
  const flush = () => {
    if (count === 0) return;
    const train = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count]));
    const line: StepLine = { ...at, time: Math.round(now()) / 1000, steps: count, train };
    appendLine(path, JSON.stringify(line));
    sums = {};
    count = 0;
  };
  return {
    onRestore: (r) => {
      truncateSteps(path, r.step);
      sums = {};
      count = 0;
    },
    onStep: (state, metrics) => {
      for (const [k, v] of Object.entries(metrics)) if (Number.isFinite(v)) sums[k] = (sums[k] ?? 0) + v;
      count++;
      at = { step: state.step, epoch: state.epoch + 1 };
      const t = now();
      if (t - last >= interval) {
        last = t;
        flush();
      }
    },
    // the epoch's last steps, before its record: the step curve reaches every epoch's end
    onRecord: () => flush(),
  };
}
