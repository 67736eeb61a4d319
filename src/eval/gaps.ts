/**
 * The inference gap of a VAE split in two (Cremer, Li & Duvenaud 2018, "Inference Suboptimality in
 * Variational Autoencoders"), per image:
 *   approximation gap = log p(x) − L[q*]      (what the posterior family cannot express),
 *   amortisation gap  = L[q*] − L[q_φ]        (what is lost because one encoder serves every x),
 * where q_φ is the posterior as the model infers it (the encoder's output, refined when the model refines)
 * and q* the best posterior of the same family for this image alone (optimal-posterior.ts). L[q*] and
 * L[q_φ] are estimated on the same draws of ε, so the two gaps add up to the total gap log p(x) − L[q_φ].
 * log p(x) is the larger of two estimates, compared by their means over the images: importance sampling
 * with q* as the proposal (whose expectation is at least L[q*], so the approximation gap comes out negative
 * only by sampling noise) and annealed importance sampling. Both are stochastic lower bounds, and the
 * larger is the tighter (choosing per image would favour whichever estimate's noise happened to be upward).
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../core/trainable.js';
import { type Dataset, firstOf } from '../data/dataset.js';
import { forEachBatch } from '../data/tensor-batches.js';
import type { LocalLatentModel } from '../objectives/latent.js';
import { localElbo } from '../objectives/local-elbo.js';
import { type AisEstimate, type AisOptions, annealedImportanceSampling } from './ais.js';
import { logAddExp } from './log-likelihood.js';
import { type OptimisePosteriorOptions, optimisePosterior } from './optimal-posterior.js';

export interface GapOptions {
  /** Importance samples per image for the IS estimate of log p(x), drawn from q* (0: AIS alone). */
  k: number;
  /** AIS settings; null: the IS estimate alone. */
  ais: Omit<AisOptions, 'seed' | 'onProgress'> | null;
  /** Samples of z per image for L[q*] and L[q_φ] (the same draws for both). */
  elboSamples: number;
  /** The local optimisation of q*. */
  optimise: Partial<OptimisePosteriorOptions>;
  /** Images optimised together. */
  batchSize: number;
  seed: number;
  /** Decoder rows per tensor op (memory bound). */
  rows: number;
  onProgress?(stage: string, done: number, total: number): void;
}

/** A mean over images with its standard error (sd / √n). */
export interface MeanWithError {
  mean: number;
  standardError: number;
}

export interface GapEstimate {
  images: number;
  /**
   * log p̂(x): importance sampling with q* as the proposal, AIS, and the one with the larger mean (used for
   * the gaps).
   */
  logLikelihood: {
    is: MeanWithError | null;
    ais: MeanWithError | null;
    best: MeanWithError;
    used: 'is' | 'ais';
  };
  /** L[q*] and L[q_φ], nats. */
  elboOptimal: MeanWithError;
  elboAmortised: MeanWithError;
  approximationGap: MeanWithError;
  amortisationGap: MeanWithError;
  /** log p̂(x) − L[q_φ]: the sum of the two. */
  totalGap: MeanWithError;
  /** Steps of the local optimisation, per batch of images, and how many batches converged. */
  optimisation: { steps: number[]; converged: number; batches: number };
  ais: Pick<AisEstimate, 'acceptance'> | null;
  perImage: {
    logLikelihood: number[];
    elboOptimal: number[];
    elboAmortised: number[];
    approximationGap: number[];
    amortisationGap: number[];
  };
  /** What makes these numbers doubtful (an estimate of log p(x) below L[q*], an AIS sampler that did not adapt). */
  warnings: string[];
  seconds: number;
}

/** AIS acceptance rates outside this range: the step sizes did not adapt (too few annealing steps). */
const ACCEPTANCE_RANGE = [0.4, 0.9];

/** What a gap estimate's warnings are made from. */
interface GapHealth {
  /** The approximation gap of each image (it cannot be negative: a negative one is an estimate of log p(x) too low). */
  approximationGap: number[];
  /** AIS's acceptance rate (NaN: no HMC move was made), or undefined without AIS. */
  acceptance: number | undefined;
  k: number;
  optimisation: { converged: number; batches: number };
}

const median = (sorted: number[]) => sorted[Math.floor((sorted.length - 1) / 2)];

/**
 * Whether the median lies more than two of its standard errors below 0, the spread taken from the median
 * absolute deviation (sd ≈ 1.4826 MAD; SE of a median ≈ 1.2533 sd / √n), which one wild value cannot inflate.
 */
function robustlyBelowZero(values: number[]): boolean {
  if (values.length < 2) return false;
  const m = median([...values].sort((a, b) => a - b));
  const mad = median(values.map((v) => Math.abs(v - m)).sort((a, b) => a - b));
  return m + 2 * ((1.2533 * 1.4826 * mad) / Math.sqrt(values.length)) < 0;
}

/**
 * Why a gap estimate should not be trusted as it stands, in words a user can act on. An estimate of log p(x)
 * too low shows as a negative approximation gap: on average beyond two standard errors (or at all, with one
 * image), or in the median beyond two of its robust standard errors (which one wild image cannot hide).
 */
function gapWarnings(h: GapHealth): string[] {
  const out: string[] = [];
  const { mean, standardError } = meanWithError(h.approximationGap);
  const negative = h.approximationGap.filter((g) => g < 0).length;
  const belowOnAverage = Number.isFinite(standardError) ? mean + 2 * standardError < 0 : mean < 0;
  if (belowOnAverage || robustlyBelowZero(h.approximationGap))
    out.push(
      `the estimate of log p(x) lies below L[q*] for ${negative} of ${h.approximationGap.length} images (approximation ` +
        `gap ${mean.toFixed(2)} nats on average, which cannot be negative): it is too low — raise ` +
        `${h.k > 0 ? '--k, ' : ''}--ais-steps or --ais-chains`,
    );
  const a = h.acceptance;
  if (a !== undefined && Number.isNaN(a))
    out.push(
      'AIS made no HMC move (one annealing step): its estimate is plain importance sampling from the prior — raise --ais-steps',
    );
  else if (a !== undefined && !(a >= ACCEPTANCE_RANGE[0] && a <= ACCEPTANCE_RANGE[1]))
    out.push(
      `AIS accepted ${(100 * a).toFixed(0)} % of its HMC moves (it aims at 65 %): its step sizes did not adapt — ` +
        'raise --ais-steps',
    );
  const { converged, batches } = h.optimisation;
  if (converged < batches)
    out.push(
      `the optimisation of q* stopped before converging in ${batches - converged} of ${batches} batches: L[q*] is ` +
        'understated (the amortisation gap too small, the approximation gap too large) — raise --gap-max-steps',
    );
  return out;
}

export function meanWithError(values: ArrayLike<number>): MeanWithError {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return { mean, standardError: n > 1 ? Math.sqrt(ss / (n - 1) / n) : Number.NaN };
}

/** L(λ; x) per image on `elboSamples` draws seeded by `seed`, in chunks of at most `rows` decoder rows. */
function elboInChunks(
  model: LocalLatentModel,
  params: tf.Tensor2D,
  x: tf.Tensor4D,
  labels: tf.Tensor1D | undefined,
  o: Pick<GapOptions, 'elboSamples' | 'rows'>,
  seed: number,
): number[] {
  const b = params.shape[0];
  const perOp = Math.max(1, Math.floor(o.rows / o.elboSamples));
  const out: number[] = [];
  for (let s = 0; s < b; s += perOp) {
    const n = Math.min(perOp, b - s);
    const values = tf.tidy(() => {
      const rows = (t: tf.Tensor) => t.slice(s, n);
      const batch = { x: rows(x) as tf.Tensor4D, labels: labels && (rows(labels) as tf.Tensor1D) };
      return localElbo(model, rows(params) as tf.Tensor2D, batch, { k: o.elboSamples, seed }).arraySync();
    });
    out.push(...values);
  }
  return out;
}

/**
 * log p̂(x) per image by importance sampling with q_λ as the proposal:
 *   log (1/k) Σ_i p(x|z_i) p(z_i) / q_λ(z_i|x),  z_i ~ q_λ,
 * one image at a time, its k draws in chunks of at most `rows`, combined by a running log-sum-exp.
 */
function importanceSampledAt(
  model: LocalLatentModel,
  params: tf.Tensor2D,
  batch: Batch,
  o: Pick<GapOptions, 'k' | 'rows'>,
  seed: number,
): number[] {
  const perChunk = Math.min(o.k, o.rows);
  return Array.from({ length: params.shape[0] }, (_, i) => {
    let sum = Number.NEGATIVE_INFINITY;
    for (let done = 0; done < o.k; done += perChunk) {
      const draws = Math.min(perChunk, o.k - done);
      const chunk = tf.tidy(() => {
        const row = <T extends tf.Tensor>(t: T) => t.slice(i, 1) as T;
        const one = { x: row(batch.x), labels: batch.labels && row(batch.labels) };
        const t = model.latentTermsAt(row(params), one, {
          k: draws,
          seed: seed + done + i * o.k,
          training: false,
        });
        return tf.logSumExp(t.logPx.add(tf.addN(t.groups.map((g) => g.logRatio())))).dataSync()[0];
      });
      sum = logAddExp(sum, chunk);
    }
    return sum - Math.log(o.k);
  });
}

/** Both gaps on the first `limit` images of `ds`. */
export function inferenceGaps(
  model: LocalLatentModel,
  ds: Dataset,
  limit: number,
  o: GapOptions,
): GapEstimate {
  const started = performance.now();
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1))
    throw new RangeError(`inferenceGaps: batchSize must be a positive integer, found ${o.batchSize}`);
  if (!(Number.isInteger(limit) && limit >= 1))
    throw new RangeError(`inferenceGaps: limit must be a positive integer, found ${limit}`);
  if (!(o.k > 0 || o.ais)) throw new RangeError('inferenceGaps: give k > 0 or AIS settings');
  for (const [name, v, least] of [
    ['k', o.k, 0],
    ['elboSamples', o.elboSamples, 1],
    ['rows', o.rows, 1],
  ] as const)
    if (!(Number.isInteger(v) && v >= least))
      throw new RangeError(`inferenceGaps: ${name} must be an integer ≥ ${least}, found ${v}`);
  if (ds.count < 1) throw new RangeError(`inferenceGaps: ${ds.name} has no images`);
  const n = Math.min(limit, ds.count);
  const data = firstOf(ds, n);
  const elboOptimal: number[] = [];
  const elboAmortised: number[] = [];
  const is: number[] = [];
  const steps: number[] = [];
  let converged = 0;
  forEachBatch(data, o.batchSize, (batch, start, count) => {
    const seed = o.seed + start;
    const amortised = model.inferenceParams(batch, seed);
    const best = optimisePosterior(model, amortised, batch, { ...o.optimise, seed });
    steps.push(best.steps);
    if (best.converged) converged++;
    // the same draws of ε for both, so that L[q*] − L[q_φ] is not buried in sampling noise
    elboOptimal.push(...elboInChunks(model, best.params, batch.x, batch.labels, o, seed + 1));
    elboAmortised.push(...elboInChunks(model, amortised, batch.x, batch.labels, o, seed + 1));
    if (o.k > 0) is.push(...importanceSampledAt(model, best.params, batch, o, seed + 2));
    best.params.dispose();
    o.onProgress?.('optimal posterior q*', start + count, n);
  });
  const ais = o.ais
    ? annealedImportanceSampling(model, data, {
        ...o.ais,
        seed: o.seed,
        rows: o.rows,
        onProgress: (done, total) => o.onProgress?.('log p(x), AIS', done, total),
      })
    : null;
  const estimates = [
    { used: 'is' as const, values: o.k > 0 ? is : null },
    { used: 'ais' as const, values: ais?.perImage ?? null },
  ].flatMap((e) =>
    e.values ? [{ used: e.used, values: e.values, mean: meanWithError(e.values).mean }] : [],
  );
  // the estimator with the larger mean, for every image: a per-image maximum would pick up the noise; a
  // non-finite estimate (a model that overflows) is chosen only when no estimate is finite
  const finite = estimates.filter((e) => Number.isFinite(e.mean));
  const chosen = (finite.length ? finite : estimates).reduce((a, e) => (e.mean > a.mean ? e : a));
  const logLikelihood = Array.from(chosen.values);
  const approximationGap = logLikelihood.map((l, i) => l - elboOptimal[i]);
  const amortisationGap = elboOptimal.map((l, i) => l - elboAmortised[i]);
  return {
    images: n,
    logLikelihood: {
      is: o.k > 0 ? meanWithError(is) : null,
      ais: ais && meanWithError(ais.perImage),
      best: meanWithError(logLikelihood),
      used: chosen.used,
    },
    elboOptimal: meanWithError(elboOptimal),
    elboAmortised: meanWithError(elboAmortised),
    approximationGap: meanWithError(approximationGap),
    amortisationGap: meanWithError(amortisationGap),
    totalGap: meanWithError(logLikelihood.map((l, i) => l - elboAmortised[i])),
    optimisation: { steps, converged, batches: steps.length },
    ais: ais && { acceptance: ais.acceptance },
    perImage: { logLikelihood, elboOptimal, elboAmortised, approximationGap, amortisationGap },
    warnings: gapWarnings({
      approximationGap,
      acceptance: ais?.acceptance,
      k: o.k,
      optimisation: { converged, batches: steps.length },
    }),
    seconds: (performance.now() - started) / 1000,
  };
}
