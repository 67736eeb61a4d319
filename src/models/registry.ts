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
import type { DataInfo, ModelKind } from './kind.js';
import type { GenerativeModel, ModelCapabilities } from './model.js';
import { vaeKind } from './vae/index.js';

export const MODEL_KINDS = [vaeKind, hvaeKind, ganKind, wganKind, wganGpKind, cvaeKind] as const;

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
