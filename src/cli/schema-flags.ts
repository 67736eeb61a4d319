/**
 * Command-line flags derived from the config schemas: every field declared with `.meta(flag(…))`
 * (core/flags.ts) becomes an option whose name, argument parser, choices, default and help come from
 * the schema, and whose value is written to the field's path in the raw config before validation.
 * A field inside a discriminated union (network: mlp | conv, objective: elbo | iwae) implies its
 * variant: `--filters 32,64` makes the network a conv network, `--k 5` the objective IWAE.
 */
import { InvalidArgumentError, Option } from 'commander';
import type { z } from 'zod';
import { type FlagMeta, kebab } from '../core/flags.js';
import { DECIMAL, INTEGER } from './args.js';

type Json = Record<string, unknown>;

/**
 * A discriminated union of the config (network: mlp | conv) that a flag chooses the variant of: the
 * object at `at` gets `{ [key]: value }`; switching variants keeps the fields every variant has (`shared`).
 */
export interface Variant {
  at: string[];
  key: string;
  value: string;
  shared: string[];
  /** A field every variant has (an activation): it picks `value`, the default variant, only when none is chosen yet. */
  ifUnset?: boolean;
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
  /**
   * The union variant the flag chooses: --arch and --objective by their value (`value` is then filled in
   * from the argument), a field of one variant (--filters, --k) by being given.
   */
  variant?: Variant;
  /** The flag's argument is the variant itself (--arch, --objective). */
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
    (!int || Number.isSafeInteger(n)) &&
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
      if (!(int ? INTEGER : DECIMAL).test(v) || !ok(n))
        throw new InvalidArgumentError(`expected ${what}, found "${v}"`);
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
    const fieldsOf = options.map((o) => Object.keys(shapeOf(o)).filter((k) => k !== disc));
    // a field every variant has (an activation) is set whatever the variant, and survives a switch
    const shared = fieldsOf[0].filter((k) => fieldsOf.every((f) => f.includes(k)));
    const union = (value: string): Variant => ({ at: path, key: disc, value, shared });
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
            variant: union(''),
          },
        ]
      : [];
    // alone (`--activation tanh`), a shared field still makes the union whole: with its default variant
    const fallback = (defaultValue as Json | undefined)?.[disc];
    const sharedVariant = fallback === undefined ? variant : { ...union(String(fallback)), ifUnset: true };
    const sharedFlags = shared.flatMap((k) =>
      schemaFlags(shapeOf(options[0])[k], [...path, k], sharedVariant),
    );
    const fields = options.flatMap((o, i) =>
      fieldsOf[i]
        .filter((k) => !shared.includes(k))
        .flatMap((k) => schemaFlags(shapeOf(o)[k], [...path, k], union(values[i]))),
    );
    return [...own, ...sharedFlags, ...fields];
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

/** The variant a flag with this argument chooses, or undefined when it chooses none. */
export function chosenVariant(flag: SchemaFlag, value: unknown): Variant | undefined {
  if (!flag.variant) return undefined;
  return flag.discriminator ? { ...flag.variant, value: String(value) } : flag.variant;
}

/**
 * Writes `value` at the flag's path in `raw` (a config object). A flag that chooses a variant other
 * than the one `raw` has replaces that union by the chosen variant (keeping its shared fields), and
 * returns the variant it replaced, so the caller can say so.
 */
export function setFlag(raw: Json, flag: SchemaFlag, value: unknown): string | undefined {
  const chosen = chosenVariant(flag, value);
  let replaced: string | undefined;
  if (chosen) {
    const parent = objectAt(raw, chosen.at.slice(0, -1));
    const last = chosen.at.at(-1)!;
    const current = parent[last] as Json | undefined;
    const chosenAlready =
      typeof current === 'object' && current !== null && current[chosen.key] !== undefined;
    if (chosen.ifUnset && chosenAlready) {
      // a shared field keeps whichever variant is there
    } else if (typeof current !== 'object' || current === null || current[chosen.key] !== chosen.value) {
      if (typeof current === 'object' && current !== null && current[chosen.key] !== undefined)
        replaced = String(current[chosen.key]);
      const kept = Object.fromEntries(
        chosen.shared.filter((k) => current?.[k] !== undefined).map((k) => [k, current![k]]),
      );
      parent[last] = { [chosen.key]: chosen.value, ...kept };
    }
  }
  objectAt(raw, flag.path.slice(0, -1))[flag.path.at(-1)!] = value;
  return replaced;
}

function objectAt(raw: Json, path: string[]): Json {
  let o = raw;
  for (const k of path) {
    if (typeof o[k] !== 'object' || o[k] === null || Array.isArray(o[k])) o[k] = {};
    o = o[k] as Json;
  }
  return o;
}
