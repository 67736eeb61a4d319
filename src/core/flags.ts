/**
 * Command-line flags are declared on the config schemas themselves, so a field, its validation, its
 * default and its help text live in one place: `z.number().default(20).meta(flag('latent dimensions'))`.
 * The CLI derives names, argument parsers, choices and defaults from the schema (src/cli/schema-flags.ts).
 */
export interface FlagMeta {
  /** One line of help; the CLI appends the choices and the default it reads from the schema. */
  help: string;
  /** The flag's name without dashes when it is not the field's name in kebab case (`arch` for network.type). */
  name?: string;
  /** The argument's placeholder in the help (`<L>`); the name of the field by default. */
  arg?: string;
}

/** Metadata that turns a schema field into a flag of `vaekit train`. */
export function flag(help: string, opts: Omit<FlagMeta, 'help'> = {}): { cli: FlagMeta } {
  return { cli: { help, ...opts } };
}

/** A config key as its command-line flag: `batchSize` → `batch-size`. */
export const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
