/**
 * Command-line flags derived from the config schemas: every field declared with `.meta(flag(…))`
 * (core/flags.ts) becomes an option whose name, argument parser, choices, default and help come from
 * the schema, and whose value is written to the field's path in the raw config before validation.
 * A field inside a discriminated union (network: mlp | conv, objective: elbo | iwae) implies its
 * variant: `--filters 32,64` makes the network a conv network, `--k 5` the objective IWAE.
 */
import { InvalidArgumentError, Option } from 'commander';
import type { z } from 'zod';
import type { FlagMeta } from '../core/flags.js';

type Json = Record<string, unknown>;

/** A union variant a flag implies: the object at `at` gets `{ [key]: value }`. */
interface Variant {
  at: string[];
  key: string;
  value: string;
}

export interface SchemaFlag {
  /** Long name without dashes (`latent-dim`). */
  name: string;
  arg: string;
  help: string;
  /** Where the value goes, from the section's root (`['network', 'filters']`). */
  path: string[];
  parse: (v: string) => unknown;
  /** Shown in the help. */
  choices?: string[];
  defaultValue?: unknown;
  boolean: boolean;
  variant?: Variant;
  /** The flag chooses a union's variant (--arch, --objective): a change of variant drops the old one's fields. */
  discriminator?: boolean;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  in?: z.ZodType;
  out?: z.ZodType;
  discriminator?: string;
  options?: z.ZodType[];
  element?: z.ZodType;
  values?: unknown[];
  entries?: Record<string, string>;
  checks?: { _zod: { def: { check: string; value?: number; inclusive?: boolean; format?: string } } }[];
}

const def = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const cliMeta = (s: z.ZodType): FlagMeta | undefined => (s.meta() as { cli?: FlagMeta } | undefined)?.cli;
const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const shapeOf = (s: z.ZodType) => (s as unknown as { shape: Record<string, z.ZodType> }).shape;

/** The schema under its default/optional/prefault/preprocess wrappers, the flag metadata and the default. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; meta?: FlagMeta; defaultValue?: unknown } {
  let s = schema;
  let meta = cliMeta(s);
  let defaultValue: unknown;
  for (;;) {
    const d = def(s);
    if (d.type === 'default' && defaultValue === undefined) defaultValue = d.defaultValue;
    const next =
      d.type === 'default' || d.type === 'optional' || d.type === 'prefault' || d.type === 'nullable'
        ? d.innerType
        : d.type === 'pipe'
          ? d.out
          : undefined;
    if (!next) return { inner: s, meta, defaultValue };
    s = next;
    meta ??= cliMeta(s);
  }
}

/** The numeric bound of a number schema: "≥ 1", "> 0". */
function numberParser(s: z.ZodType): { parse: (v: string) => number; bound: string } {
  const checks = def(s).checks?.map((c) => c._zod.def) ?? [];
  const int = checks.some((c) => c.check === 'number_format' && c.format === 'safeint');
  const lower = checks.find((c) => c.check === 'greater_than');
  const upper = checks.find((c) => c.check === 'less_than');
  const ok = (n: number) =>
    Number.isFinite(n) &&
    (!int || Number.isInteger(n)) &&
    (!lower || (lower.inclusive ? n >= lower.value! : n > lower.value!)) &&
    (!upper || (upper.inclusive ? n <= upper.value! : n < upper.value!));
  const bound = [
    lower ? `${lower.inclusive ? '≥' : '>'} ${lower.value}` : '',
    upper ? `${upper.inclusive ? '≤' : '<'} ${upper.value}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const what = `${int ? 'an integer' : 'a number'}${bound ? ` ${bound}` : ''}`;
  return {
    bound: what,
    parse: (v) => {
      const n = Number(v);
      if (v.trim() === '' || !ok(n)) throw new InvalidArgumentError(`expected ${what}, found "${v}"`);
      return n;
    },
  };
}

function choiceParser(choices: string[], values: unknown[]) {
  return (v: string) => {
    const i = choices.indexOf(v);
    if (i < 0) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, found "${v}"`);
    return values[i];
  };
}

/** How a leaf schema reads its flag's argument, or null when it has no command-line form. */
function leafParser(s: z.ZodType): Pick<SchemaFlag, 'parse' | 'choices' | 'boolean'> | null {
  const d = def(s);
  switch (d.type) {
    case 'number':
      return { parse: numberParser(s).parse, boolean: false };
    case 'boolean':
      return { parse: () => true, boolean: true };
    case 'string':
      return { parse: (v) => v, boolean: false };
    case 'enum': {
      const values = Object.values(d.entries ?? {});
      return { parse: choiceParser(values, values), choices: values, boolean: false };
    }
    case 'union': {
      const values = (d.options ?? []).flatMap((o) => def(o).values ?? []);
      const choices = values.map(String);
      return { parse: choiceParser(choices, values), choices, boolean: false };
    }
    case 'array': {
      const element = numberParser(unwrap(d.element!).inner);
      return {
        boolean: false,
        parse: (v) => {
          const parts = v.split(',').map((p) => p.trim());
          try {
            return parts.map((p) => element.parse(p));
          } catch {
            throw new InvalidArgumentError(
              `expected a comma-separated list of ${element.bound}, found "${v}"`,
            );
          }
        },
      };
    }
    default:
      return null;
  }
}

/** Every flag the fields of `schema` declare, with paths relative to it. */
export function schemaFlags(schema: z.ZodType, path: string[] = [], variant?: Variant): SchemaFlag[] {
  const { inner, meta, defaultValue } = unwrap(schema);
  const d = def(inner);
  const key = path.at(-1) ?? '';
  if (d.type === 'object') {
    return Object.entries(shapeOf(inner)).flatMap(([k, field]) => schemaFlags(field, [...path, k], variant));
  }
  if (d.type === 'union' && d.discriminator) {
    const disc = d.discriminator;
    const options = d.options ?? [];
    const values = options.map((o) => String(def(unwrap(shapeOf(o)[disc]).inner).values?.[0]));
    const own: SchemaFlag[] = meta
      ? [
          {
            name: meta.name ?? kebab(key),
            arg: meta.arg ?? key,
            help: meta.help,
            path: [...path, disc],
            parse: choiceParser(values, values),
            choices: values,
            defaultValue: (defaultValue as Json | undefined)?.[disc],
            boolean: false,
            discriminator: true,
          },
        ]
      : [];
    const fields = options.flatMap((o, i) => {
      const v: Variant = { at: path, key: disc, value: values[i] };
      return Object.entries(shapeOf(o))
        .filter(([k]) => k !== disc)
        .flatMap(([k, field]) => schemaFlags(field, [...path, k], v));
    });
    return [...own, ...fields];
  }
  if (!meta) return [];
  const leaf = leafParser(inner);
  if (!leaf) throw new Error(`config field ${path.join('.')} declares a flag but has no command-line form`);
  return [
    {
      name: meta.name ?? kebab(key),
      arg: meta.arg ?? key,
      help: meta.help,
      path,
      defaultValue,
      variant,
      ...leaf,
    },
  ];
}

/** A commander option for a flag; `note` (defaults, which models take it) goes after the choices. */
export function flagOption(flag: SchemaFlag, note = ''): Option {
  const spec = flag.boolean ? `--${flag.name}` : `--${flag.name} <${flag.arg}>`;
  const extra = [flag.choices?.join(' | ') ?? '', flag.boolean ? '' : note].filter(Boolean).join('; ');
  const option = new Option(spec, extra ? `${flag.help} (${extra})` : flag.help);
  return flag.boolean ? option : option.argParser(flag.parse);
}

/** The attribute commander stores an option's value under (`--latent-dim` → latentDim). */
export function optionKey(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Writes `value` at the flag's path in `raw` (a config object), switching a union to the variant it implies. */
export function setFlag(raw: Json, flag: SchemaFlag, value: unknown): void {
  if (flag.variant) {
    const parent = objectAt(raw, flag.variant.at.slice(0, -1));
    const last = flag.variant.at.at(-1)!;
    const current = parent[last] as Json | undefined;
    if (typeof current !== 'object' || current === null || current[flag.variant.key] !== flag.variant.value) {
      parent[last] = { [flag.variant.key]: flag.variant.value };
    }
  } else if (flag.discriminator) {
    const union = objectAt(raw, flag.path.slice(0, -1));
    if (union[flag.path.at(-1)!] !== value) for (const k of Object.keys(union)) delete union[k];
  }
  objectAt(raw, flag.path.slice(0, -1))[flag.path.at(-1)!] = value;
}

function objectAt(raw: Json, path: string[]): Json {
  let o = raw;
  for (const k of path) {
    if (typeof o[k] !== 'object' || o[k] === null || Array.isArray(o[k])) o[k] = {};
    o = o[k] as Json;
  }
  return o;
}
