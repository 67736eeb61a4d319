import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../core/errors.js';
import { readInputText } from '../io/files.js';

type Issue = z.core.$ZodIssue;

/** The value at `path` inside `value`, or undefined. */
function at(value: unknown, path: PropertyKey[]): unknown {
  let v = value;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** A value as a message shows it: JSON, cut short. */
function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** One issue as "expected …, found …": zod's own message, made specific where it says only "Invalid input". */
function describeIssue(issue: Issue, input: unknown): string {
  const value = at(input, issue.path);
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const alternatives = issue.errors.map((branch) =>
      branch.length === 1 && branch[0].code === 'invalid_value' && branch[0].path.length === 0
        ? branch[0].values.map(shown).join(' or ')
        : null,
    );
    if (alternatives.every((a) => a !== null))
      return `expected ${alternatives.join(' or ')}, found ${shown(value)}`;
    const messages = issue.errors.map((b) => b.map((i) => i.message).join('; '));
    return `expected one of: ${messages.join(' | ')}; found ${shown(value)}`;
  }
  if (issue.code === 'unrecognized_keys') return issue.message;
  return /found|received/i.test(issue.message) ? issue.message : `${issue.message}, found ${shown(value)}`;
}

/**
 * Validates `value` against a zod schema; every problem becomes one line of an InputError naming the
 * field (e.g. `config.train.epochs`), what was expected and what was found.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const path = [where, ...i.path.map(String)].join('.');
    return `${path}: ${describeIssue(i, value)}`;
  });
  throw new InputError({
    where,
    expected: 'a valid configuration',
    found: `${lines.length} problem(s):\n  ${lines.join('\n  ')}`,
  });
}

/**
 * The first key that appears twice in one object of a JSON text (which JSON.parse has accepted), with the
 * path of that object, or null. JSON.parse keeps the last of duplicate keys without a word; YAML refuses them.
 */
function duplicateKey(text: string): { path: string[]; key: string } | null {
  type Frame = { keys: Set<string> | null; key?: string; index: number };
  const stack: Frame[] = [];
  // the path of the innermost container: the key (or index) under which each enclosing one holds the next
  const pathOf = () => stack.slice(0, -1).map((f) => (f.keys ? (f.key ?? '') : String(f.index)));
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      let k = j + 1;
      while (/\s/.test(text[k] ?? '')) k++;
      if (top?.keys && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return { path: pathOf(), key };
        top.keys.add(key);
        top.key = key;
      }
      i = j;
    } else if (ch === '{') stack.push({ keys: new Set(), index: 0 });
    else if (ch === '[') stack.push({ keys: null, index: 0 });
    else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === ',') {
      const top = stack.at(-1);
      if (top && !top.keys) top.index++;
    }
  }
  return null;
}

/** Parses JSON text, refusing duplicate keys as YAML does; errors name `where`. */
export function parseJson(text: string, where: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError({ where, expected: 'valid JSON', found: (e as Error).message }, { cause: e });
  }
  const dup = duplicateKey(text);
  if (dup) {
    throw new InputError({
      where: [where, ...dup.path].join('.'),
      expected: 'each key once',
      found: `the key ${JSON.stringify(dup.key)} twice`,
    });
  }
  return value;
}

/**
 * Reads a JSON or YAML config file (by extension; YAML is a superset of JSON, so both parse). Duplicate
 * keys are refused in both; the file must hold a mapping of sections — an empty file, a list or a bare
 * value is refused rather than read as "all defaults".
 */
export function readConfigFile(path: string): Record<string, unknown> {
  // a regular file of at most 16 MiB (a FIFO or /dev/zero is refused, not waited on); else an InputError naming it
  const text = readInputText(path, 'a readable config file');
  let value: unknown;
  if (path.endsWith('.json')) value = parseJson(text, path);
  else {
    try {
      value = parseYaml(text);
    } catch (e) {
      throw new InputError(
        { where: path, expected: 'valid JSON or YAML', found: (e as Error).message },
        { cause: e },
      );
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError({
      where: path,
      expected: 'a mapping of config sections (model, train, data, seed, backend)',
      found:
        value === null || value === undefined
          ? 'an empty file'
          : Array.isArray(value)
            ? 'a list'
            : `the value ${shown(value)}`,
    });
  }
  if (Object.keys(value).length === 0) {
    throw new InputError({
      where: path,
      expected: 'at least one setting (model, train, data, seed or backend)',
      found: 'an empty mapping',
      hint: 'leave out -c to train with every default',
    });
  }
  return value as Record<string, unknown>;
}
