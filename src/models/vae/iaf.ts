import * as tf from '@tensorflow/tfjs';
import { type Rng, tfSeed } from '../../core/random.js';
import type { Batch } from '../../core/trainable.js';
import { DiagGaussian, standardNormalLogProbElementwise } from '../../distributions/index.js';
import { Made } from '../../nn/made.js';
import { addSizes, madeSize, type NetworkSize } from '../../nn/size.js';
import {
  type Decode,
  type LatentSampling,
  type LatentTerms,
  logPxAt,
  type PosteriorFamily,
  repeatRows,
} from '../../objectives/latent.js';
import type { PosteriorConfig } from './config.js';

export type IafConfig = Extract<PosteriorConfig, { type: 'iaf' }>;

/** Each gate starts at sigmoid(1.5) ≈ 0.82, so a step starts near the identity (Kingma et al. use +1 or +2). */
const GATE_BIAS = 1.5;
/** Flow samples per row behind the moment-matched Gaussian of `summary`. */
const SUMMARY_SAMPLES = 64;

/** Width of λ = [μ, log σ², h]: 2m + the context's width. */
export const iafParamWidth = (m: number, c: IafConfig): number => 2 * m + c.flowContext;

/** "IAF posterior, K steps (KL by Monte Carlo)", for logs and reports. */
export const describeIaf = (c: IafConfig): string =>
  `IAF posterior, ${c.flowSteps} step${c.flowSteps === 1 ? '' : 's'} (KL by Monte Carlo)`;

/** The flow's size: its K MADEs, and per image z and log σ of each step. */
export function iafSize(m: number, c: IafConfig): NetworkSize {
  const step = addSizes(madeSize(m, c.flowHidden, c.flowContext), { parameters: 0, activations: 4 * m });
  return { parameters: c.flowSteps * step.parameters, activations: c.flowSteps * step.activations };
}

/**
 * An inverse autoregressive flow posterior (Kingma et al. 2016) on λ = [μ, log σ², h]:
 *   z_0 = μ + σ ⊙ ε,  ε ~ N(0, I);
 *   step t: (m_t, s_t) = MADE_t(z_{t−1}, h),  σ_t = sigmoid(s_t),  z_t = σ_t ⊙ z_{t−1} + (1 − σ_t) ⊙ m_t;
 *   log q(z_T|x) = log q_0(z_0|x) − Σ_t Σ_j log σ_{t,j}.
 * ∂z_t/∂z_{t−1} is triangular in step t's order with diagonal σ_t, hence the log-determinant. The steps
 * alternate the order (0…m−1, then reversed). KL(q ‖ p) has no closed form: the terms carry the one-sample
 * estimate log q(z_T|x) − log p(z_T), split over dimensions as Σ_j [log q_0,j − Σ_t log σ_{t,j} − log p_j].
 */
export class IafPosterior implements PosteriorFamily {
  readonly paramWidth: number;
  readonly description: string;
  readonly closedFormKl = false;
  readonly steps: Made[];

  constructor(
    readonly latentDim: number,
    config: IafConfig,
    rng: Rng,
  ) {
    this.paramWidth = iafParamWidth(latentDim, config);
    this.description = describeIaf(config);
    const order = Array.from({ length: latentDim }, (_, j) => j);
    const reversed = [...order].reverse();
    this.steps = Array.from(
      { length: config.flowSteps },
      (_, t) =>
        new Made(t % 2 === 0 ? order : reversed, config.flowHidden, config.flowContext, rng, GATE_BIAS),
    );
  }

  /** The steps applied to z_0 [S, m] with context h [S, C]: z_T and Σ_t log σ_t per dimension, [S, m]. */
  transform(z0: tf.Tensor2D, h: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor2D } {
    let z = z0;
    let logDet: tf.Tensor2D = tf.zerosLike(z0);
    for (const made of this.steps) {
      const { shift, gate } = made.apply(z, h);
      z = shift.add(tf.sigmoid(gate).mul(z.sub(shift))); // σ ⊙ z + (1 − σ) ⊙ m
      // log σ = −softplus(−s) (tf.logSigmoid's gradient fails in tfjs 4.22: it reads a disposed tensor)
      logDet = logDet.sub(tf.softplus(gate.neg()));
    }
    return { z, logDet };
  }

  /** z_T and log q(z_T|x) per dimension ([S, m] each) for draws ε [S, m] and rows λ [S, P]. */
  flow(params: tf.Tensor2D, eps: tf.Tensor2D): { z: tf.Tensor2D; logQ: tf.Tensor2D } {
    const m = this.latentDim;
    const q0 = new DiagGaussian(params.slice([0, 0], [-1, m]), params.slice([0, m], [-1, m]));
    const z0 = q0.reparameterised(eps) as tf.Tensor2D;
    const { z, logDet } = this.transform(z0, params.slice([0, 2 * m], [-1, -1]));
    return { z, logQ: q0.logProbElementwise(z0).sub(logDet) as tf.Tensor2D };
  }

  /** ε ~ N(0, I) for n samples of each of the B rows, [n·B, m]. */
  private noise(n: number, rows: number, seed: number): tf.Tensor2D {
    return tf.randomNormal([n * rows, this.latentDim], 0, 1, 'float32', tfSeed(seed));
  }

  terms(params: tf.Tensor2D, decode: Decode, batch: Batch, s: LatentSampling): LatentTerms {
    const { z, logQ } = this.flow(repeatRows(params, s.k), this.noise(s.k, params.shape[0], s.seed));
    const kl = logQ.sub(standardNormalLogProbElementwise(z)) as tf.Tensor2D; // log q − log p, per dimension
    return {
      logPx: logPxAt(z, decode, batch, s),
      groups: [{ logRatio: () => kl.sum(1).neg() as tf.Tensor1D, klPerDim: () => kl }],
    };
  }

  /**
   * An approximation: the diagonal Gaussian with the mean and variance of 64 flow samples of each row
   * (the same draws for the same seed), for the commands that need a Gaussian (encode, the explorer).
   */
  summary(params: tf.Tensor2D, seed: number): DiagGaussian {
    const b = params.shape[0];
    const z = this.sample(params, SUMMARY_SAMPLES, seed).reshape([SUMMARY_SAMPLES, b, this.latentDim]);
    const { mean, variance } = tf.moments(z, 0);
    return new DiagGaussian(mean, variance.log());
  }

  sample(params: tf.Tensor2D, n: number, seed: number): tf.Tensor2D {
    return this.flow(repeatRows(params, n), this.noise(n, params.shape[0], seed)).z;
  }

  trainableVariables(): tf.Variable[] {
    return this.steps.flatMap((s) => s.variables);
  }

  dispose(): void {
    for (const s of this.steps) s.dispose();
  }
}
