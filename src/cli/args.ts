import { InvalidArgumentError } from 'commander';

/** Commander argument parsers that reject bad values with a message naming what was expected. */
export function intArg(min = 0, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer ${range}, found "${v}"`);
    return n;
  };
}

export function numberArg(min = Number.NEGATIVE_INFINITY) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min)
      throw new InvalidArgumentError(`expected a number ≥ ${min}, found "${v}"`);
    return n;
  };
}

/** "400,200" → [400, 200]. */
export function intListArg(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  const out = parts.map(Number);
  if (parts.some((p) => p === '') || out.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new InvalidArgumentError(`expected a comma-separated list of positive integers, found "${v}"`);
  }
  return out;
}
