/**
 * The model registry: every model kind vaekit can train, each declared in its own folder
 * (`models/<kind>/index.ts`: schema, builder, capabilities). Adding a model is adding its folder and
 * one line to MODEL_KINDS; the config schema, `--model`, the flags of `vaekit train`, the commands and
 * the explorer all follow from the declaration.
 */
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { cvaeKind } from './cvae/index.js';
import { ganKind, wganGpKind, wganKind } from './gan/index.js';
import { hvaeKind } from './hvae/index.js';
import type { DataInfo, ModelKind, ModelSize } from './kind.js';
import type { GenerativeModel, ModelCapabilities } from './model.js';
import { nvaeKind } from './nvae/index.js';
import { vaeKind } from './vae/index.js';

export const MODEL_KINDS = [vaeKind, hvaeKind, nvaeKind, ganKind, wganKind, wganGpKind, cvaeKind] as const;

type SchemasOf<T extends readonly unknown[]> = {
  [I in keyof T]: T[I] extends { schema: infer S } ? S : never;
};
type Schemas = SchemasOf<typeof MODEL_KINDS>;

/** Every model's config, told apart by `type` (a config without one is a plain VAE). */
export const modelConfigSchema = z.preprocess(
  (v) => (typeof v === 'object' && v !== null && !('type' in v) ? { ...v, type: 'vae' } : v),
  z.discriminatedUnion('type', MODEL_KINDS.map((k) => k.schema) as unknown as Schemas),
);

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type ModelType = ModelConfig['type'];
export const MODEL_TYPES = MODEL_KINDS.map((k) => k.type) as ModelType[];

/** The registry entry of a model type; an unknown type is an InputError. */
export function modelKind(type: string): ModelKind {
  const kind = MODEL_KINDS.find((k) => k.type === type);
  if (!kind) {
    throw new InputError({ where: 'model.type', expected: MODEL_TYPES.join(' | '), found: String(type) });
  }
  return kind as unknown as ModelKind;
}

/** What a model type can do, without building one. */
export function capabilitiesOf(type: string): ModelCapabilities {
  return modelKind(type).capabilities;
}

/** Builds the model a config describes, with weights initialised from `seed`. */
export function buildModel(config: ModelConfig, data: DataInfo, seed: number): GenerativeModel {
  return modelKind(config.type).build(config, data, seed);
}

/** One line describing a model config, for reports. */
export function describeModel(config: ModelConfig): string {
  return modelKind(config.type).describe(config);
}

/** The size of the model a config describes, counted without building it. */
export function modelSize(config: ModelConfig, data: DataInfo): ModelSize {
  return modelKind(config.type).size(config, data);
}

/**
 * The memory vaekit lets one model take while training: 2 GiB, half of the 4 GiB a WebAssembly backend
 * can address at all. Counted as 16 bytes per parameter (the weights, their gradients and an optimiser's
 * two moments, in float32) plus 8 bytes per activation of a batch (each value and its gradient).
 */
export const TRAINING_MEMORY_LIMIT = 2 * 1024 ** 3;

/** Bytes as "2.0 GiB", "512 MiB", "1.5e+12 bytes". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n >= 1024 ** 5) return `${n.toExponential(1)} bytes`;
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} bytes` : `${v.toFixed(1)} ${units[i]}`;
}

/**
 * Refuses, before anything is allocated, a model that would need more than TRAINING_MEMORY_LIMIT to
 * train on batches of `batchSize` images (each passed `samples` times: the IWAE's k); the error says the
 * computed size and the limit. Returns the size.
 */
export function checkModelSize(
  config: ModelConfig,
  data: DataInfo,
  batch: { batchSize: number; samples?: number },
): ModelSize {
  const size = modelSize(config, data);
  checkTrainingMemory(size, `model (${describeModel(config)}) on ${data.inputShape.join('×')} images`, batch);
  return size;
}

/**
 * Refuses a network of `size` (named by `where`) whose training on batches of `batchSize` would need more
 * than TRAINING_MEMORY_LIMIT, counted as in checkModelSize.
 */
export function checkTrainingMemory(
  size: ModelSize,
  where: string,
  batch: { batchSize: number; samples?: number },
): void {
  const parameterBytes = 16 * size.parameters + (size.extraBytes ?? 0);
  const activationBytes = 8 * size.activations * batch.batchSize * (batch.samples ?? 1);
  const total = parameterBytes + activationBytes;
  if (!(total <= TRAINING_MEMORY_LIMIT)) {
    throw new InputError({
      where,
      expected: `at most ${formatBytes(TRAINING_MEMORY_LIMIT)} to train`,
      found:
        `${formatBytes(total)}: ${size.parameters.toLocaleString('en')} parameters (${formatBytes(parameterBytes)} ` +
        `with gradients and optimiser state) and ${formatBytes(activationBytes)} of activations for a batch of ` +
        `${batch.batchSize}${(batch.samples ?? 1) > 1 ? ` × ${batch.samples} samples` : ''}`,
      hint: 'use smaller layers (--hidden, --filters, --width, --latent-dim, --latent-channels …), a smaller --batch-size or --k',
    });
  }
}

/**
 * Images per pass for work that prefers `preferred` at once (evaluation batches, decoder rows of importance
 * sampling): at most what one pass of the model can hold (maxImagesPerPass), at least 1.
 */
export function imagesPerPass(config: ModelConfig, data: DataInfo, preferred: number): number {
  return Math.max(1, Math.min(preferred, maxImagesPerPass(config, data)));
}

/**
 * How many images one forward pass of the model may take at once without its activations exceeding
 * TRAINING_MEMORY_LIMIT (4 bytes per activation: no gradients are kept).
 */
export function maxImagesPerPass(config: ModelConfig, data: DataInfo): number {
  const { activations } = modelSize(config, data);
  return Math.max(0, Math.floor(TRAINING_MEMORY_LIMIT / (4 * Math.max(1, activations))));
}
