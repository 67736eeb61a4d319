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

/**
 * What a model of some config weighs, counted without building it (see `nn/size.ts`): `parameters` is
 * exactly the number of values `weights()` holds; `activations` estimates the floats one image's pass
 * through every network creates. vaekit refuses a model whose training memory exceeds its limit before
 * allocating anything.
 */
export interface ModelSize {
  /** Values the model stores: every weight `weights()` returns (kernels, biases, batch-norm statistics, log σ). */
  parameters: number;
  /** Floats that one image's pass through the model's networks creates (an estimate). */
  activations: number;
  /**
   * Bytes training needs beyond 16 per parameter and 8 per activation and image, whatever the batch (nvae:
   * the spectral regulariser's stacked kernel copies and their gradients, and the kernels' summed gradients).
   */
  extraBytes?: number;
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
  /** The model's size for `config` and the data, from the config alone (nothing is allocated). */
  size(config: z.infer<S>, data: DataInfo): ModelSize;
  /** One line for reports: "vae mlp 400, 20 latent dims, bernoulli likelihood". */
  describe(config: z.infer<S>): string;
}

/** Declares a model kind (an identity function that keeps the schema's type for `build` and `describe`). */
export function defineModel<S extends z.ZodType>(kind: ModelKind<S>): ModelKind<S> {
  return kind;
}
