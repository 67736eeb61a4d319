import type { StepContext } from '../../src/core/trainable.js';

/** A step context with the defaults of a plain ELBO step; tests override what they test. */
export function stepContext(overrides: Partial<StepContext> = {}): StepContext {
  return { step: 0, epoch: 0, seed: 1, beta: 1, freeBits: 0, objective: { kind: 'elbo' }, ...overrides };
}
