import * as tf from '@tensorflow/tfjs';

/** Rows of queries per distance block, so a block of squared distances stays a few million floats. */
const BLOCK_ELEMENTS = 4_000_000;

/** Squared Euclidean distances |a_i − b_j|² = |a_i|² + |b_j|² − 2 a_i·b_j, clipped at 0: [n, m]. */
function squaredDistances(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const a2 = a.square().sum(1, true);
  const b2 = b.square().sum(1).expandDims(0);
  return tf.relu(a2.add(b2).sub(tf.matMul(a, b, false, true).mul(2))) as tf.Tensor2D;
}

/** Calls f on consecutive row blocks [start, start + n) of a matrix with `rows` rows. */
function forRowBlocks(rows: number, cols: number, f: (start: number, n: number) => void): void {
  const block = Math.max(1, Math.floor(BLOCK_ELEMENTS / Math.max(1, cols)));
  for (let start = 0; start < rows; start += block) f(start, Math.min(block, rows - start));
}

/** Squared distance from each point to its k-th nearest other point of the same set: [n]. */
export function kthNeighbourRadii2(points: tf.Tensor2D, k: number): Float32Array {
  const n = points.shape[0];
  if (k >= n) throw new RangeError(`k = ${k} needs more than ${k} points, found ${n}`);
  const out = new Float32Array(n);
  forRowBlocks(n, n, (start, rows) => {
    const r = tf.tidy(() => {
      const d = squaredDistances(points.slice([start, 0], [rows, -1]), points);
      // the k+1 smallest distances include the point itself (0)
      const { values } = tf.topk(d.neg(), k + 1);
      return values.slice([0, k], [rows, 1]).neg().dataSync() as Float32Array;
    });
    out.set(r, start);
  });
  return out;
}

/** Share of `queries` inside at least one ball B(ref_j, radius_j), radii given squared. */
export function coverage(queries: tf.Tensor2D, refs: tf.Tensor2D, radii2: Float32Array): number {
  const n = queries.shape[0];
  const r2 = tf.tensor2d(radii2, [1, radii2.length]);
  let inside = 0;
  forRowBlocks(n, refs.shape[0], (start, rows) => {
    inside += tf.tidy(
      () =>
        tf
          .lessEqual(squaredDistances(queries.slice([start, 0], [rows, -1]), refs), r2)
          .any(1)
          .sum()
          .dataSync()[0],
    );
  });
  r2.dispose();
  return inside / n;
}

export interface PrecisionRecall {
  /** Share of generated samples that fall inside the real data's k-NN manifold. */
  precision: number;
  /** Share of real images that fall inside the generated samples' k-NN manifold. */
  recall: number;
  k: number;
}

/**
 * Improved precision and recall of Kynkäänniemi et al. 2019. Each set's manifold is the union of balls
 * around its points, each ball's radius the distance to that point's k-th nearest neighbour in its own set;
 * precision = share of fakes inside the real manifold, recall = share of reals inside the fake manifold.
 * Features are rows of length d (flat Float32Arrays).
 */
export function precisionRecall(real: Float32Array, fake: Float32Array, d: number, k = 3): PrecisionRecall {
  return tf.tidy(() => {
    const r = tf.tensor2d(real, [real.length / d, d]);
    const f = tf.tensor2d(fake, [fake.length / d, d]);
    const precision = coverage(f, r, kthNeighbourRadii2(r, k));
    const recall = coverage(r, f, kthNeighbourRadii2(f, k));
    return { precision, recall, k };
  });
}
