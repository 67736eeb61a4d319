/**
 * Semi-amortised inference (Kim, Wiseman, Miller, Sontag & Rush 2018, SA-VAE): the encoder's output λ₀
 * is refined for each image by K gradient-ascent steps on its own ELBO, with the decoder fixed,
 *   λ_{t+1} = λ_t + α_i ∇_λ L(λ_t; x),
 * and the encoder is trained through the refinement: ∂ℓ/∂λ₀ = Π_t (I + α_i H_t) ∂ℓ/∂λ_K, the
 * Hessian-vector products H_t v taken by central differences of the gradient, as Kim et al. do.
 *
 * Each step follows the gradient of a one-draw estimate of the ELBO (fresh ε at every step, as SA-VAE),
 * and is kept only where it raises the image's ELBO estimated on a fixed set of `checkSamples` draws
 * (common random numbers: the same ε for every λ compared); where it would lower it, the step is undone
 * and the image's step size halved. Refinement therefore never lowers the per-image ELBO it starts from,
 * on the check draws, and the directions are not fitted to those draws. Whoever scores the refined λ_K
 * draws fresh samples.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random.js';
import type { Batch } from '../core/trainable.js';
import type { LocalLatentModel } from './latent.js';
import { localElbo, localElboAndGradient } from './local-elbo.js';

/** Check draws per image by default: enough that a kept step rarely lowers the ELBO on fresh draws. */
export const REFINE_CHECK_SAMPLES = 16;

export interface RefineOptions {
  /** K, the gradient steps per image. */
  steps: number;
  /** α, the first step size of every image. */
  lr: number;
  /** Samples of z per image for each step's gradient (fresh at every step). */
  samples: number;
  /** Samples of z per image on which each step is checked (drawn once for the whole refinement). */
  checkSamples: number;
  seed: number;
  training?: boolean;
}

/** One step as the backward pass needs it: where it started, its step sizes, which images kept it. */
export interface RefinementStep {
  base: tf.Tensor2D;
  /** The seed of the step's gradient draw. */
  seed: number;
  alpha: tf.Tensor1D;
  /** 1 where the step was kept, 0 where it was undone: [B]. */
  kept: tf.Tensor1D;
}

export interface Refinement {
  /** λ_K: [B, P]. */
  params: tf.Tensor2D;
  /** The ELBO per image at λ₀ and at λ_K, on the check draws. */
  start: Float32Array;
  end: Float32Array;
  moves: RefinementStep[];
}

const column = (v: tf.Tensor1D) => v.expandDims(1) as tf.Tensor2D;
/** Rows of `a` where mask is 1, of `b` where it is 0. */
const pick = <T extends tf.Tensor>(mask: tf.Tensor1D, a: T, b: T): T =>
  tf.where((a.rank === 1 ? mask : column(mask)).cast('bool'), a, b) as T;

/**
 * K guarded gradient-ascent steps on each image's ELBO from λ₀ (which has no history of its own). The
 * tensors of the result (λ_K and the steps' records) are the caller's to dispose; every other tensor made
 * on the way is freed.
 */
export function refinePosterior(
  model: LocalLatentModel,
  params0: tf.Tensor2D,
  batch: Batch,
  o: RefineOptions,
): Refinement {
  const counts = { steps: o.steps, samples: o.samples, checkSamples: o.checkSamples };
  for (const [name, v] of Object.entries(counts))
    if (!(Number.isInteger(v) && v >= (name === 'steps' ? 0 : 1)))
      throw new RangeError(
        `refinePosterior: ${name} must be a ${name === 'steps' ? 'non-negative' : 'positive'} integer, found ${v}`,
      );
  if (!(o.lr > 0 && Number.isFinite(o.lr)))
    throw new RangeError(`refinePosterior: lr must be positive, found ${o.lr}`);
  if (!Number.isFinite(o.seed))
    throw new RangeError(`refinePosterior: seed must be a finite number, found ${o.seed}`);
  // tf.tidy keeps the tensors inside the object it returns (its TensorContainer type does not list interfaces)
  const refine = (): Refinement => {
    const rng = new Rng(o.seed);
    const check = { k: o.checkSamples, seed: rng.seed(), training: o.training };
    const b = params0.shape[0];
    // a copy, so that λ_K is the caller's to dispose even when no step is taken
    let lambda = params0.clone();
    let alpha = tf.fill([b], o.lr) as tf.Tensor1D;
    let value = localElbo(model, lambda, batch, check);
    const start = value.dataSync().slice() as Float32Array;
    const moves: RefinementStep[] = [];
    for (let t = 0; t < o.steps; t++) {
      const seed = rng.seed();
      const { gradient } = localElboAndGradient(model, lambda, batch, { ...check, k: o.samples, seed });
      const next = lambda.add(gradient.mul(column(alpha))) as tf.Tensor2D;
      const nextValue = localElbo(model, next, batch, check);
      // NaN compares false: a step into overflow is undone like a step downhill
      const kept = nextValue.greaterEqual(value).cast('float32') as tf.Tensor1D;
      moves.push({ base: lambda, seed, alpha, kept });
      lambda = pick(kept, next, lambda);
      value = pick(kept, nextValue, value);
      alpha = pick(kept, alpha, alpha.mul(0.5) as tf.Tensor1D);
    }
    return { params: lambda, start, end: value.dataSync().slice() as Float32Array, moves };
  };
  return tf.tidy(refine as unknown as () => tf.TensorContainer) as unknown as Refinement;
}

/**
 * ∂ℓ/∂λ₀ from ∂ℓ/∂λ_K (`gradEnd`) through the kept steps: v ← v + α H(λ_t) v, where
 * H v ≈ [∇L(λ + h v̂) − ∇L(λ − h v̂)] ‖v‖ / 2h per image (v̂ = v/‖v‖, h = 10⁻³), on the step's own draw.
 */
export function backpropagateRefinement(
  model: LocalLatentModel,
  batch: Batch,
  r: Refinement,
  gradEnd: tf.Tensor2D,
  o: RefineOptions,
): tf.Tensor2D {
  const h = 1e-3;
  return tf.tidy(() => {
    let v = gradEnd;
    for (let t = r.moves.length - 1; t >= 0; t--) {
      const { base, seed, alpha, kept } = r.moves[t];
      const sampling = { k: o.samples, seed, training: o.training };
      const norm = v.norm('euclidean', 1, true).maximum(1e-30);
      const dir = v.div(norm).mul(h);
      const plus = localElboAndGradient(model, base.add(dir) as tf.Tensor2D, batch, sampling).gradient;
      const minus = localElboAndGradient(model, base.sub(dir) as tf.Tensor2D, batch, sampling).gradient;
      const hv = plus.sub(minus).mul(norm.div(2 * h));
      v = v.add(hv.mul(column(alpha.mul(kept) as tf.Tensor1D))) as tf.Tensor2D;
    }
    return v;
  });
}
