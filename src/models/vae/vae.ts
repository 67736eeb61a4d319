import * as tf from '@tensorflow/tfjs';
import { Rng, tfSeed } from '../../core/random.js';
import type {
  Batch,
  LossWithMetrics,
  NamedWeight,
  StepContext,
  TrainingStage,
} from '../../core/trainable.js';
import type { DiagGaussian, Likelihood } from '../../distributions/index.js';
import type { GraphBuilder } from '../../export/graph.js';
import { buildDecoder, buildEncoder, type ImageShape } from '../../nn/networks.js';
import {
  elboSums,
  type LatentSampling,
  type LatentTerms,
  type LocalLatentModel,
  latentLoss,
  type PosteriorFamily,
  repeatRows,
} from '../../objectives/latent.js';
import { detached } from '../../objectives/local-elbo.js';
import {
  backpropagateRefinement,
  REFINE_CHECK_SAMPLES,
  type RefineOptions,
  refinePosterior,
} from '../../objectives/refine.js';
import { LATENT_METRICS } from '../latent-metrics.js';
import { LikelihoodHead } from '../likelihood.js';
import type {
  Exportable,
  ExportPart,
  GaussianLatent,
  GenerativeModel,
  ModelCapabilities,
  Reconstructing,
} from '../model.js';
import { namedWeights, restoreWeights, variableSlot } from '../named-weights.js';
import { widerNetwork } from '../network-config.js';
import { type Conditioning, unconditioned } from './conditioning.js';
import type { VAEConfig } from './config.js';
import { vaeExportGraph, vaeExportReference } from './export.js';
import { posteriorFamily } from './posterior.js';

export const VAE_CAPABILITIES: ModelCapabilities = {
  encoder: true,
  latent: 'gaussian',
  localInference: true,
  likelihood: true,
  conditional: false,
  objectives: ['elbo', 'iwae'],
  dataParallel: true,
  metrics: LATENT_METRICS,
  bound: 'loss',
  exports: ['decoder', 'encoder'],
};

/**
 * The Gaussian VAE (Kingma & Welling 2014). The encoder outputs λ = [μ, log σ²] of q_φ(z|x) (with an IAF
 * posterior, also the flow's context h); the decoder outputs the parameters of p_θ(x|z); training
 * maximises the ELBO
 *   E_q[log p_θ(x|z)] − β·KL(q_φ(z|x) ‖ N(0, I))  (the KL a one-sample estimate with a flow),
 * or the k-sample IWAE bound (objectives/latent.ts applies β, warm-up and free bits).
 */
export class VAE implements GenerativeModel, GaussianLatent, Reconstructing, LocalLatentModel, Exportable {
  readonly kind: string = 'vae';
  readonly capabilities: ModelCapabilities = VAE_CAPABILITIES;
  readonly latentDim: number;
  readonly encoder: tf.Sequential;
  readonly decoder: tf.Sequential;
  /** How the encoder's output λ becomes q_φ(z|x). */
  readonly family: PosteriorFamily;
  /** p(x|z) from the decoder's output (owns log σ for the Gaussian likelihoods). */
  readonly likelihood: LikelihoodHead;

  constructor(
    readonly config: Omit<VAEConfig, 'type'>,
    readonly inputShape: ImageShape,
    seed: number,
    readonly conditioning: Conditioning = unconditioned,
  ) {
    const rng = new Rng(seed);
    this.latentDim = config.latentDim;
    this.likelihood = new LikelihoodHead(config, inputShape[2]);
    this.family = posteriorFamily(config.latentDim, config.posterior, rng);
    const encoderIn = conditioning.encoderInputShape(inputShape);
    const encoderNetwork = widerNetwork(config.network, config.encoderWidth);
    this.encoder = buildEncoder(encoderNetwork, encoderIn, this.family.paramWidth, rng);
    const [h, w] = inputShape;
    const decoderIn = conditioning.decoderInputDim(config.latentDim);
    this.decoder = buildDecoder(config.network, decoderIn, [h, w, this.likelihood.outputChannels], rng);
  }

  /** λ_φ(x): the encoder's output, the parameters of q_φ(z|x) for each image. */
  posteriorParams(batch: Batch, training = false): tf.Tensor2D {
    return this.encoder.apply(this.conditioning.encoderInput(batch), { training }) as tf.Tensor2D;
  }

  /** The refinement's settings for a draw seeded by `seed`, or null when the model does not refine. */
  private refineOptions(seed: number, training: boolean): RefineOptions | null {
    const { refineSteps: steps, refineLr: lr } = this.config;
    if (!steps) return null;
    return {
      steps,
      lr,
      samples: 1,
      checkSamples: REFINE_CHECK_SAMPLES,
      seed: new Rng(seed ^ 0x5a5a5a5a).seed(),
      training,
    };
  }

  /** λ as the model infers it: the encoder's output, refined for each image when the model refines. */
  inferenceParams(batch: Batch, seed: number, training = false): tf.Tensor2D {
    const params = this.posteriorParams(batch, training);
    const o = this.refineOptions(seed, training);
    return o ? tf.tidy(() => refinePosterior(this, params, batch, o).params) : params;
  }

  /** q(z|x) = N(μ(x), diag σ²(x)) as the model infers it (for a flow posterior, the diagonal Gaussian that stands for it). */
  posterior(batch: Batch, training = false): DiagGaussian {
    return this.family.summary(this.inferenceParams(batch, 0, training), 0);
  }

  /** p_θ(x|z) (and the labels', for a conditional model). */
  decode(z: tf.Tensor2D, labels?: tf.Tensor1D, training = false): Likelihood {
    const out = this.decoder.apply(this.conditioning.decoderInput(z, labels), { training }) as tf.Tensor;
    return this.likelihood.make(out);
  }

  decodeMean(z: tf.Tensor2D, labels?: tf.Tensor1D): tf.Tensor4D {
    return tf.tidy(() => this.decode(z, labels).mean() as tf.Tensor4D);
  }

  /** The objective's terms: the encoder runs once, the decoder on all k·B samples. */
  latentTerms(batch: Batch, s: LatentSampling): LatentTerms {
    return this.latentTermsAt(this.inferenceParams(batch, s.seed, s.training), batch, s);
  }

  latentTermsAt(params: tf.Tensor2D, batch: Batch, s: LatentSampling): LatentTerms {
    return this.family.terms(params, (z, labels) => this.decode(z, labels, s.training), batch, s);
  }

  logLikelihood(z: tf.Tensor2D, batch: Batch, tiledX?: tf.Tensor4D): tf.Tensor1D {
    const k = z.shape[0] / batch.x.shape[0];
    const labels = batch.labels && repeatRows(batch.labels, k);
    return this.decode(z, labels).logProb(tiledX ?? repeatRows(batch.x, k));
  }

  /** Images decoded from z ~ N(0, t²I) (t = temperature), shape [n, h, w, c], values E[x|z]. */
  sample(n: number, seed: number, opts: { temperature?: number; labels?: Int32Array } = {}): tf.Tensor4D {
    return tf.tidy(() => {
      const z = tf.randomNormal<tf.Rank.R2>(
        [n, this.latentDim],
        0,
        opts.temperature ?? 1,
        'float32',
        tfSeed(seed),
      );
      return this.decodeMean(z, opts.labels && tf.tensor1d(opts.labels, 'int32'));
    });
  }

  /** E[x|z] at z = μ_φ(x): the model's reconstruction of x. */
  reconstruct(batch: Batch): tf.Tensor4D {
    return tf.tidy(() => this.decodeMean(this.posterior(batch).mean as tf.Tensor2D, batch.labels));
  }

  exportGraph(part: ExportPart): GraphBuilder {
    return vaeExportGraph(this, part);
  }

  exportReference(part: ExportPart, feeds: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    return tf.tidy(() => vaeExportReference(this, part, feeds));
  }

  variableGroups(): Record<string, tf.Variable[]> {
    const vars = [...this.encoder.trainableWeights, ...this.decoder.trainableWeights].map(
      (w) => w.read() as tf.Variable,
    );
    return {
      model: [...vars, ...this.family.trainableVariables(), ...this.likelihood.trainableVariables()],
    };
  }

  trainingStages(batch: Batch, ctx: StepContext): TrainingStage[] {
    const o = this.refineOptions(ctx.seed, true);
    return [
      { group: 'model', loss: () => (o ? this.refinedLoss(batch, ctx, o) : latentLoss(this, batch, ctx)) },
    ];
  }

  /**
   * The loss at the refined λ_K, for the decoder (λ_K held fixed, as in SA-VAE), plus a term worth 0 whose
   * gradient gives the encoder ∂ℓ/∂λ₀: back-propagated through the refinement, or (refineGradient 'stop')
   * the gradient of the loss at its own λ₀.
   */
  private refinedLoss(batch: Batch, ctx: StepContext, o: RefineOptions): LossWithMetrics {
    const params0 = this.posteriorParams(batch, true);
    const start = detached(params0);
    const lossAt = (params: tf.Tensor2D) =>
      latentLoss({ latentTerms: (b, s) => this.latentTermsAt(params, b, s) }, batch, ctx);
    const lossOf = (params: tf.Tensor) => lossAt(params as tf.Tensor2D).loss;
    const r = refinePosterior(this, start, batch, o);
    // λ_K depends on θ through the refinement's gradients; the decoder learns at λ_K held fixed
    const end = detached(r.params);
    const result = lossAt(end);
    const toEncoder =
      this.config.refineGradient === 'through'
        ? backpropagateRefinement(this, batch, r, tf.grad(lossOf)(end) as tf.Tensor2D, o)
        : (tf.grad(lossOf)(start) as tf.Tensor2D);
    const surrogate = params0.mul(detached(toEncoder)).sum();
    const loss = result.loss.add(surrogate).sub(surrogate.dataSync()[0]) as tf.Scalar;
    return { loss, metrics: { ...result.metrics, loss } };
  }

  evalBatch(batch: Batch, seed: number): Record<string, number> {
    return elboSums(this, batch, seed);
  }

  weights(): NamedWeight[] {
    return [
      ...namedWeights('encoder', this.encoder.weights),
      ...namedWeights('decoder', this.decoder.weights),
      ...namedWeights('posterior', this.posteriorSlots()),
      ...this.likelihood.weights(),
    ];
  }

  setWeights(weights: Map<string, tf.Tensor>): void {
    restoreWeights('encoder', this.encoder.weights, weights);
    restoreWeights('decoder', this.decoder.weights, weights);
    restoreWeights('posterior', this.posteriorSlots(), weights);
    this.likelihood.setWeights(weights);
  }

  /** The posterior family's own weights (a flow's MADEs; none for the Gaussian). */
  private posteriorSlots() {
    return this.family.trainableVariables().map(variableSlot);
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    this.family.dispose?.();
    this.likelihood.dispose();
  }
}
