/**
 * The one place where a latent-variable model's loss is made: the ELBO (with β, free bits and KL
 * balancing), the k-sample IWAE bound (with β), and the log importance weights behind the
 * importance-sampled log-likelihood. Every latent model (VAE, hierarchical VAE, conditional VAE) only
 * supplies its terms at sampled latents; β, warm-up and free bits are applied here, once, the same way
 * for every model.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import { tfSeed } from '../core/random.js';
import type { Batch, LossWithMetrics, Objective } from '../core/trainable.js';
import { DiagGaussian, type Likelihood, standardNormalLogProb } from '../distributions/index.js';

/** One latent group's terms at the sampled z (S rows: k samples of each of B examples, sample-major). */
export interface LatentGroupTerms {
  /** log p(z_g | z_{>g}) − log q(z_g | x, z_{>g}) at the sampled z_g: [S]. */
  logRatio(): tf.Tensor1D;
  /** KL(q(z_g | x, z_{>g}) ‖ p(z_g | z_{>g})) per dimension, closed form given the sampled z_{>g}: [S, m_g]. */
  klPerDim(): tf.Tensor2D;
}

/** What a latent model gives for k joint samples z ~ q(z|x) of each example. */
export interface LatentTerms {
  /** log p(x | z) at each sample: [S]. */
  logPx: tf.Tensor1D;
  /** The latent groups, top (z_L) first; a plain VAE has one. */
  groups: LatentGroupTerms[];
}

export interface LatentSampling {
  /** Joint samples per example (1 for the ELBO). */
  k: number;
  seed: number;
  training: boolean;
  /** The batch's images repeated k times, sample-major, when the caller has them already (evaluation). */
  tiledX?: tf.Tensor4D;
}

/** A model whose loss is a bound on log p(x): it supplies log p(x|z) and each group's log-ratio and KL. */
export interface LatentModel {
  latentTerms(batch: Batch, sampling: LatentSampling): LatentTerms;
}

/** A decoder: p(x|z) for latents z [S, m] (and their class labels, for a conditional model). */
export type Decode = (z: tf.Tensor2D, labels?: tf.Tensor1D) => Likelihood;

/**
 * How per-image posterior parameters λ (the encoder's output, one row per image) become q(z|x): a diagonal
 * Gaussian (λ = [μ, log σ²]) or a normalising flow on one (λ adds the flow's context). The family owns
 * whatever weights it has beyond λ (a flow's networks).
 */
export interface PosteriorFamily {
  /** Width P of λ for this family. */
  readonly paramWidth: number;
  /** One line for logs and reports ("diagonal Gaussian", "IAF, 2 steps"). */
  readonly description: string;
  /** Whether its KL(q ‖ p) is in closed form (else a one-sample Monte-Carlo estimate at the sampled z). */
  readonly closedFormKl: boolean;
  /** The objective's terms at k samples z ~ q_λ of each row of λ (sample-major), decoded by `decode`. */
  terms(params: tf.Tensor2D, decode: Decode, batch: Batch, s: LatentSampling): LatentTerms;
  /**
   * A diagonal Gaussian that stands for q_λ where commands need one (the explorer's sliders, `encode`,
   * active units): q_λ itself for the Gaussian family, a moment-matched one for a flow.
   */
  summary(params: tf.Tensor2D, seed: number): DiagGaussian;
  /** n samples z ~ q_λ of each row: [n·B, m], sample-major. */
  sample(params: tf.Tensor2D, n: number, seed: number): tf.Tensor2D;
  trainableVariables(): tf.Variable[];
  /** Frees what the family holds (a flow's weights and masks). */
  dispose?(): void;
}

/**
 * A latent model with one latent vector z ~ N(0, I) whose posterior q(z|x) is a function of per-image
 * parameters λ — by default the encoder's output — so that λ can be optimised for one image (the best
 * posterior q* of the family, the semi-amortised refinement) instead of read from the encoder.
 */
export interface LocalLatentModel extends LatentModel {
  readonly latentDim: number;
  readonly family: PosteriorFamily;
  /** λ_φ(x), the encoder's output: [B, P]. */
  posteriorParams(batch: Batch, training?: boolean): tf.Tensor2D;
  /** λ as the model infers it: the encoder's output, refined per image by a semi-amortised model. */
  inferenceParams(batch: Batch, seed: number): tf.Tensor2D;
  /** The objective's terms with q given by λ [B, P] (k samples of each row, sample-major), no refinement. */
  latentTermsAt(params: tf.Tensor2D, batch: Batch, s: LatentSampling): LatentTerms;
  /** log p(x|z) for latents z [k·B, m] of the batch's images repeated k times (sample-major): [k·B]. */
  logLikelihood(z: tf.Tensor2D, batch: Batch, tiledX?: tf.Tensor4D): tf.Tensor1D;
}

/** The diagonal Gaussian family: λ = [μ, log σ²] (P = 2m), KL to N(0, I) in closed form. */
export function diagonalGaussianFamily(m: number): PosteriorFamily {
  const gaussian = (params: tf.Tensor2D) =>
    new DiagGaussian(params.slice([0, 0], [-1, m]), params.slice([0, m], [-1, m]));
  return {
    paramWidth: 2 * m,
    description: 'diagonal Gaussian',
    closedFormKl: true,
    terms: (params, decode, batch, s) => gaussianLatentTerms(gaussian(params), decode, batch, s),
    summary: (params) => gaussian(params),
    sample: (params, n, seed) => {
      const q0 = gaussian(params);
      const q = new DiagGaussian(repeatRows(q0.mean, n), repeatRows(q0.logVar, n));
      return q.reparameterised(
        tf.randomNormal([n * params.shape[0], m], 0, 1, 'float32', tfSeed(seed)),
      ) as tf.Tensor2D;
    },
    trainableVariables: () => [],
  };
}

/** `rows` repeated k times, sample-major: [n, …] → [k·n, …]. */
export function repeatRows<T extends tf.Tensor>(rows: T, k: number): T {
  return (k === 1 ? rows : tf.concat(new Array<T>(k).fill(rows), 0)) as T;
}

/**
 * The terms of a model with one latent vector z ~ N(0, I) and a diagonal Gaussian posterior q(z|x)
 * (the VAE and its relatives): k samples z_i = μ + σ·ε_i per example, decoded in one batch of k·B rows
 * (labels repeated with them), log p(x|z_i), log p(z_i) − log q(z_i|x), and the closed-form KL.
 */
export function gaussianLatentTerms(
  q: DiagGaussian,
  decode: Decode,
  batch: Batch,
  s: LatentSampling,
): LatentTerms {
  const { k } = s;
  const [b, m] = q.mean.shape;
  const qk = k === 1 ? q : new DiagGaussian(repeatRows(q.mean, k), repeatRows(q.logVar, k));
  const eps = tf.randomNormal([k * b, m], 0, 1, 'float32', tfSeed(s.seed));
  const z = qk.reparameterised(eps) as tf.Tensor2D;
  return {
    logPx: logPxAt(z, decode, batch, s),
    groups: [
      {
        logRatio: () => standardNormalLogProb(z).sub(qk.logProb(z)) as tf.Tensor1D,
        klPerDim: () => qk.klToStandardNormalPerDim() as tf.Tensor2D,
      },
    ],
  };
}

/** log p(x|z) at latents z [k·B, m] of the batch's images repeated k times, labels with them: [k·B]. */
export function logPxAt(z: tf.Tensor2D, decode: Decode, batch: Batch, s: LatentSampling): tf.Tensor1D {
  const labels = batch.labels && repeatRows(batch.labels, s.k);
  return decode(z, labels).logProb(s.tiledX ?? repeatRows(batch.x, s.k));
}

export interface LatentObjectiveOptions {
  objective: Objective;
  /** Weight of every KL (ELBO) or prior-to-posterior log-ratio (IWAE); 1 is the true bound. */
  beta: number;
  /** Free bits λ: each dimension's batch-mean KL counts at least λ nats (ELBO only). */
  freeBits: number;
  /** NVAE's KL balancing of the groups while β < 1 (models with several groups). */
  klBalance?: boolean;
  seed: number;
  training?: boolean;
}

/**
 * The training loss of a latent model on a batch, and its metrics:
 * - ELBO: mean_b[−log p(x|z)] + β·Σ_g γ_g Σ_j max(λ, mean_b KL_gj)  (λ = free bits, 0 = off;
 *   γ_g ∝ mean_b KL_g + 0.01, normalised to mean 1 and held constant, while β < 1 with klBalance; else 1);
 * - IWAE: −mean_b log (1/k) Σ_i exp(log p(x|z_i) + β·Σ_g [log p(z_gi) − log q(z_gi)]).
 */
export function latentLoss(model: LatentModel, batch: Batch, o: LatentObjectiveOptions): LossWithMetrics {
  const training = o.training ?? true;
  if (o.objective.kind === 'iwae') {
    if (o.freeBits > 0) {
      throw new InputError({
        where: 'train.freeBits',
        expected: '0 with the IWAE objective (free bits act on the closed-form KL of the ELBO)',
        found: String(o.freeBits),
      });
    }
    const { k } = o.objective;
    const t = model.latentTerms(batch, { k, seed: o.seed, training });
    const loss = logMeanExp(logWeights(t, o.beta, k))
      .mean()
      .neg() as tf.Scalar;
    return { loss, metrics: { loss } };
  }
  const t = model.latentTerms(batch, { k: 1, seed: o.seed, training });
  const recon = t.logPx.neg().mean();
  const klDims = t.groups.map((g) => g.klPerDim().mean(0)); // [m_g] per group
  const klTerms = klDims.map((k) => (o.freeBits > 0 ? tf.maximum(k, o.freeBits) : k).sum());
  let klTerm = tf.addN(klTerms);
  if (o.klBalance && o.beta < 1 && klTerms.length > 1) {
    // read back as numbers, so the weights carry no gradient (NVAE's .detach())
    const sizes = tf.stack(klDims.map((k) => k.sum())).add(0.01);
    const gamma = tf.tensor1d(sizes.div(sizes.mean()).dataSync() as Float32Array);
    klTerm = tf.stack(klTerms).mul(gamma).sum();
  }
  const groupKls = klDims.map((k) => k.sum());
  const loss = recon.add(klTerm.mul(o.beta)) as tf.Scalar;
  return { loss, metrics: { loss, recon, kl: tf.addN(groupKls), ...groupMetrics(groupKls) } };
}

/** `klGroupℓ` for each group when there are several (ℓ = L for the top group … 1 for the bottom). */
function groupMetrics<T>(perGroup: T[]): Record<string, T> {
  if (perGroup.length < 2) return {};
  return Object.fromEntries(perGroup.map((v, i) => [`klGroup${perGroup.length - i}`, v]));
}

/** log w = log p(x|z) + β·Σ_g log-ratio_g, as [k, B]. */
function logWeights(t: LatentTerms, beta: number, k: number): tf.Tensor2D {
  const ratio = tf.addN(t.groups.map((g) => g.logRatio()));
  return t.logPx.add(beta === 1 ? ratio : ratio.mul(beta)).reshape([k, -1]) as tf.Tensor2D;
}

/**
 * log w_i = log p(x, z_i) − log q(z_i|x) for k joint samples z_i ~ q(z|x): [k, B]. Their log-mean-exp
 * is the k-sample IWAE bound, and with a large k the importance-sampled estimate of log p(x).
 */
export function logImportanceWeights(
  model: LatentModel,
  batch: Batch,
  sampling: LatentSampling,
): tf.Tensor2D {
  return tf.tidy(() => logWeights(model.latentTerms(batch, sampling), 1, sampling.k));
}

/** log (1/k) Σ_i exp(a_i) over axis 0, stable (tf.logSumExp subtracts the maximum): [k, B] → [B]. */
export function logMeanExp(logW: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.logSumExp(logW, 0).sub(Math.log(logW.shape[0])) as tf.Tensor1D);
}

/**
 * The importance-weighted bound of Burda et al. (2015), per example, one draw of the k samples:
 *   L_k(x) = log (1/k) Σ_i p_θ(x, z_i) / q_φ(z_i|x) ≤ log p_θ(x) in expectation; L_1 is the ELBO.
 */
export function iwaeBound(model: LatentModel, batch: Batch, sampling: LatentSampling): tf.Tensor1D {
  return tf.tidy(() => logMeanExp(logImportanceWeights(model, batch, sampling)));
}

/**
 * Sums over the batch of the evaluation metrics of a latent model, one posterior sample per example:
 * `loss` = −ELBO = −log p(x|z) + Σ_g KL_g (nats, β = 1, no free bits), `recon`, `kl`, and `klGroupℓ`.
 */
export function elboSums(model: LatentModel, batch: Batch, seed: number): Record<string, number> {
  return tf.tidy(() => {
    const t = model.latentTerms(batch, { k: 1, seed, training: false });
    const recon = t.logPx.neg();
    const kls = t.groups.map((g) => g.klPerDim().sum(1));
    const kl = tf.addN(kls);
    const sums = { loss: recon.add(kl), recon, kl, ...groupMetrics(kls) };
    return Object.fromEntries(Object.entries(sums).map(([key, v]) => [key, v.sum().dataSync()[0]]));
  });
}
