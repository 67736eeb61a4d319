import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../core/trainable.js';
import { optimisePosterior } from '../../eval/optimal-posterior.js';
import {
  boxAround,
  type PlaneGaussian,
  type PosteriorGrid,
  posteriorGrid,
} from '../../eval/posterior-grid.js';
import type { LocalLatentModel } from '../../objectives/latent.js';
import { localElbo } from '../../objectives/local-elbo.js';

/** Cells per side of the grid, and its reach: the means of q_φ and q* ± REACH·(their largest σ). */
export const GRID = 64;
export const REACH = 5;
/**
 * The local optimisation of q*, short enough for a page: one image's windowed ELBO is noisier than a batch
 * mean's, so larger steps and a coarser plateau (on a 2-D MNIST VAE: converged in 100–250 steps, within
 * 0.02 nats of 3000 finer steps).
 */
const OPTIMISE = { samples: 10, lr: 0.05, tolerance: 0.05, window: 25, maxSteps: 500 };
/** Samples of z for each ELBO (the same draws for q_φ and q*), and dots drawn of a flow posterior. */
const ELBO_SAMPLES = 1000;
const FLOW_DOTS = 300;

/** A posterior of the model's family for the image: its Gaussian summary, ELBO and (for a flow) samples. */
export interface Posterior extends PlaneGaussian {
  elbo: number;
  /** z ~ q as [z₁, z₂] pairs; null for a Gaussian family (the ellipses say it all). */
  samples: Float32Array | null;
}

export interface PosteriorView {
  grid: PosteriorGrid;
  /** q_φ, as the model infers it, and q*, the best of its family for this image alone. */
  amortised: Posterior;
  optimal: Posterior;
  steps: number;
  converged: boolean;
}

/**
 * p(z|x) on a grid around q_φ(z|x) and q*(z|x) for the one image of `batch`, with
 *   L[q] = E_q[log p(x|z)] − KL(q ‖ p)  for both (the same draws of ε),
 * so that log p(x) − L[q*] is the approximation gap and L[q*] − L[q_φ] the amortisation gap.
 */
export function truePosterior(model: LocalLatentModel, batch: Batch, seed: number): PosteriorView {
  const params = model.inferenceParams(batch, seed);
  const best = optimisePosterior(model, params, batch, { ...OPTIMISE, seed });
  const describe = (p: tf.Tensor2D): Posterior => {
    const [mean, sd] = tf.tidy(() => {
      const q = model.family.summary(p, seed);
      return [q.mean.dataSync() as Float32Array, q.logVar.mul(0.5).exp().dataSync() as Float32Array];
    });
    const elbo = tf.tidy(() => localElbo(model, p, batch, { k: ELBO_SAMPLES, seed: seed + 1 }).dataSync());
    const samples = model.family.closedFormKl
      ? null
      : tf.tidy(() => model.family.sample(p, FLOW_DOTS, seed + 2).dataSync() as Float32Array);
    return { mean, sd, elbo: elbo[0], samples };
  };
  const [amortised, optimal] = [describe(params), describe(best.params)];
  tf.dispose([params, best.params]);
  const grid = posteriorGrid(model, batch, boxAround([amortised, optimal], REACH), GRID);
  return { grid, amortised, optimal, steps: best.steps, converged: best.converged };
}
