/**
 * A linear-Gaussian latent-variable model whose log-likelihood and posterior are known exactly:
 *   p(z) = N(0, I_m),  p(x|z) = N(W z + b, σ² I_D),  so  p(x) = N(b, W Wᵀ + σ² I).
 * W has orthogonal columns, so the exact posterior is diagonal:
 *   p(z|x) = N(S Wᵀ(x − b)/σ², S),  S = (I + WᵀW/σ²)⁻¹ = diag(1 / (1 + |w_j|²/σ²)).
 * The encoder is that posterior, optionally distorted (mean scaled, variance inflated), so importance
 * sampling has something to correct.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../src/core/trainable.js';
import type { Dataset } from '../../src/data/dataset.js';
import { DiagGaussian, GaussianLikelihood } from '../../src/distributions/index.js';
import type { GaussianLatent } from '../../src/models/model.js';
import {
  gaussianLatentTerms,
  type LatentModel,
  type LatentSampling,
  type LatentTerms,
} from '../../src/objectives/latent.js';

export interface LinearGaussianSpec {
  /** D × m, row-major, orthogonal columns (a zero column is a latent dimension the decoder ignores). */
  w: number[][];
  b: number[];
  sigma: number;
  /** Encoder distortion: mean × meanScale, log-variance + logVarShift (1 and 0: the exact posterior). */
  meanScale?: number;
  logVarShift?: number;
}

export class LinearGaussian implements GaussianLatent, LatentModel {
  readonly latentDim: number;
  readonly dim: number;
  readonly postVar: number[];

  constructor(readonly spec: LinearGaussianSpec) {
    this.dim = spec.w.length;
    this.latentDim = spec.w[0].length;
    const s2 = spec.sigma ** 2;
    this.postVar = Array.from({ length: this.latentDim }, (_, j) => {
      const norm2 = spec.w.reduce((a, row) => a + row[j] ** 2, 0);
      return 1 / (1 + norm2 / s2);
    });
  }

  posterior({ x }: Batch): DiagGaussian {
    const { w, b, sigma, meanScale = 1, logVarShift = 0 } = this.spec;
    const flat = x.reshape([x.shape[0], this.dim]).sub(tf.tensor1d(b));
    // mean_j = S_j (Wᵀ(x − b))_j / σ²
    const proj = tf.matMul(flat, tf.tensor2d(w));
    const mean = proj.mul(tf.tensor1d(this.postVar.map((v) => (meanScale * v) / sigma ** 2)));
    const logVar = tf
      .tensor1d(this.postVar.map((v) => Math.log(v) + logVarShift))
      .expandDims(0)
      .tile([x.shape[0], 1]);
    return new DiagGaussian(mean, logVar);
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
    return gaussianLatentTerms(this.posterior(batch), (z) => this.decode(z), batch, s);
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

/** W with orthogonal columns |w_1|² = 2, |w_2|² = 0.5 and a third column of zeros (a dimension forced to the prior). */
export const W3 = [
  [1, 0, 0],
  [0, 0.5, 0],
  [1, 0, 0],
  [0, 0.5, 0],
];
