/**
 * Settings a new run would store and never use are refused (exit 2), as the model registry refuses a flag
 * of another model: σ with a likelihood that has none, the image-folder options on IDX or built-in data.
 * A setting counts as given when it differs from its default (the schemas' own defaults).
 */
import { InputError } from '../core/errors.js';
import { kebab } from '../core/flags.js';
import { isImageFolder } from '../data/load.js';
import { likelihoodConfigSchema } from '../models/likelihood.js';
import { vaeConfigSchema } from '../models/vae/config.js';
import { dataConfigSchema, type RunConfig } from './config.js';

interface Setting {
  /** Its path in the run config and the flag that sets it. */
  where: string;
  value: unknown;
  fallback: unknown;
  /** Why it is unused here, or null when it is used. */
  unusedBecause: () => string | null;
}

export function checkNoUnusedSettings(config: RunConfig): void {
  const dataDefaults = dataConfigSchema.parse({});
  const likelihoodDefaults = likelihoodConfigSchema.parse({});
  const model = config.model as Partial<Record<'likelihood' | 'sigma' | 'mixtures' | 'refineSteps', unknown>>;
  const refineDefaults = vaeConfigSchema.parse({});
  const notAnImageFolder = () =>
    isImageFolder(config.data.dataset)
      ? null
      : `${config.data.dataset} is not a folder of PNG/JPEG images (the option is for image folders)`;
  const settings: Setting[] = [
    ...(['imageSize', 'channels', 'stream', 'skipBadFiles'] as const).map((k) => ({
      where: `data.${k} (--${kebab(k)})`,
      value: config.data[k],
      fallback: dataDefaults[k],
      unusedBecause: notAnImageFolder,
    })),
    {
      where: 'model.sigma (--sigma)',
      value: model.sigma,
      fallback: likelihoodDefaults.sigma,
      unusedBecause: () =>
        String(model.likelihood).startsWith('gaussian')
          ? null
          : `the ${model.likelihood} likelihood has no σ (it is for gaussian and gaussian-learned)`,
    },
    {
      where: 'model.mixtures (--mixtures)',
      value: model.mixtures,
      fallback: likelihoodDefaults.mixtures,
      unusedBecause: () =>
        model.likelihood === 'logistic-mixture'
          ? null
          : `the ${model.likelihood} likelihood has no mixture components (it is for logistic-mixture)`,
    },
    ...(['refineLr', 'refineGradient'] as const).map((k) => ({
      where: `model.${k} (--${kebab(k)})`,
      value: (config.model as Partial<Record<typeof k, unknown>>)[k],
      fallback: refineDefaults[k],
      unusedBecause: () =>
        model.refineSteps ? null : 'the model does not refine its posterior (it is for --refine-steps > 0)',
    })),
  ];
  for (const s of settings) {
    if (s.value === undefined || s.value === s.fallback) continue;
    const why = s.unusedBecause();
    if (why)
      throw new InputError({
        where: s.where,
        expected: `its default (${s.fallback}): ${why}`,
        found: String(s.value),
      });
  }
}
