/**
 * A linear-Gaussian latent-variable model whose log-likelihood and posterior are known exactly:
 *   p(z) = N(0, I_m),  p(x|z) = N(W z + b, σ² I_D),  so  p(x) = N(b, W Wᵀ + σ² I),
 *   p(z|x) = N(S Wᵀ(x − b)/σ², S),  S = Λ⁻¹,  Λ = I + WᵀW/σ² (the posterior precision).
 * With orthogonal columns of W the posterior is diagonal; otherwise the best diagonal Gaussian
 * (Cremer et al. 2018's q*) has the posterior mean and variances 1/Λ_jj, and its gap to log p(x) is
 *   KL(q* ‖ p(z|x)) = ½ (Σ_j log Λ_jj − log det Λ), the same for every x.
 * The encoder is that best diagonal Gaussian, optionally distorted (mean scaled, variance inflated), so
 * importance sampling and the local optimisation of q have something to correct.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../src/core/trainable.js';
import type { Dataset } from '../../src/data/dataset.js';
import { type DiagGaussian, GaussianLikelihood } from '../../src/distributions/index.js';
import type { GaussianLatent } from '../../src/models/model.js';
import {
  diagonalGaussianFamily,
  type LatentSampling,
  type LatentTerms,
  type LocalLatentModel,
  type PosteriorFamily,
  repeatRows,
} from '../../src/objectives/latent.js';

export interface LinearGaussianSpec {
  /** D × m, row-major (a zero column is a latent dimension the decoder ignores). */
  w: number[][];
  b: number[];
  sigma: number;
  /** Encoder distortion: mean × meanScale, log-variance + logVarShift (1 and 0: the exact posterior). */
  meanScale?: number;
  logVarShift?: number;
}

/** The inverse and log-determinant of a small symmetric positive-definite matrix (Gauss–Jordan, float64). */
function invertSpd(a: number[][]): { inverse: number[][]; logDet: number } {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  let logDet = 0;
  for (let c = 0; c < n; c++) {
    const pivot = m[c][c];
    logDet += Math.log(pivot);
    for (let j = 0; j < 2 * n; j++) m[c][j] /= pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return { inverse: m.map((row) => row.slice(n)), logDet };
}

export class LinearGaussian implements GaussianLatent, LocalLatentModel {
  readonly latentDim: number;
  readonly dim: number;
  /** Λ = I + WᵀW/σ², the posterior precision, and S = Λ⁻¹ (float64). */
  readonly precision: number[][];
  readonly covariance: number[][];
  readonly logDetPrecision: number;
  /** The best diagonal variances 1/Λ_jj (the exact posterior variances when W's columns are orthogonal). */
  readonly postVar: number[];
  readonly family: PosteriorFamily;

  constructor(readonly spec: LinearGaussianSpec) {
    this.dim = spec.w.length;
    this.latentDim = spec.w[0].length;
    const s2 = spec.sigma ** 2;
    const m = this.latentDim;
    this.precision = Array.from({ length: m }, (_, i) =>
      Array.from(
        { length: m },
        (_, j) => spec.w.reduce((a, row) => a + row[i] * row[j], 0) / s2 + (i === j ? 1 : 0),
      ),
    );
    const { inverse, logDet } = invertSpd(this.precision);
    this.covariance = inverse;
    this.logDetPrecision = logDet;
    this.postVar = this.precision.map((row, j) => 1 / row[j]);
    this.family = diagonalGaussianFamily(m);
  }

  /** The exact posterior mean S Wᵀ(x − b)/σ² of each of the n rows of x (float64). */
  posteriorMeans(x: Float32Array): number[][] {
    const { w, b, sigma } = this.spec;
    const out: number[][] = [];
    for (let n = 0; n < x.length / this.dim; n++) {
      const proj = Array.from({ length: this.latentDim }, (_, j) =>
        w.reduce((a, row, i) => a + row[j] * (x[n * this.dim + i] - b[i]), 0),
      );
      out.push(this.covariance.map((row) => row.reduce((a, s, j) => a + (s * proj[j]) / sigma ** 2, 0)));
    }
    return out;
  }

  /** KL(q* ‖ p(z|x)) = ½ (Σ_j log Λ_jj − log det Λ): the approximation gap of the diagonal family. */
  approximationGap(): number {
    return 0.5 * (this.precision.reduce((a, row, j) => a + Math.log(row[j]), 0) - this.logDetPrecision);
  }

  /**
   * The exact ELBO of q = N(mean, diag exp(logVar)) for the rows of x: log p(x) − KL(q ‖ p(z|x)),
   *   KL = ½ [Σ_j Λ_jj d_j + (μ − m)ᵀ Λ (μ − m) − m − log det Λ − Σ_j log d_j].
   */
  exactElbo(x: Float32Array, mean: ArrayLike<number>, logVar: ArrayLike<number>): number[] {
    const m = this.latentDim;
    const logPx = this.exactLogLikelihood(x);
    return this.posteriorMeans(x).map((mu, n) => {
      const d = mu.map((muj, j) => mean[n * m + j] - muj);
      let kl = -m - this.logDetPrecision;
      for (let i = 0; i < m; i++) {
        const di = Math.exp(logVar[n * m + i]);
        kl += this.precision[i][i] * di - Math.log(di);
        for (let j = 0; j < m; j++) kl += d[i] * this.precision[i][j] * d[j];
      }
      return logPx[n] - 0.5 * kl;
    });
  }

  posterior(batch: Batch): DiagGaussian {
    return this.family.summary(this.posteriorParams(batch), 0);
  }

  /** λ = [μ, log σ²] of the best diagonal Gaussian, distorted by the spec's meanScale and logVarShift. */
  posteriorParams({ x }: Batch): tf.Tensor2D {
    const { meanScale = 1, logVarShift = 0 } = this.spec;
    const n = x.shape[0];
    const means = this.posteriorMeans(x.dataSync() as Float32Array);
    return tf.tensor2d(
      means.map((mu) => [
        ...mu.map((v) => v * meanScale),
        ...this.postVar.map((v) => Math.log(v) + logVarShift),
      ]),
      [n, 2 * this.latentDim],
    );
  }

  inferenceParams(batch: Batch): tf.Tensor2D {
    return this.posteriorParams(batch);
  }

  latentTermsAt(params: tf.Tensor2D, batch: Batch, s: LatentSampling): LatentTerms {
    return this.family.terms(params, (z) => this.decode(z), batch, s);
  }

  logLikelihood(z: tf.Tensor2D, batch: Batch, tiledX?: tf.Tensor4D): tf.Tensor1D {
    return this.decode(z).logProb(tiledX ?? repeatRows(batch.x, z.shape[0] / batch.x.shape[0]));
  }

  decode(z: tf.Tensor) {
    const mu = tf.matMul(z, tf.tensor2d(this.spec.w), false, true).add(tf.tensor1d(this.spec.b));
    return new GaussianLikelihood(
      mu.reshape([z.shape[0], 1, 1, this.dim]),
      tf.scalar(Math.log(this.spec.sigma)),
    );
  }

  decodeMean(z: tf.Tensor2D): tf.Tensor4D {
    return this.decode(z).mean() as tf.Tensor4D;
  }

  latentTerms(batch: Batch, s: LatentSampling): LatentTerms {
    return this.latentTermsAt(this.posteriorParams(batch), batch, s);
  }

  /** Exact log p(x) for each of n rows of x, via the Cholesky factor of C = W Wᵀ + σ² I. */
  exactLogLikelihood(x: Float32Array): number[] {
    const d = this.dim;
    const { w, b, sigma } = this.spec;
    const c = Array.from({ length: d }, (_, i) =>
      Array.from(
        { length: d },
        (_, j) => w[i].reduce((a, wik, k) => a + wik * w[j][k], 0) + (i === j ? sigma ** 2 : 0),
      ),
    );
    const l = c.map(() => new Array<number>(d).fill(0));
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        let s = c[i][j];
        for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
        l[i][j] = i === j ? Math.sqrt(s) : s / l[j][j];
      }
    }
    const logDet = 2 * l.reduce((a, row, i) => a + Math.log(row[i]), 0);
    const out: number[] = [];
    for (let n = 0; n < x.length / d; n++) {
      // solve L y = x − b; the quadratic form is |y|²
      const y = new Array<number>(d).fill(0);
      for (let i = 0; i < d; i++) {
        let s = x[n * d + i] - b[i];
        for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
        y[i] = s / l[i][i];
      }
      const quad = y.reduce((a, v) => a + v * v, 0);
      out.push(-0.5 * (d * Math.log(2 * Math.PI) + logDet + quad));
    }
    return out;
  }

  /** n draws x ~ p(x) as a Dataset of shape [1, 1, D]. */
  sampleData(n: number, seed: number): Dataset {
    const images = tf.tidy(() => {
      const z = tf.randomNormal([n, this.latentDim], 0, 1, 'float32', seed);
      const noise = tf.randomNormal([n, this.dim], 0, this.spec.sigma, 'float32', seed + 1);
      return this.decode(z).mean().reshape([n, this.dim]).add(noise).dataSync() as Float32Array;
    });
    return { name: 'linear-gaussian', shape: [1, 1, this.dim], count: n, images };
  }
}

/** A full-rank 4 × 2 W with correlated columns: the posterior is not diagonal. */
export const W_CORRELATED = [
  [1, 0.8],
  [0.5, 1],
  [1, 0.6],
  [-0.3, 0.9],
];

/** W with orthogonal columns |w_1|² = 2, |w_2|² = 0.5 and a third column of zeros (a dimension forced to the prior). */
export const W3 = [
  [1, 0, 0],
  [0, 0.5, 0],
  [1, 0, 0],
  [0, 0.5, 0],
];
