import { Option } from 'commander';
import { BACKEND_CHOICES, type BackendChoice, initBackend } from '../backend/index.js';
import { InputError } from '../core/errors.js';
import {
  type AutoencodingModel,
  canReconstruct,
  type GenerativeModel,
  isAutoencoding,
  type ReconstructingModel,
} from '../models/generative.js';
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
  return { ...loadRun(dir, flags.checkpoint), backend };
}

function requireKind<M extends GenerativeModel>(
  model: GenerativeModel,
  command: string,
  ok: (m: GenerativeModel) => m is M,
  expected: string,
): M {
  if (!ok(model)) {
    throw new InputError({ where: `vaekit ${command}`, expected, found: `a ${model.kind} run` });
  }
  return model;
}

/** The run's model when it can reconstruct (vae, hvae; a GAN has no encoder). */
export const reconstructor = (model: GenerativeModel, command: string): ReconstructingModel =>
  requireKind(model, command, canReconstruct, 'a run of a model with an encoder (vae, hvae)');

/** The run's model when it has one latent vector per image (vae): `encode` needs it. */
export const autoencoder = (model: GenerativeModel, command: string): AutoencodingModel =>
  requireKind(model, command, isAutoencoding, 'a run of a model with one latent vector per image (vae)');
