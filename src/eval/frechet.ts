import { matmul, meanAndCovariance, symmetricEigen, symmetricFunction } from './linalg.js';

/** A Gaussian fitted to feature vectors: mean μ and covariance Σ (d·d, row-major). */
export interface FeatureStats {
  dim: number;
  count: number;
  mean: Float64Array;
  cov: Float64Array;
}

/** Fit μ and Σ to `n` feature rows of length `d`. */
export function featureStats(rows: ArrayLike<number>, n: number, d: number): FeatureStats {
  return { dim: d, count: n, ...meanAndCovariance(rows, n, d) };
}

/**
 * Fréchet (2-Wasserstein) distance between the Gaussians N(μ1, Σ1) and N(μ2, Σ2):
 *   d² = |μ1 − μ2|² + Tr(Σ1) + Tr(Σ2) − 2·Tr((Σ1 Σ2)^{1/2}),
 * with Tr((Σ1 Σ2)^{1/2}) = Tr((S Σ2 S)^{1/2}), S = Σ1^{1/2}: S Σ2 S is symmetric positive semi-definite,
 * so both square roots come from symmetric eigen-decompositions (eigenvalues clipped at 0 against rounding).
 * Returns d² (what FID reports), here in the feature space of whatever network produced the features.
 */
export function frechetDistance(a: FeatureStats, b: FeatureStats): number {
  const d = a.dim;
  if (b.dim !== d) throw new RangeError(`feature dimensions differ: ${a.dim} and ${b.dim}`);
  let meanTerm = 0;
  let traces = 0;
  for (let j = 0; j < d; j++) {
    meanTerm += (a.mean[j] - b.mean[j]) ** 2;
    traces += a.cov[j * d + j] + b.cov[j * d + j];
  }
  const s = symmetricFunction(symmetricEigen(a.cov, d), d, (l) => Math.sqrt(Math.max(0, l)));
  const inner = matmul(matmul(s, b.cov, d), s, d);
  // symmetrise against rounding before the eigen-decomposition
  for (let i = 0; i < d; i++)
    for (let j = i + 1; j < d; j++) {
      const m = (inner[i * d + j] + inner[j * d + i]) / 2;
      inner[i * d + j] = m;
      inner[j * d + i] = m;
    }
  let traceSqrt = 0;
  for (const l of symmetricEigen(inner, d).values) traceSqrt += Math.sqrt(Math.max(0, l));
  return Math.max(0, meanTerm + traces - 2 * traceSqrt);
}
