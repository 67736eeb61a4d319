import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { flag } from '../core/flags.js';
import type { NamedWeight } from '../core/trainable.js';
import { Bernoulli, GaussianLikelihood, type Likelihood, LogisticMixture } from '../distributions/index.js';
import { type GraphBuilder, IMAGE_SHAPE_DOC, MEAN_DOC, type Value } from '../export/graph.js';

/**
 * The decoder's distribution p_θ(x|z), shared by every likelihood model:
 * - bernoulli: binary (or binarised) images, logits out;
 * - gaussian: N(μ, σ²I) with σ fixed; gaussian-learned: σ a trained scalar;
 * - logistic-mixture: discretised mixture of `mixtures` logistics per channel, for 8-bit grey or colour images.
 */
export const likelihoodFields = {
  likelihood: z
    .enum(['bernoulli', 'gaussian', 'gaussian-learned', 'logistic-mixture'])
    .default('bernoulli')
    .meta(flag('decoder distribution p(x|z)', { arg: 'kind' })),
  /** σ of the Gaussian likelihood: fixed for 'gaussian', the starting value for 'gaussian-learned'. */
  sigma: z
    .number()
    .positive()
    .default(0.1)
    .meta(flag('σ of the Gaussian likelihood (fixed, or the starting value when learned)', { arg: 's' })),
  /** Mixture components K of 'logistic-mixture'. */
  mixtures: z
    .number()
    .int()
    .positive()
    .default(5)
    .meta(flag('logistic-mixture likelihood: components per channel', { arg: 'K' })),
};

export const likelihoodConfigSchema = z.object(likelihoodFields);
export type LikelihoodConfig = z.infer<typeof likelihoodConfigSchema>;

/** Channels the decoder outputs per pixel for `channels` image channels: c, or c·3K for the logistic mixture. */
export function likelihoodChannels(config: LikelihoodConfig, channels: number): number {
  return config.likelihood === 'logistic-mixture' ? channels * 3 * config.mixtures : channels;
}

/**
 * What the likelihood adds to a model's size: log σ for a Gaussian one (a stored weight), and the floats its
 * log-probability makes per image: about 30 tensors of K values per pixel and channel for the logistic
 * mixture (each step of logProbElementwise is one), 5 of one value for the others.
 */
export function likelihoodSize(
  config: LikelihoodConfig,
  shape: readonly [number, number, number],
): { parameters: number; activations: number } {
  const values = shape[0] * shape[1] * shape[2];
  return {
    parameters: config.likelihood.startsWith('gaussian') ? 1 : 0,
    activations: config.likelihood === 'logistic-mixture' ? 30 * config.mixtures * values : 5 * values,
  };
}

/** Turns the decoder network's raw output into a Likelihood, owning the extra parameters (log σ). */
export class LikelihoodHead {
  readonly logSigma: tf.Variable | null;

  constructor(
    readonly config: LikelihoodConfig,
    readonly channels: number,
  ) {
    const gaussian = config.likelihood === 'gaussian' || config.likelihood === 'gaussian-learned';
    this.logSigma = gaussian
      ? tf.variable(tf.scalar(Math.log(config.sigma)), config.likelihood === 'gaussian-learned')
      : null;
  }

  /** Channels the decoder must output per pixel: c, or c·3K for the logistic mixture. */
  get outputChannels(): number {
    return likelihoodChannels(this.config, this.channels);
  }

  make(out: tf.Tensor): Likelihood {
    switch (this.config.likelihood) {
      case 'bernoulli':
        return new Bernoulli(out);
      case 'logistic-mixture':
        return new LogisticMixture(out, this.channels, this.config.mixtures);
      default:
        return new GaussianLikelihood(out, this.logSigma as tf.Scalar);
    }
  }

  /**
   * E[x|z] from the decoder's raw output, as export-graph nodes (what `make(out).mean()` computes):
   * bernoulli σ(logits); gaussian μ; logistic mixture Σ_k π_k·tanh(m_k) mapped from [−1, 1] to [0, 1],
   * with each channel's 3K parameters laid out (logits, locations, log scales).
   */
  exportMean(g: GraphBuilder, out: Value): Value {
    switch (this.config.likelihood) {
      case 'bernoulli':
        return g.unary('sigmoid', out);
      case 'logistic-mixture': {
        const k = this.config.mixtures;
        const [, h, w] = out.shape;
        const p = g.reshape(out, [h, w, this.channels, 3 * k]);
        const weights = g.softmax(g.slice(p, -1, 0, k));
        const locations = g.unary('tanh', g.slice(p, -1, k, k));
        const mean = g.sumLast(g.mul(weights, locations));
        return g.clip(g.mul(g.add2(mean, g.scalar(1)), g.scalar(0.5)), 0, 1);
      }
      default:
        return out;
    }
  }

  /** What exportMean's output holds: images in [0, 1], except a Gaussian's mean μ, which nothing bounds. */
  get exportMeanDoc(): string {
    return this.config.likelihood.startsWith('gaussian')
      ? `E[x|z] = μ(z): ${IMAGE_SHAPE_DOC}, float32, unbounded (the Gaussian's mean; clip to [0, 1] to draw it)`
      : MEAN_DOC;
  }

  trainableVariables(): tf.Variable[] {
    return this.logSigma?.trainable ? [this.logSigma] : [];
  }

  weights(): NamedWeight[] {
    return this.logSigma ? [{ name: 'logSigma', tensor: this.logSigma }] : [];
  }

  setWeights(weights: Map<string, tf.Tensor>): void {
    const t = weights.get('logSigma');
    if (this.logSigma && t) this.logSigma.assign(t as tf.Scalar);
  }

  dispose(): void {
    this.logSigma?.dispose();
  }
}
