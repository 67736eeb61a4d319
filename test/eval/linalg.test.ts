import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/core/random.js';
import { featureStats, frechetDistance } from '../../src/eval/frechet.js';
import { matmul, meanAndCovariance, symmetricEigen, symmetricFunction } from '../../src/eval/linalg.js';

function randomSymmetric(n: number, seed: number): Float64Array {
  const r = new Rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      a[i * n + j] = r.next() * 2 - 1;
      a[j * n + i] = a[i * n + j];
    }
  return a;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test('Jacobi: V diag(λ) Vᵀ rebuilds A, V is orthogonal, and a diagonal matrix keeps its entries', () => {
  for (const n of [1, 2, 5, 30]) {
    const a = randomSymmetric(n, n);
    const e = symmetricEigen(a, n);
    assert.ok(
      maxAbsDiff(
        symmetricFunction(e, n, (l) => l),
        a,
      ) < 1e-10,
      `n=${n}`,
    );
    const vtv = matmul(
      Float64Array.from({ length: n * n }, (_, k) => e.vectors[(k % n) * n + Math.floor(k / n)]),
      e.vectors,
      n,
    );
    const eye = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
    assert.ok(maxAbsDiff(vtv, eye) < 1e-10);
  }
  const e = symmetricEigen([3, 0, 0, -2], 2);
  assert.deepEqual(Array.from(e.values), [3, -2]);
  // the 2×2 [[2, 1], [1, 2]] has eigenvalues 1 and 3
  const values = Array.from(symmetricEigen([2, 1, 1, 2], 2).values).sort();
  assert.ok(maxAbsDiff(values, [1, 3]) < 1e-12);
});

test('the square root of a PSD matrix squares back to it', () => {
  const n = 6;
  const b = randomSymmetric(n, 9);
  const a = matmul(b, b, n); // B Bᵀ = B² is PSD
  const s = symmetricFunction(symmetricEigen(a, n), n, Math.sqrt);
  assert.ok(maxAbsDiff(matmul(s, s, n), a) < 1e-9);
});

test('mean and unbiased covariance of rows', () => {
  const { mean, cov } = meanAndCovariance([1, 2, 3, 6, 5, 10], 3, 2);
  assert.deepEqual(Array.from(mean), [3, 6]);
  // x: 1,3,5 → var 4; y: 2,6,10 → var 16; cov 8
  assert.ok(maxAbsDiff(cov, [4, 8, 8, 16]) < 1e-12);
});

test('Fréchet distance: 0 to itself, |Δμ|² for a shift, closed form for commuting covariances', () => {
  const d = 3;
  const stats = (mean: number[], diag: number[]) => ({
    dim: d,
    count: 0,
    mean: Float64Array.from(mean),
    cov: Float64Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? diag[k / (d + 1)] : 0)),
  });
  const a = stats([0, 0, 0], [1, 4, 9]);
  assert.ok(frechetDistance(a, a) < 1e-9);
  assert.ok(Math.abs(frechetDistance(a, stats([1, 2, 0], [1, 4, 9])) - 5) < 1e-9);
  // diagonal Σ: Σ_j (√a_j − √b_j)²
  const b = stats([0, 0, 0], [4, 1, 9]);
  assert.ok(Math.abs(frechetDistance(a, b) - ((1 - 2) ** 2 + (2 - 1) ** 2 + 0)) < 1e-9);
});

test('Fréchet distance of non-commuting covariances matches the 2×2 closed form', () => {
  // for 2×2 SPD A, B: Tr((AB)^{1/2}) = √(Tr(AB) + 2√det(AB))
  const a = [2, 1, 1, 2];
  const b = [1, -0.5, -0.5, 3];
  const ab = matmul(a, b, 2);
  const trSqrt = Math.sqrt(ab[0] + ab[3] + 2 * Math.sqrt(ab[0] * ab[3] - ab[1] * ab[2]));
  const expected = 4 + 4 - 2 * trSqrt;
  const s = (cov: number[]) => ({ dim: 2, count: 0, mean: new Float64Array(2), cov: Float64Array.from(cov) });
  assert.ok(Math.abs(frechetDistance(s(a), s(b)) - expected) < 1e-9);
});

test('featureStats of two samples of the same Gaussian are close; a shifted sample is far', () => {
  const r = new Rng(4);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const sample = (n: number, shift: number) => Float64Array.from({ length: n * 4 }, () => gauss() + shift);
  const p = featureStats(sample(4000, 0), 4000, 4);
  assert.ok(frechetDistance(p, featureStats(sample(4000, 0), 4000, 4)) < 0.05);
  assert.ok(Math.abs(frechetDistance(p, featureStats(sample(4000, 1), 4000, 4)) - 4) < 0.3);
});
