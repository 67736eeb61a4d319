/**
 * Annealed importance sampling (Neal 2001) with Hamiltonian Monte Carlo transitions: the estimate of
 * log p(x) that Wu et al. (2017) use for decoder-based models and Cremer et al. (2018) use to measure the
 * approximation gap, because it does not lean on q(z|x) (importance sampling with q as the proposal is
 * itself a bound that shrinks the gap when q is poor).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, tfSeed } from '../core/random.js';
import type { Batch } from '../core/trainable.js';
import { type Dataset, imageSize } from '../data/dataset.js';
import { toBatch } from '../data/tensor-batches.js';
import { standardNormalLogProb } from '../distributions/index.js';
import { type LocalLatentModel, repeatRows } from '../objectives/latent.js';
import { bitsPerDim } from '../train/evaluate.js';

export interface AisOptions {
  /** Annealing steps T (intermediate densities); default 500. */
  steps?: number;
  /** Leapfrog steps L per HMC transition; default 10. */
  leapfrog?: number;
  /** Independent chains C per image; default 16. */
  chains?: number;
  seed?: number;
  /** Only the first `limit` images of the dataset. */
  limit?: number;
  /**
   * Most rows (chains × images) in one tensor op: C ≥ rows runs one image at a time, its chains in groups
   * of `rows`; C < rows runs ⌊rows / C⌋ images at once. Default 5000.
   */
  rows?: number;
  /** Every chain's HMC step size at the start, before adaptation; default 0.1. */
  initialStepSize?: number;
  /** Called after each group of images with the images finished so far. */
  onProgress?(done: number, total: number): void;
}

export interface AisEstimate {
  steps: number;
  leapfrog: number;
  chains: number;
  count: number;
  /** log p̂(x) per image, nats. */
  perImage: Float64Array;
  /** Mean of −log p̂(x), nats per image, and the same in bits per dimension. */
  nll: number;
  bitsPerDim: number;
  /** Share of all HMC proposals accepted (the step sizes aim at 0.65); NaN when T = 1 (no transition). */
  acceptance: number;
  /** The chains' step sizes at the end of the annealing. */
  stepSize: { min: number; mean: number; max: number };
}

/** What AIS needs of a model: z's dimension (p(z) = N(0, I)) and log p(x|z). */
export type AisModel = Pick<LocalLatentModel, 'latentDim' | 'logLikelihood'>;

/** Step-size adaptation of Wu et al.'s code, per chain. */
const TARGET_ACCEPTANCE = 0.65;
const STEP_UP = 1.02;
const STEP_DOWN = 0.98;
const STEP_MIN = 1e-4;
const STEP_MAX = 0.5;
/** Weight of the past in each chain's running acceptance rate. */
const SLOWNESS = 0.9;

/**
 * The inverse temperatures 0 = β_0 < … < β_T = 1 of Wu et al. (2017): β̃_t = σ(δ(2t/T − 1)), δ = 4,
 * rescaled so that β_0 = 0 and β_T = 1 (small steps near both ends, where log f_t changes fastest).
 */
export function sigmoidSchedule(steps: number, delta = 4): Float64Array {
  const sigmoid = (t: number) => 1 / (1 + Math.exp(-delta * ((2 * t) / steps - 1)));
  const lo = sigmoid(0);
  const hi = sigmoid(steps);
  return Float64Array.from({ length: steps + 1 }, (_, t) => (sigmoid(t) - lo) / (hi - lo));
}

/** The state of every chain (one row each): z, log p(x|z) and ∇_z log p(x|z) there, the sampler's settings. */
type Chains = {
  z: tf.Tensor2D;
  logLik: tf.Tensor1D;
  grad: tf.Tensor2D;
  /** Log importance weight so far. */
  logW: tf.Tensor1D;
  stepSize: tf.Tensor1D;
  /** Running acceptance rate a ← SLOWNESS·a + (1 − SLOWNESS)·accepted. */
  rate: tf.Tensor1D;
  /** Proposals accepted so far. */
  accepted: tf.Scalar;
};

/** log p(x|z) per row and its gradient with respect to z. */
type Evaluate = (z: tf.Tensor2D) => { value: tf.Tensor1D; grad: tf.Tensor2D };

/** log f_β(z) = log p(z) + β log p(x|z), and its gradient −z + β ∇ log p(x|z). */
const logTarget = (z: tf.Tensor2D, logLik: tf.Tensor1D, beta: number) =>
  standardNormalLogProb(z).add(logLik.mul(beta));
const gradLogTarget = (z: tf.Tensor2D, grad: tf.Tensor2D, beta: number) => grad.mul(beta).sub(z);

/**
 * One HMC transition per chain that leaves f_β invariant: momentum p ~ N(0, I), L leapfrog steps of the
 * chain's step size ε, then Metropolis: accept with probability min(1, exp(H − H')), H = −log f_β(z) + ½|p|².
 * Each chain's ε then moves ×1.02 or ×0.98 as its running acceptance rate is above or below 0.65.
 */
function hmcTransition(c: Chains, beta: number, leapfrog: number, evaluate: Evaluate, rng: Rng): Chains {
  const [rows, m] = c.z.shape;
  const eps = c.stepSize.expandDims(1);
  const p0 = tf.randomNormal<tf.Rank.R2>([rows, m], 0, 1, 'float32', tfSeed(rng.seed()));
  let z = c.z;
  let at = { value: c.logLik, grad: c.grad };
  let p = p0.add(eps.mul(gradLogTarget(z, at.grad, beta)).mul(0.5));
  for (let l = 1; l <= leapfrog; l++) {
    z = z.add(eps.mul(p));
    at = evaluate(z);
    p = p.add(eps.mul(gradLogTarget(z, at.grad, beta)).mul(l === leapfrog ? 0.5 : 1));
  }
  const kinetic = (q: tf.Tensor) => q.square().sum(1).mul(0.5);
  const logRatio = logTarget(z, at.value, beta)
    .sub(kinetic(p))
    .sub(logTarget(c.z, c.logLik, beta).sub(kinetic(p0)));
  // a proposal with a non-finite log-ratio (NaN compares false) is rejected
  const u = tf.randomUniform([rows], 0, 1, 'float32', tfSeed(rng.seed()));
  const accept = tf.less(u.log(), logRatio);
  const accepted = tf.cast(accept, 'float32');
  const rate = c.rate.mul(SLOWNESS).add<tf.Tensor1D>(accepted.mul(1 - SLOWNESS));
  return {
    z: tf.where(accept.expandDims(1), z, c.z),
    logLik: tf.where(accept, at.value, c.logLik) as tf.Tensor1D,
    grad: tf.where(accept.expandDims(1), at.grad, c.grad),
    logW: c.logW,
    stepSize: tf
      .where(tf.greater(rate, TARGET_ACCEPTANCE), c.stepSize.mul(STEP_UP), c.stepSize.mul(STEP_DOWN))
      .clipByValue(STEP_MIN, STEP_MAX) as tf.Tensor1D,
    rate,
    accepted: c.accepted.add(accepted.sum()),
  };
}

interface ChunkSettings {
  schedule: Float64Array;
  leapfrog: number;
  initialStepSize: number;
}

/**
 * AIS for `chains` chains of each image of `batch` (rows sample-major: row r belongs to image r mod B),
 * started from the prior; for t = 1 … T: log w += (β_t − β_{t−1}) log p(x|z), then (t < T) one HMC
 * transition for f_t. Returns each row's log w, the proposals accepted and the final step sizes.
 * Adapting ε from a chain's own past keeps log w valid: each transition still leaves its f_t invariant.
 */
function annealChunk(model: AisModel, batch: Batch, chains: number, s: ChunkSettings, rng: Rng) {
  const rows = chains * batch.x.shape[0];
  const tiledX = repeatRows(batch.x, chains);
  const evaluate = tf.valueAndGrad((z: tf.Tensor2D) => model.logLikelihood(z, batch, tiledX)) as Evaluate;
  let c: Chains = tf.tidy(() => {
    const z = tf.randomNormal<tf.Rank.R2>([rows, model.latentDim], 0, 1, 'float32', tfSeed(rng.seed()));
    const { value, grad } = evaluate(z);
    return {
      z,
      logLik: value,
      grad,
      logW: tf.zeros<tf.Rank.R1>([rows]),
      stepSize: tf.fill<tf.Rank.R1>([rows], s.initialStepSize),
      rate: tf.fill<tf.Rank.R1>([rows], TARGET_ACCEPTANCE),
      accepted: tf.scalar(0),
    };
  });
  const steps = s.schedule.length - 1;
  for (let t = 1; t <= steps; t++) {
    const beta = s.schedule[t];
    const next = tf.tidy(() => {
      const weighted = { ...c, logW: c.logW.add<tf.Tensor1D>(c.logLik.mul(beta - s.schedule[t - 1])) };
      return t < steps ? hmcTransition(weighted, beta, s.leapfrog, evaluate, rng) : weighted;
    });
    // keep what the step carried over unchanged (logW at the last step), free the rest
    const carried = new Set(Object.values(next));
    tf.dispose(Object.values(c).filter((v) => !carried.has(v)));
    c = next;
  }
  const out = {
    logW: c.logW.dataSync() as Float32Array,
    accepted: c.accepted.dataSync()[0],
    stepSize: c.stepSize.dataSync() as Float32Array,
  };
  tf.dispose([...Object.values(c), tiledX]);
  return out;
}

/** log (1/n) Σ_i exp(a_i), stable: the largest a_i is taken out first. */
function logMeanExp(a: Float64Array): number {
  const max = a.reduce((m, v) => Math.max(m, v), Number.NEGATIVE_INFINITY);
  if (!Number.isFinite(max)) return max;
  return max + Math.log(a.reduce((sum, v) => sum + Math.exp(v - max), 0) / a.length);
}

/**
 * The AIS estimate of log p(x) per image: log p̂(x) = log (1/C) Σ_c w_c over C independent chains,
 * w_c = Π_t f_t(z_{t−1}) / f_{t−1}(z_{t−1}) with f_t(z) = p(z) p(x|z)^{β_t} (sigmoid schedule), an unbiased
 * estimate of p(x), so log p̂(x) ≤ log p(x) in expectation and tends to it as T grows. Costs per image
 * C·((T − 1)·L + 1) decoder evaluations with gradients.
 */
export function annealedImportanceSampling(model: AisModel, ds: Dataset, opts: AisOptions = {}): AisEstimate {
  const { steps = 500, leapfrog = 10, chains = 16, initialStepSize = 0.1 } = opts;
  for (const [name, v] of Object.entries({ steps, leapfrog, chains })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, found ${v}`);
  }
  const n = Math.min(opts.limit ?? ds.count, ds.count);
  const rows = opts.rows ?? 5000;
  const perChunk = Math.min(chains, rows);
  const imagesPerOp = Math.max(1, Math.floor(rows / perChunk));
  const size = imageSize(ds);
  const settings = { schedule: sigmoidSchedule(steps), leapfrog, initialStepSize };
  const rng = new Rng(opts.seed ?? 0);
  // chain c of image i at i·C + c
  const logW = new Float64Array(n * chains);
  const stepSizes = new Float64Array(n * chains);
  let accepted = 0;
  for (let start = 0; start < n; start += imagesPerOp) {
    const b = Math.min(imagesPerOp, n - start);
    const images = ds.images.subarray(start * size, (start + b) * size);
    const batch = toBatch(images, b, ds.shape, ds.labels?.subarray(start, start + b));
    for (let first = 0; first < chains; first += perChunk) {
      const r = annealChunk(model, batch, Math.min(perChunk, chains - first), settings, rng);
      r.logW.forEach((w, row) => {
        // row = c·b + i (sample-major)
        const at = (start + (row % b)) * chains + first + Math.floor(row / b);
        logW[at] = w;
        stepSizes[at] = r.stepSize[row];
      });
      accepted += r.accepted;
    }
    tf.dispose(Object.values(batch));
    opts.onProgress?.(start + b, n);
  }
  const perImage = Float64Array.from({ length: n }, (_, i) =>
    logMeanExp(logW.subarray(i * chains, (i + 1) * chains)),
  );
  const nll = -perImage.reduce((sum, v) => sum + v, 0) / n;
  return {
    steps,
    leapfrog,
    chains,
    count: n,
    perImage,
    nll,
    bitsPerDim: bitsPerDim(nll, size),
    acceptance: steps > 1 ? accepted / ((steps - 1) * chains * n) : Number.NaN,
    stepSize: {
      min: stepSizes.reduce((a, v) => Math.min(a, v)),
      mean: stepSizes.reduce((a, v) => a + v) / stepSizes.length,
      max: stepSizes.reduce((a, v) => Math.max(a, v)),
    },
  };
}
