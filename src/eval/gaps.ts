/**
 * The inference gap of a VAE split in two (Cremer, Li & Duvenaud 2018, "Inference Suboptimality in
 * Variational Autoencoders"), per image:
 *   approximation gap = log p(x) − L[q*]      (what the posterior family cannot express),
 *   amortisation gap  = L[q*] − L[q_φ]        (what is lost because one encoder serves every x),
 * where q_φ is the posterior as the model infers it (the encoder's output, refined when the model refines)
 * and q* the best posterior of the same family for this image alone (optimal-posterior.ts). L[q*] and
 * L[q_φ] are estimated on the same draws of ε, so the two gaps add up to the total gap log p(x) − L[q_φ].
 * log p(x) is the larger of the importance-sampled estimate (q_φ as proposal) and annealed importance
 * sampling, compared by their means over the images: both are stochastic lower bounds, and the larger is
 * the tighter (choosing per image would favour whichever estimate's noise happened to be upward).
 */
import * as tf from '@tensorflow/tfjs';
import { type Dataset, subset } from '../data/dataset.js';
import { forEachBatch } from '../data/tensor-batches.js';
import type { LocalLatentModel } from '../objectives/latent.js';
import { localElbo } from '../objectives/local-elbo.js';
import { type AisEstimate, type AisOptions, annealedImportanceSampling } from './ais.js';
import { importanceSampledLogLikelihood } from './log-likelihood.js';
import { type OptimisePosteriorOptions, optimisePosterior } from './optimal-posterior.js';

export interface GapOptions {
  /** Importance samples per image for the IS estimate of log p(x) (0: AIS alone). */
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
  /** log p̂(x): the IS estimate, the AIS estimate, and the one with the larger mean (used for the gaps). */
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
  seconds: number;
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

/** Both gaps on the first `limit` images of `ds`. */
export function inferenceGaps(
  model: LocalLatentModel,
  ds: Dataset,
  limit: number,
  o: GapOptions,
): GapEstimate {
  const started = performance.now();
  const n = Math.min(limit, ds.count);
  const data =
    n < ds.count
      ? subset(
          ds,
          Int32Array.from({ length: n }, (_, i) => i),
        )
      : ds;
  const elboOptimal: number[] = [];
  const elboAmortised: number[] = [];
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
    best.params.dispose();
    o.onProgress?.('optimal posterior q*', start + count, n);
  });
  const is =
    o.k > 0
      ? importanceSampledLogLikelihood(model, data, {
          k: o.k,
          seed: o.seed,
          rows: o.rows,
          onProgress: (done, total) => o.onProgress?.(`log p(x), IS k = ${o.k}`, done, total),
        }).perImage
      : null;
  const ais = o.ais
    ? annealedImportanceSampling(model, data, {
        ...o.ais,
        seed: o.seed,
        rows: o.rows,
        onProgress: (done, total) => o.onProgress?.('log p(x), AIS', done, total),
      })
    : null;
  const estimates = [
    { used: 'is' as const, values: is },
    { used: 'ais' as const, values: ais?.perImage ?? null },
  ].flatMap((e) =>
    e.values ? [{ used: e.used, values: e.values, mean: meanWithError(e.values).mean }] : [],
  );
  if (estimates.length === 0) throw new RangeError('inferenceGaps: give k > 0 or AIS settings');
  // the estimator with the larger mean, for every image: a per-image maximum would pick up the noise
  const chosen = estimates.reduce((a, e) => (e.mean > a.mean ? e : a));
  const logLikelihood = Array.from(chosen.values);
  const approximationGap = logLikelihood.map((l, i) => l - elboOptimal[i]);
  const amortisationGap = elboOptimal.map((l, i) => l - elboAmortised[i]);
  return {
    images: n,
    logLikelihood: {
      is: is && meanWithError(is),
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
    seconds: (performance.now() - started) / 1000,
  };
}
