import { InvalidArgumentError } from 'commander';

/**
 * What the command line accepts as an integer and as a number: decimal digits, with an exponent where the
 * value stays an integer (1e9), no hex, no spaces.
 */
export const INTEGER = /^[+-]?\d+(e\+?\d+)?$/i;
export const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Commander argument parsers that reject bad values with a message naming what was expected. */
export function intArg(min = 0, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  return (v: string): number => {
    const n = Number(v);
    if (!INTEGER.test(v) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer ${range}, found "${v}"`);
    return n;
  };
}

export function numberArg(min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY) {
  const range = max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `from ${min} to ${max}`;
  return (v: string): number => {
    const n = Number(v);
    if (!DECIMAL.test(v) || !Number.isFinite(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected a number ${range}, found "${v}"`);
    return n;
  };
}

/** "400,200" → [400, 200]. */
export function intListArg(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  const out = parts.map(Number);
  if (parts.some((p) => !INTEGER.test(p)) || out.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
    throw new InvalidArgumentError(`expected a comma-separated list of positive integers, found "${v}"`);
  }
  return out;
}
