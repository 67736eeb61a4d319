/**
 * The true posterior of a model with a 2-dimensional latent, on a grid of z (for pictures, and as a check
 * of the estimates of log p(x)):
 *   p(z|x) = p(x|z) p(z) / p(x),  log p(x) ≈ log Σ_c p(x|z_c) p(z_c) · A,
 * z_c the centres of G×G square cells of area A over a box that holds the posterior's mass: the midpoint
 * rule, close to exact in 2-D when the cells are much smaller than the posterior's spread.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import type { Batch } from '../core/trainable.js';
import { standardNormalLogProb } from '../distributions/index.js';
import type { LocalLatentModel } from '../objectives/latent.js';

/** The square centre ± half of the latent plane. */
export interface Box {
  centre: [number, number];
  half: number;
}

/** A diagonal Gaussian over the plane, as numbers. */
export interface PlaneGaussian {
  mean: ArrayLike<number>;
  sd: ArrayLike<number>;
}

/** The smallest square that holds every mean ± reach·σ_max, σ_max the largest standard deviation of all. */
export function boxAround(gaussians: PlaneGaussian[], reach: number): Box {
  const r = reach * Math.max(...gaussians.flatMap((g) => Array.from(g.sd)));
  const lo = [0, 1].map((d) => Math.min(...gaussians.map((g) => g.mean[d])) - r);
  const hi = [0, 1].map((d) => Math.max(...gaussians.map((g) => g.mean[d])) + r);
  return {
    centre: [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2],
    half: Math.max(hi[0] - lo[0], hi[1] - lo[1]) / 2,
  };
}

/**
 * Centres (z₁, z₂) of the G×G cells, row after row like an image: row 0 at the top (largest z₂), column 0
 * at the left (smallest z₁): [G²·2].
 */
export function cellCentres(box: Box, size: number): Float32Array {
  const cell = (2 * box.half) / size;
  const out = new Float32Array(size * size * 2);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      out[2 * (i * size + j)] = box.centre[0] - box.half + (j + 0.5) * cell;
      out[2 * (i * size + j) + 1] = box.centre[1] + box.half - (i + 0.5) * cell;
    }
  }
  return out;
}

export interface PosteriorGrid {
  box: Box;
  size: number;
  /** p(z_c|x)·A of each cell (summing to 1), in the order of cellCentres. */
  mass: Float64Array;
  /** log p(x) ≈ log Σ_c exp(log p(x, z_c)) + log A, nats. */
  logPx: number;
  /** E[z|x] ≈ Σ_c mass_c z_c. */
  mean: [number, number];
}

/**
 * The posterior of the one image of `batch` on a G×G grid over `box`: log p(x|z_c) + log p(z_c) for every
 * cell, the decoder run on at most `rows` cells at a time.
 */
export function posteriorGrid(
  model: LocalLatentModel,
  batch: Batch,
  box: Box,
  size: number,
  rows = 1024,
): PosteriorGrid {
  if (model.latentDim !== 2 || batch.x.shape[0] !== 1) {
    throw new InputError({
      where: 'posteriorGrid',
      expected: 'a model with a 2-dimensional latent and a batch of one image',
      found: `${model.latentDim} latent dimensions, ${batch.x.shape[0]} images`,
    });
  }
  const z = cellCentres(box, size);
  const n = size * size;
  const logJoint = new Float64Array(n);
  for (let s = 0; s < n; s += rows) {
    const k = Math.min(rows, n - s);
    const values = tf.tidy(() => {
      const zs = tf.tensor2d(z.subarray(2 * s, 2 * (s + k)), [k, 2]);
      return model.logLikelihood(zs, batch).add(standardNormalLogProb(zs)).dataSync();
    });
    logJoint.set(values, s);
  }
  const max = logJoint.reduce((a, v) => Math.max(a, v), Number.NEGATIVE_INFINITY);
  const mass = logJoint.map((v) => Math.exp(v - max));
  const sum = mass.reduce((a, v) => a + v, 0);
  const mean: [number, number] = [0, 0];
  for (let c = 0; c < n; c++) {
    mass[c] /= sum;
    mean[0] += mass[c] * z[2 * c];
    mean[1] += mass[c] * z[2 * c + 1];
  }
  const area = ((2 * box.half) / size) ** 2;
  return { box, size, mass, logPx: max + Math.log(sum) + Math.log(area), mean };
}
