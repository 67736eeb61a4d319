import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../core/errors.js';

/**
 * Validates `value` against a zod schema; every problem becomes one line of an InputError naming the
 * field (e.g. `config.train.epochs`), what was expected and what was found.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const path = [where, ...i.path.map(String)].join('.');
    return `${path}: ${i.message}`;
  });
  throw new InputError({
    where,
    expected: 'a valid configuration',
    found: `${lines.length} problem(s):\n  ${lines.join('\n  ')}`,
  });
}

/** Reads a JSON or YAML config file (by extension; YAML is a superset of JSON, so both parse). */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError({ where: path, expected: 'a readable config file', found: String(e) }, { cause: e });
  }
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new InputError(
      { where: path, expected: 'valid JSON or YAML', found: (e as Error).message },
      { cause: e },
    );
  }
}
