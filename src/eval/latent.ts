/**
 * Posterior-collapse diagnostics of a one-latent-layer model on a dataset: KL per latent dimension,
 * active units, and the mutual information between x and z under the encoder.
 */
import * as tf from '@tensorflow/tfjs';
import type { Images } from '../data/source.js';
import { forEachBatch } from '../data/tensor-batches.js';
import { DiagGaussian } from '../distributions/index.js';
import type { GaussianLatent } from '../models/model.js';

/** Burda et al. 2015: dimension j is active when Var_x(E_q[z_j | x]) exceeds this. */
export const ACTIVITY_THRESHOLD = 0.01;

/** The encoder's q(z|x) = N(μ, diag exp(logVar)) for `count` images: flat [count, m] arrays. */
export interface Posteriors {
  count: number;
  latentDim: number;
  mean: Float32Array;
  logVar: Float32Array;
}

/** μ_φ(x) and log σ²_φ(x) (of q(z|x, y) for a conditional model) for the first `limit` images of `ds`. */
export function encodePosteriors(
  model: GaussianLatent,
  ds: Images,
  limit = ds.count,
  batchSize = 500,
): Posteriors {
  const n = Math.min(limit, ds.count);
  const m = model.latentDim;
  const mean = new Float32Array(n * m);
  const logVar = new Float32Array(n * m);
  forEachBatch(
    ds,
    batchSize,
    (batch, start) => {
      const q = model.posterior(batch);
      mean.set(q.mean.dataSync(), start * m);
      logVar.set(q.logVar.dataSync(), start * m);
    },
    n,
  );
  return { count: n, latentDim: m, mean, logVar };
}

/** E_x KL(q(z_j|x) ‖ N(0, 1)) = E_x ½(μ_j² + σ_j² − 1 − log σ_j²) for each dimension j, in nats. */
export function klPerDimension(p: Posteriors): number[] {
  const { count: n, latentDim: m } = p;
  const kl = new Array<number>(m).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const mu = p.mean[i * m + j];
      const lv = p.logVar[i * m + j];
      kl[j] += 0.5 * (mu * mu + Math.exp(lv) - 1 - lv);
    }
  }
  return kl.map((v) => v / n);
}

/** Var_x(E_q[z_j | x]) for each dimension j (the diagonal of Cov_x(μ_φ(x))). */
export function posteriorMeanVariance(p: Posteriors): number[] {
  const { count: n, latentDim: m } = p;
  const out: number[] = [];
  for (let j = 0; j < m; j++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) s += p.mean[i * m + j];
    const mu = s / n;
    for (let i = 0; i < n; i++) s2 += (p.mean[i * m + j] - mu) ** 2;
    out.push(s2 / n);
  }
  return out;
}

/** Rows of log q(z_i | x_n) per block, so a [rows, N, m] block stays a few million floats. */
const BLOCK_ELEMENTS = 4_000_000;

/**
 * I_q(x; z) = E_x E_{q(z|x)}[log q(z|x) − log q(z)], with the aggregate posterior
 * q(z) ≈ (1/N) Σ_n q(z | x_n) over the same N images (Hoffman & Johnson 2016; He et al. 2019):
 * one z_i ~ q(z|x_i) per image, MI ≈ (1/N) Σ_i [log q(z_i|x_i) − log (1/N) Σ_n q(z_i|x_n)].
 * In nats; 0 when every q(z|x) is the same, and never more than log N (reached when no two overlap).
 */
export function mutualInformation(p: Posteriors, seed: number): number {
  const { count: n, latentDim: m } = p;
  return tf.tidy(() => {
    const mean = tf.tensor2d(p.mean, [n, m]);
    const logVar = tf.tensor2d(p.logVar, [n, m]);
    const z = new DiagGaussian(mean, logVar).sample(seed);
    const aggregate = new DiagGaussian(mean.expandDims(0), logVar.expandDims(0));
    const block = Math.max(1, Math.floor(BLOCK_ELEMENTS / (n * m)));
    let sum = 0;
    for (let start = 0; start < n; start += block) {
      const rows = Math.min(block, n - start);
      sum += tf.tidy(() => {
        const zi = z.slice([start, 0], [rows, m]);
        const logQ = aggregate.logProbElementwise(zi.expandDims(1)).sum(-1); // log q(z_i | x_n): [rows, N]
        const own = logQ.slice([0, start], [rows, rows]).mul(tf.eye(rows)).sum(1); // log q(z_i | x_i)
        return own
          .sub(tf.logSumExp(logQ, 1).sub(Math.log(n)))
          .sum()
          .dataSync()[0];
      });
    }
    return sum / n;
  });
}

export interface LatentDiagnostics {
  count: number;
  latentDim: number;
  /** E_x KL(q(z_j|x) ‖ p(z_j)) per dimension, nats; their sum is the ELBO's KL term. */
  klPerDim: number[];
  kl: number;
  /** Var_x(E_q[z_j | x]) per dimension. */
  meanVariance: number[];
  /** Dimensions with Var_x(E_q[z_j | x]) > ACTIVITY_THRESHOLD, and their number. */
  activeDims: number[];
  activeUnits: number;
  /** Estimate of I_q(x; z) in nats from `miCount` images (at most log miCount). */
  mutualInformation: number;
  miCount: number;
}

/** Every diagnostic for the first `limit` images of `ds`; the MI estimate uses the first `miLimit` of them. */
export function latentDiagnostics(
  model: GaussianLatent,
  ds: Images,
  opts: { seed?: number; limit?: number; miLimit?: number } = {},
): LatentDiagnostics {
  const p = encodePosteriors(model, ds, opts.limit);
  const klPerDim = klPerDimension(p);
  const meanVariance = posteriorMeanVariance(p);
  const activeDims = meanVariance.flatMap((v, j) => (v > ACTIVITY_THRESHOLD ? [j] : []));
  const miCount = Math.min(p.count, opts.miLimit ?? 2000);
  const m = p.latentDim;
  const head: Posteriors = {
    count: miCount,
    latentDim: m,
    mean: p.mean.subarray(0, miCount * m),
    logVar: p.logVar.subarray(0, miCount * m),
  };
  return {
    count: p.count,
    latentDim: m,
    klPerDim,
    kl: klPerDim.reduce((a, b) => a + b, 0),
    meanVariance,
    activeDims,
    activeUnits: activeDims.length,
    mutualInformation: mutualInformation(head, opts.seed ?? 0),
    miCount,
  };
}

/** One line of `latent.jsonl`: the posterior-collapse diagnostics of the test set after an epoch. */
export interface LatentRecord {
  epoch: number;
  step: number;
  activeUnits: number;
  latentDim: number;
  kl: number;
  klPerDim: number[];
  mutualInformation: number;
  miCount: number;
}
