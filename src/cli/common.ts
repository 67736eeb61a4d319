import { Option } from 'commander';
import { BACKEND_CHOICES, type BackendChoice, initBackend } from '../backend/index.js';
import { InputError } from '../core/errors.js';
import {
  asConditional,
  asGaussianLatent,
  asLocalInference,
  asReconstructing,
  type GenerativeModel,
  type ModelCapabilities,
} from '../models/model.js';
import { MODEL_KINDS } from '../models/registry.js';
import { type LoadedRun, loadRun } from '../run/load-run.js';

export const backendOption = () => new Option('--backend <name>', 'tfjs backend').choices(BACKEND_CHOICES);
export const checkpointOption = () =>
  new Option('--checkpoint <which>', 'which checkpoint of the run')
    .choices(['best', 'latest'])
    .default('best');

/** Starts the backend the user asked for (or the run's), then loads the run's model. */
export async function openRun(
  dir: string,
  flags: { backend?: BackendChoice; checkpoint?: 'best' | 'latest' },
): Promise<LoadedRun & { backend: string }> {
  const backend = await initBackend(flags.backend ?? 'auto');
  const run = loadRun(dir, flags.checkpoint);
  if (run.checkpointNote) process.stderr.write(`vaekit: ${run.checkpointNote}\n`);
  return { ...run, backend };
}

/** The model's facet when its capabilities declare it; else an InputError naming the kinds that have it. */
function require<F>(
  model: GenerativeModel,
  command: string,
  facet: F | null,
  has: (c: ModelCapabilities) => boolean,
  what: string,
): F {
  if (facet === null) {
    const kinds = MODEL_KINDS.filter((k) => has(k.capabilities)).map((k) => k.type);
    throw new InputError({
      where: `vaekit ${command}`,
      expected: `a run of a model with ${what} (${kinds.join(', ')})`,
      found: `a ${model.kind} run`,
    });
  }
  return facet;
}

/** The run's model when it can reconstruct (an encoder; a GAN has none). */
export const reconstructor = (model: GenerativeModel, command: string) =>
  require(model, command, asReconstructing(model), (c) => c.encoder, 'an encoder');

/** The run's model when it is conditioned on a class label. */
export const conditional = (model: GenerativeModel, command: string) =>
  require(model, command, asConditional(model), (c) => c.conditional, 'a class condition');

/** The run's model when it has one Gaussian latent vector per image: `encode` needs it. */
export const gaussianLatent = (model: GenerativeModel, command: string) =>
  require(model, command, asGaussianLatent(model), (c) =>
    c.latent === 'gaussian', 'one latent vector per image');

/** The run's model when its posterior has per-image parameters that can be optimised: `eval --gaps` needs it. */
export const localInference = (model: GenerativeModel, command: string) =>
  require(model, command, asLocalInference(model), (c) => c.localInference, 'per-image posterior parameters');
