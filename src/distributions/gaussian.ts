import * as tf from '@tensorflow/tfjs';
import { gaussianKlToStandard, reparameterise } from '../backend/index.js';
import { tfSeed } from '../core/random.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Sums every axis but the first (the batch axis): [B, ...] -> [B]. */
export function sumPerExample(t: tf.Tensor): tf.Tensor1D {
  const axes = t.shape.map((_, i) => i).slice(1);
  return (axes.length ? t.sum(axes) : t) as tf.Tensor1D;
}

/**
 * Diagonal Gaussian N(μ, diag σ²), parameterised by μ and log σ² (shape [B, m]).
 * Used for the approximate posterior q_φ(z|x) and, with μ = 0 and log σ² = 0, the prior p(z).
 */
export class DiagGaussian {
  constructor(
    readonly mean: tf.Tensor,
    readonly logVar: tf.Tensor,
  ) {}

  static standard(shape: number[]): DiagGaussian {
    return new DiagGaussian(tf.zeros(shape), tf.zeros(shape));
  }

  get std(): tf.Tensor {
    return tf.exp(this.logVar.mul(0.5));
  }

  /** Reparameterised sample z = μ + σ·ε, ε ~ N(0, I): differentiable in μ and σ. */
  sample(seed: number, temperature = 1): tf.Tensor {
    return this.reparameterised(tf.randomNormal(this.mean.shape, 0, temperature, 'float32', tfSeed(seed)));
  }

  /** z = μ + σ·ε for a given draw ε (one fused op). */
  reparameterised(eps: tf.Tensor): tf.Tensor {
    return reparameterise(this.mean, this.logVar, eps);
  }

  /** Elementwise log N(z; μ, σ²) = −½ (log 2π + log σ² + (z − μ)² / σ²). */
  logProbElementwise(z: tf.Tensor): tf.Tensor {
    const d2 = z.sub(this.mean).square().mul(tf.exp(this.logVar.neg()));
    return d2.add(this.logVar).add(LOG_2PI).mul(-0.5);
  }

  /** log q(z) summed over the latent dimensions: shape [B]. */
  logProb(z: tf.Tensor): tf.Tensor1D {
    return sumPerExample(this.logProbElementwise(z));
  }

  /** Per-dimension KL(N(μ, σ²) ‖ N(0, 1)) = ½ (μ² + σ² − 1 − log σ²): shape [B, m]. */
  klToStandardNormalPerDim(): tf.Tensor {
    return gaussianKlToStandard(this.mean, this.logVar);
  }

  /**
   * Per-dimension KL(this ‖ other) between diagonal Gaussians, closed form:
   * ½ [ log σ₂² − log σ₁² + (σ₁² + (μ₁ − μ₂)²) / σ₂² − 1 ]: shape [B, m].
   */
  klToPerDim(other: DiagGaussian): tf.Tensor {
    const d2 = this.mean.sub(other.mean).square();
    return other.logVar
      .sub(this.logVar)
      .add(tf.exp(this.logVar).add(d2).mul(tf.exp(other.logVar.neg())))
      .sub(1)
      .mul(0.5);
  }

  /** KL(q ‖ N(0, I)) in closed form, summed over dimensions: shape [B]. */
  klToStandardNormal(): tf.Tensor1D {
    return sumPerExample(this.klToStandardNormalPerDim());
  }
}

/** Elementwise log N(z; 0, 1) = −½ (log 2π + z²). */
export function standardNormalLogProbElementwise(z: tf.Tensor): tf.Tensor {
  return z.square().add(LOG_2PI).mul(-0.5);
}

/** log N(z; 0, I) summed over every axis but the batch axis: shape [B]. */
export function standardNormalLogProb(z: tf.Tensor): tf.Tensor1D {
  return sumPerExample(standardNormalLogProbElementwise(z));
}
