/**
 * What a model is, as the rest of vaekit sees it: a trainable generator of images plus a declaration of
 * its capabilities. Commands, evaluation and the explorer read the capabilities to decide what they can
 * do with a model; they never probe its methods or the names of its metrics. Each capability that a
 * model declares comes with the interface below that its class implements (the registry's contract
 * test checks both agree), and the `as…` functions hand that interface out on the strength of the
 * declaration alone.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Batch, Trainable } from '../core/trainable.js';
import type { DiagGaussian } from '../distributions/index.js';
import type { GraphBuilder } from '../export/graph.js';
import type { ImageShape } from '../nn/networks.js';
import type { LatentModel, LocalLatentModel } from '../objectives/latent.js';

/** The unit of a logged metric: nats per example, a unitless score, or a count. */
export type MetricUnit = 'nats' | 'score' | 'count';

export interface MetricSpec {
  /** The key in `evalBatch` and step metrics; `<ℓ>` stands for a group number (klGroup<ℓ>). */
  name: string;
  /** A short name for legends and tables (`<ℓ>` as in `name`). */
  label: string;
  unit: MetricUnit;
  description: string;
  /**
   * What it is to a reader: `objective`, what training minimises (the first chart, the first column);
   * `term`, a part or companion of it (the bound is the sum of its `nats` terms); `detail`, a breakdown of
   * a term (a hierarchical model's KL per group: charted, not summed); `diagnostic`, logged, not charted.
   */
  role: 'objective' | 'term' | 'detail' | 'diagnostic';
}

export interface ModelCapabilities {
  /**
   * An inference network q(z|x): the model reconstructs its input (`reconstruct`), and its posterior
   * can be inspected (`encode`, the explorer's latent panels) when `latent` is 'gaussian'.
   */
  encoder: boolean;
  /**
   * The latent space: one Gaussian vector z ~ N(0, I) per image with a diagonal Gaussian posterior
   * ('gaussian': KL per dimension, active units, I(x; z), latent sliders), a hierarchy of Gaussian groups
   * ('hierarchical-gaussian'), or a prior with no posterior at all ('none': GANs).
   */
  latent: 'gaussian' | 'hierarchical-gaussian' | 'none';
  /**
   * q(z|x) is a function of per-image parameters λ (the encoder's output) that can be optimised for one
   * image: the best posterior q* and the split of the inference gap (`eval --gaps`), annealed importance
   * sampling, semi-amortised refinement (LocalLatentModel).
   */
  localInference: boolean;
  /** A likelihood p(x|z) and a bound on log p(x): IS-NLL, the IWAE bound and bits/dim apply. */
  likelihood: boolean;
  /** Conditioned on a class label y: q(z|x, y), p(x|z, y); sample and the explorer take a class. */
  conditional: boolean;
  /** The training objectives it accepts (`train.objective`); adversarial models train their own game. */
  objectives: readonly ('elbo' | 'iwae')[];
  /** One loss for one variable group, so batches can be split over data-parallel workers. */
  dataParallel: boolean;
  /** Every metric its steps and `evalBatch` report. */
  metrics: readonly MetricSpec[];
  /**
   * The metric that bounds −log p(x) from above in nats (the −ELBO; −log p(x|y) for a conditional
   * model): bits/dim are derived from it and the best checkpoint is the one with the lowest; none for
   * models without a likelihood.
   */
  bound?: string;
  /**
   * The inference networks `vaekit export` can write as ONNX and TensorFlow.js graphs (Exportable):
   * 'decoder' the generative direction (latent or noise → image), 'encoder' x → the parameters of q(z|x).
   */
  exports: readonly ExportPart[];
}

/** A part of a model that can leave vaekit as a standalone graph. */
export type ExportPart = 'decoder' | 'encoder';

/** capabilities.exports: each declared part as an export graph, and the model's own answer to check it by. */
export interface Exportable {
  /** The part's inference network: named, documented inputs and outputs (export/graph.ts). */
  exportGraph(part: ExportPart): GraphBuilder;
  /** The same computation by the model's own code, on the graph's input names: what the graph must match. */
  exportReference(part: ExportPart, feeds: Record<string, tf.Tensor>): Record<string, tf.Tensor>;
}

/** Every model vaekit trains: trainable, generative, and explicit about what else it can do. */
export interface GenerativeModel extends Trainable {
  readonly inputShape: ImageShape;
  readonly capabilities: ModelCapabilities;
  /**
   * n images [n, h, w, c] with values in [0, 1] from the prior; temperature scales the prior's spread
   * (t < 1: sharper); conditional models draw class `labels[i]` for image i (required for them).
   */
  sample(n: number, seed: number, opts?: { temperature?: number; labels?: Int32Array }): tf.Tensor4D;
}

/** capabilities.encoder: E[x | z] at the posterior mean(s) of x. */
export interface Reconstructing {
  reconstruct(batch: Batch): tf.Tensor4D;
}

/** capabilities.latent === 'gaussian': q(z|x) = N(μ(x), diag σ²(x)) over one vector z ∈ R^latentDim. */
export interface GaussianLatent {
  readonly latentDim: number;
  posterior(batch: Batch): DiagGaussian;
  /** E[x | z] for latent vectors z [n, latentDim] (and their classes, for a conditional model). */
  decodeMean(z: tf.Tensor2D, labels?: tf.Tensor1D): tf.Tensor4D;
}

/** capabilities.conditional: the number of classes y ∈ {0, …, classes − 1}. */
export interface Conditional {
  readonly classes: number;
}

function facet<T>(model: GenerativeModel, declared: boolean): T | null {
  return declared ? (model as unknown as T) : null;
}

export const asReconstructing = (m: GenerativeModel) =>
  facet<Reconstructing & GenerativeModel>(m, m.capabilities.encoder);
export const asGaussianLatent = (m: GenerativeModel) =>
  facet<GaussianLatent & Reconstructing & GenerativeModel>(m, m.capabilities.latent === 'gaussian');
export const asLikelihoodModel = (m: GenerativeModel) =>
  facet<LatentModel & GenerativeModel>(m, m.capabilities.likelihood);
export const asLocalInference = (m: GenerativeModel) =>
  facet<LocalLatentModel & GenerativeModel>(m, m.capabilities.localInference);
export const asExportable = (m: GenerativeModel) =>
  facet<Exportable & GenerativeModel>(m, m.capabilities.exports.length > 0);
export const asConditional = (m: GenerativeModel) =>
  facet<Conditional & GenerativeModel>(m, m.capabilities.conditional);

/** The declared metric `name` is reported under (klGroup3 → the spec of klGroup<ℓ>), or undefined. */
export function metricSpec(caps: ModelCapabilities, name: string): MetricSpec | undefined {
  return caps.metrics.find((s) => {
    const [before, after] = s.name.split('<ℓ>');
    if (after === undefined) return s.name === name;
    const group = name.slice(before.length, name.length - after.length);
    return name.startsWith(before) && name.endsWith(after) && /^\d+$/.test(group);
  });
}

/** The declared label of a reported metric, with its group number filled in ('KL 2' for klGroup2). */
export function metricLabel(caps: ModelCapabilities, name: string): string {
  const spec = metricSpec(caps, name);
  if (!spec) return name;
  const [before, after] = spec.name.split('<ℓ>');
  return after === undefined
    ? spec.label
    : spec.label.replace('<ℓ>', name.slice(before.length, name.length - after.length));
}
