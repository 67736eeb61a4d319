/**
 * Typed errors. Every error caused by what a user gave us (a file, a flag, a config field)
 * is an InputError: it says what was expected, what was found, and where. The CLI maps it to exit code 2.
 */
export interface ErrorDetails {
  /** The file, field or flag at fault, e.g. `train-images.idx3-ubyte.gz: header` or `config.latentDim`. */
  where: string;
  /** What vaekit expected to find there. */
  expected: string;
  /** What it actually found. */
  found: string;
  /** Optional hint on how to fix it (an apt package to install, a flag to pass). */
  hint?: string;
}

export class VaekitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input from the user: exit code 2, nothing half-written. */
export class InputError extends VaekitError {
  readonly details: ErrorDetails;
  constructor(details: ErrorDetails, options?: { cause?: unknown }) {
    const hint = details.hint ? `\n  hint: ${details.hint}` : '';
    super(`${details.where}: expected ${details.expected}, found ${details.found}${hint}`, options);
    this.details = details;
  }
}

/** Training produced non-finite numbers and could not recover. */
export class NumericalError extends VaekitError {}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
