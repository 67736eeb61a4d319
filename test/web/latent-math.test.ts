import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/core/random.js';
import {
  interpolate,
  pointInPlane,
  principalPlane,
  project,
  topK,
} from '../../src/web/client/latent-math.js';

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((s, x, i) => s + x * b[i], 0);

/** Standard normal draws by Box–Muller from the seeded stream. */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

test('principal plane: recovers the two largest axes of a rotated Gaussian, its spreads and its mean', () => {
  // x = c + R·diag(3, 1.5, 0.3)·ε in 3-D, R a rotation by 30° in the (0, 1) plane followed by the identity on axis 2.
  const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
  const R = [
    [c, -s, 0],
    [s, c, 0],
    [0, 0, 1],
  ];
  const scales = [3, 1.5, 0.3];
  const centre = [1, -2, 0.5];
  const n = 20000;
  const data = new Float32Array(n * 3);
  const rng = new Rng(7);
  for (let i = 0; i < n; i++) {
    const e = scales.map((sc) => sc * gaussian(rng));
    for (let j = 0; j < 3; j++)
      data[i * 3 + j] = centre[j] + R[j][0] * e[0] + R[j][1] * e[1] + R[j][2] * e[2];
  }
  const plane = principalPlane({ data, n, m: 3 });
  for (let j = 0; j < 3; j++) assert.ok(Math.abs(plane.mean[j] - centre[j]) < 0.06, `mean ${j}`);
  // Directions are the first two columns of R, up to sign.
  assert.ok(Math.abs(Math.abs(dot(plane.axes[0], [c, s, 0])) - 1) < 1e-3, 'first axis');
  assert.ok(Math.abs(Math.abs(dot(plane.axes[1], [-s, c, 0])) - 1) < 1e-3, 'second axis');
  assert.ok(Math.abs(norm(plane.axes[0]) - 1) < 1e-9 && Math.abs(norm(plane.axes[1]) - 1) < 1e-9);
  assert.ok(Math.abs(dot(plane.axes[0], plane.axes[1])) < 1e-6, 'orthogonal');
  assert.ok(
    Math.abs(plane.spread[0] - 3) < 0.05 && Math.abs(plane.spread[1] - 1.5) < 0.03,
    `${plane.spread}`,
  );

  // Projections are centred with the spreads as standard deviations; pointInPlane inverts project in the plane.
  const ab = project({ data, n, m: 3 }, plane);
  const sd = (k: number) =>
    Math.sqrt(Array.from({ length: n }, (_, i) => ab[2 * i + k] ** 2).reduce((a, b) => a + b) / n);
  assert.ok(Math.abs(sd(0) - plane.spread[0]) < 1e-3 && Math.abs(sd(1) - plane.spread[1]) < 1e-3);
  const z = pointInPlane(plane, 2, -1);
  const back = project({ data: z, n: 1, m: 3 }, plane);
  assert.ok(Math.abs(back[0] - 2) < 1e-5 && Math.abs(back[1] + 1) < 1e-5);
});

test('interpolation: linear is the straight line, spherical keeps the norm and turns at a constant rate', () => {
  const z0 = Float32Array.from([3, 0, 0, 0]);
  const z1 = Float32Array.from([0, 3, 0, 0]);
  const lin = interpolate(z0, z1, 5, 'linear');
  assert.equal(lin.length, 5);
  assert.deepEqual(Array.from(lin[0]), [3, 0, 0, 0]);
  assert.deepEqual(Array.from(lin[4]), [0, 3, 0, 0]);
  assert.deepEqual(Array.from(lin[2]), [1.5, 1.5, 0, 0]);

  const sph = interpolate(z0, z1, 5, 'spherical');
  for (const z of sph) assert.ok(Math.abs(norm(z) - 3) < 1e-5, 'norm kept');
  for (let k = 0; k < 5; k++) {
    // The angle from z0 grows by (π/2)/4 per step.
    const angle = Math.atan2(sph[k][1], sph[k][0]);
    assert.ok(Math.abs(angle - (k * Math.PI) / 8) < 1e-5, `step ${k}`);
  }
  // The linear midpoint is shorter than the endpoints by 1/√2 (the "low-norm middle").
  assert.ok(Math.abs(norm(lin[2]) - 3 / Math.SQRT2) < 1e-5);
  // Parallel endpoints: slerp is undefined (sin Ω = 0) and falls back to the line.
  assert.deepEqual(
    Array.from(interpolate(z0, Float32Array.from([6, 0, 0, 0]), 3, 'spherical')[1]),
    [4.5, 0, 0, 0],
  );
});

test('topK: indices of the largest values, largest first, ties by index', () => {
  assert.deepEqual(topK([0.1, 2, 0.5, 2, 3], 3), [4, 1, 3]);
  assert.deepEqual(topK([1, 2], 5), [1, 0]);
});
