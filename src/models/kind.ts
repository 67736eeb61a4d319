/**
 * A model kind as the registry holds it: everything vaekit needs to offer a model, in one declaration
 * that lives in the model's own folder (`models/<kind>/index.ts`).
 */
import type { z } from 'zod';
import type { ImageShape } from '../nn/networks.js';
import type { GenerativeModel, ModelCapabilities } from './model.js';

/** What a model is built for, read from the data when a run is created. */
export interface DataInfo {
  inputShape: ImageShape;
  /** Number of classes of the labels (max label + 1), when the data has labels. */
  classes?: number;
}

export interface ModelKind<S extends z.ZodType = z.ZodType> {
  /** `model.type` in a run config and the value of `--model`. */
  type: string;
  /** One line for `vaekit train --help`. */
  summary: string;
  /**
   * The config of this kind: a strict object with `type: z.literal(type)`; fields that carry
   * `.meta(flag(…))` become flags of `vaekit train`.
   */
  schema: S;
  capabilities: ModelCapabilities;
  /** The model a config describes, with weights initialised from `seed`. */
  build(config: z.infer<S>, data: DataInfo, seed: number): GenerativeModel;
  /** One line for reports: "vae mlp 400, 20 latent dims, bernoulli likelihood". */
  describe(config: z.infer<S>): string;
}

/** Declares a model kind (an identity function that keeps the schema's type for `build` and `describe`). */
export function defineModel<S extends z.ZodType>(kind: ModelKind<S>): ModelKind<S> {
  return kind;
}
