/** Small linear algebra for the explorer: principal directions, interpolation paths, ranking. */

/** Rows of an n×m matrix stored row after row. */
export interface Rows {
  data: Float32Array;
  n: number;
  m: number;
}

export interface Plane {
  /** Mean of the rows, and two orthonormal principal directions (largest variance first). */
  mean: Float64Array;
  axes: [Float64Array, Float64Array];
  /** Standard deviation of the rows along each axis. */
  spread: [number, number];
  /** What the two axes are, for labels: principal directions, or the latent's own two dimensions. */
  names: [string, string];
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** C = (1/n) Σ (x − x̄)(x − x̄)ᵀ, with x̄ the mean row. */
function covariance({ data, n, m }: Rows): { mean: Float64Array; cov: Float64Array[] } {
  const mean = new Float64Array(m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) mean[j] += data[i * m + j] / n;
  const cov = Array.from({ length: m }, () => new Float64Array(m));
  const d = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) d[j] = data[i * m + j] - mean[j];
    for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) cov[j][k] += (d[j] * d[k]) / n;
  }
  return { mean, cov };
}

/**
 * Leading unit eigenvector of a symmetric positive semi-definite matrix by power iteration
 * v ← Cv / ‖Cv‖, started from a fixed vector so the result is deterministic (sign: largest entry > 0).
 */
function leadingEigenvector(c: Float64Array[], iterations = 500): { vector: Float64Array; value: number } {
  const m = c.length;
  let v = Float64Array.from({ length: m }, (_, i) => 1 + i / m);
  let value = 0;
  for (let it = 0; it < iterations; it++) {
    const w = Float64Array.from(c, (row) => dot(row, v));
    const norm = Math.sqrt(dot(w, w));
    if (norm === 0) break;
    const next = w.map((x) => x / norm);
    const change = Math.sqrt(next.reduce((s, x, i) => s + (x - v[i]) ** 2, 0));
    v = next;
    value = norm;
    if (change < 1e-10) break;
  }
  const top = v.reduce((best, x, i) => (Math.abs(x) > Math.abs(v[best]) ? i : best), 0);
  if (v[top] < 0) v = v.map((x) => -x);
  return { vector: v, value };
}

/** The plane of the first two principal directions of the rows (PCA): C = λ₁v₁v₁ᵀ + λ₂v₂v₂ᵀ + …. */
export function principalPlane(rows: Rows): Plane {
  if (rows.m < 2) throw new Error('a plane needs at least two latent dimensions');
  const { mean, cov } = covariance(rows);
  const first = leadingEigenvector(cov);
  // Deflate: C − λ₁v₁v₁ᵀ has v₂ as its leading eigenvector.
  const deflated = cov.map((row, j) =>
    row.map((x, k) => x - first.value * first.vector[j] * first.vector[k]),
  );
  const second = leadingEigenvector(deflated);
  const s1 = Math.sqrt(first.value);
  const s2 = Math.sqrt(Math.max(0, second.value));
  // Points on a line (two test images, a collapsed direction) have no spread across it: show the second
  // direction at the first one's scale instead of dividing by zero.
  const floor = s1 > 0 ? s1 : 1;
  return {
    mean,
    axes: [first.vector, second.vector],
    spread: [s1 > 0 ? s1 : 1, s2 > 1e-3 * floor ? s2 : floor],
    names: ['PC1', 'PC2'],
  };
}

/**
 * The plane the latent map shows. A 2-dimensional latent is shown in its own coordinates z0 × z1 (the
 * sliders' axes, the prior's scale: spread 1), the classic manifold picture; more dimensions are shown
 * on the principal plane of the test latent means.
 */
export function mapPlane(rows: Rows): Plane {
  if (rows.m !== 2) return principalPlane(rows);
  return {
    mean: new Float64Array(2),
    axes: [Float64Array.of(1, 0), Float64Array.of(0, 1)],
    spread: [1, 1],
    names: ['z0', 'z1'],
  };
}

/** Coordinates (a, b) of one latent point in the plane: a = (z − x̄)·v₁, b = (z − x̄)·v₂. */
export function projectPoint(z: ArrayLike<number>, plane: Plane): [number, number] {
  const p = project({ data: Float32Array.from(z), n: 1, m: z.length }, plane);
  return [p[0], p[1]];
}

/** Coordinates (a, b) of each row in the plane: a = (x − x̄)·v₁, b = (x − x̄)·v₂. */
export function project(rows: Rows, plane: Plane): Float32Array {
  const out = new Float32Array(rows.n * 2);
  const d = new Float64Array(rows.m);
  for (let i = 0; i < rows.n; i++) {
    for (let j = 0; j < rows.m; j++) d[j] = rows.data[i * rows.m + j] - plane.mean[j];
    out[2 * i] = dot(d, plane.axes[0]);
    out[2 * i + 1] = dot(d, plane.axes[1]);
  }
  return out;
}

/** The latent point x̄ + a·v₁ + b·v₂. */
export function pointInPlane(plane: Plane, a: number, b: number): Float32Array {
  return Float32Array.from(plane.mean, (x, j) => x + a * plane.axes[0][j] + b * plane.axes[1][j]);
}

export type Interpolation = 'linear' | 'spherical';

/**
 * `steps` points from z₀ to z₁ (both included). Linear: (1−t)z₀ + t·z₁. Spherical (slerp, Shoemake 1985):
 *   sin((1−t)Ω)/sin Ω · z₀ + sin(tΩ)/sin Ω · z₁,  cos Ω = z₀·z₁ / (‖z₀‖‖z₁‖),
 * which keeps the norm near that of typical draws from N(0, I) instead of cutting through the low-norm middle.
 */
export function interpolate(
  z0: Float32Array,
  z1: Float32Array,
  steps: number,
  mode: Interpolation,
): Float32Array[] {
  const norms = Math.sqrt(dot(z0, z0) * dot(z1, z1));
  const omega = norms > 0 ? Math.acos(Math.min(1, Math.max(-1, dot(z0, z1) / norms))) : 0;
  const spherical = mode === 'spherical' && Math.sin(omega) > 1e-6;
  return Array.from({ length: steps }, (_, s) => {
    const t = steps === 1 ? 0 : s / (steps - 1);
    const [w0, w1] = spherical
      ? [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)]
      : [1 - t, t];
    return Float32Array.from(z0, (x, j) => w0 * x + w1 * z1[j]);
  });
}

/** Indices of the k largest values, largest first (ties: lower index first). */
export function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from(values, (v, i) => [v, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i);
}
