/**
 * The best posterior of a model's family for one image (Cremer, Li & Duvenaud 2018's q*): its parameters λ
 * optimised for that image alone, starting from the encoder's output, with the decoder fixed:
 *   λ* = argmax_λ L(λ; x),  L(λ; x) = E_{q_λ}[log p(x|z)] − KL(q_λ ‖ p),
 * by Adam on a Monte-Carlo estimate of L with fresh samples at every step, a batch of images at once (each
 * image's L depends on its own row of λ only). After each window of steps the batch's mean ELBO is scored
 * on a fixed set of draws (common random numbers, so that two windows' scores differ by the progress made,
 * not by sampling noise); when it rises by less than a tolerance, the step size is halved (Adam's noise
 * floor scales with it), and the third such plateau ends the optimisation.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random.js';
import type { Batch } from '../core/trainable.js';
import type { LocalLatentModel } from '../objectives/latent.js';
import { localElbo, localElboAndGradient } from '../objectives/local-elbo.js';

export interface OptimisePosteriorOptions {
  /** Samples of z per image at each step. */
  samples: number;
  /** Adam's step size. */
  lr: number;
  /** A plateau: the batch's mean ELBO on the check draws rises by less than this over a window (nats per image). */
  tolerance: number;
  /** Draws of z per image on which each window is scored (the same draws every time). */
  checkSamples: number;
  /** Steps per window. */
  window: number;
  /** Stop here at the latest (reported as not converged). */
  maxSteps: number;
  seed: number;
}

export const OPTIMISE_DEFAULTS: OptimisePosteriorOptions = {
  samples: 10,
  lr: 0.01,
  tolerance: 0.01,
  checkSamples: 32,
  window: 50,
  maxSteps: 5000,
  seed: 0,
};

/** Plateaus (each halving the step size) before the optimisation stops. */
const PLATEAUS = 3;

export interface OptimisedPosterior {
  /** λ*: [B, P]. */
  params: tf.Tensor2D;
  steps: number;
  converged: boolean;
  /** The batch's mean ELBO on the check draws at the start and after each window (nats), in order. */
  windows: number[];
}

/** λ* for the images of `batch`, from `start` (not modified). */
export function optimisePosterior(
  model: LocalLatentModel,
  start: tf.Tensor2D,
  batch: Batch,
  options: Partial<OptimisePosteriorOptions> = {},
): OptimisedPosterior {
  const o = { ...OPTIMISE_DEFAULTS, ...options };
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  const rng = new Rng(o.seed);
  let params = start.clone();
  let m: tf.Tensor = tf.zerosLike(start);
  let v: tf.Tensor = tf.zerosLike(start);
  const check = { k: o.checkSamples, seed: rng.seed() };
  const score = (p: tf.Tensor2D) => tf.tidy(() => localElbo(model, p, batch, check).mean().dataSync()[0]);
  const windows = [score(params)];
  let steps = 0;
  let converged = false;
  let lr = o.lr;
  let plateaus = 0;
  while (steps < o.maxSteps && !converged) {
    const next = tf.tidy(() => {
      const { gradient } = localElboAndGradient(model, params, batch, {
        k: o.samples,
        seed: rng.seed(),
      });
      const t = steps + 1;
      const m1 = m.mul(beta1).add(gradient.mul(1 - beta1));
      const v1 = v.mul(beta2).add(gradient.square().mul(1 - beta2));
      const step = m1
        .div(1 - beta1 ** t)
        .div(
          v1
            .div(1 - beta2 ** t)
            .sqrt()
            .add(eps),
        )
        .mul(lr);
      // gradient ascent on L; a non-finite step leaves λ where it was
      const moved = params.add(step);
      const safe = tf.where(moved.isFinite(), moved, params) as tf.Tensor2D;
      return { params: safe, m: m1, v: v1 };
    });
    tf.dispose([params, m, v]);
    ({ params, m, v } = next);
    steps++;
    if (steps % o.window === 0) {
      windows.push(score(params));
      const n = windows.length;
      if (windows[n - 1] - windows[n - 2] < o.tolerance) {
        plateaus++;
        lr /= 2;
        converged = plateaus === PLATEAUS;
      }
    }
  }
  tf.dispose([m, v]);
  return { params, steps, converged, windows };
}
