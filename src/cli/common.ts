import { Option } from 'commander';
import { BACKEND_CHOICES, type BackendChoice, initBackend } from '../backend/index.js';
import { InputError } from '../errors.js';
import { type AutoencodingModel, type GenerativeModel, isAutoencoding } from '../models/generative.js';
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

/** The run's model when it has an encoder; `reconstruct` and `encode` need one (a GAN has none). */
export function autoencoder(model: GenerativeModel, command: string): AutoencodingModel {
  if (!isAutoencoding(model)) {
    throw new InputError({
      where: `vaekit ${command}`,
      expected: 'a run of a model with an encoder (vae, hvae)',
      found: `a ${model.kind} run`,
    });
  }
  return model;
}
