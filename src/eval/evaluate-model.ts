/**
 * Every honest number about one trained model on its test images: the ELBO, the k-sample IWAE bound and
 * the importance-sampled log-likelihood (so the gap is visible), posterior-collapse diagnostics, and
 * sample quality in a classifier's feature space.
 */
import { type Dataset, firstOf } from '../data/dataset.js';
import {
  asGaussianLatent,
  asLikelihoodModel,
  type GenerativeModel,
  metricLabel,
  metricSpec,
} from '../models/model.js';
import { evaluateDataset } from '../train/evaluate.js';
import type { Classifier, ClassifierInfo } from './classifier.js';
import { type LatentDiagnostics, latentDiagnostics } from './latent.js';
import { importanceSampledLogLikelihood } from './log-likelihood.js';
import { type SampleQuality, sampleQuality } from './sample-quality.js';

export interface ModelEvalOptions {
  /** Importance samples per image for the log-likelihood estimate (0: skip). */
  k: number;
  /** k of the reported IWAE bound (0: skip). */
  iwaeK: number;
  /** Only the first `limit` test images for the ELBO, the bounds and the latent diagnostics. */
  limit?: number;
  /** Generated images scored by the classifier metrics. */
  samples: number;
  seed: number;
  /** Decoder rows per tensor op in importance sampling (memory bound). */
  rows?: number;
  /** Images per batch of the ELBO and of the samples for sample quality (default 500). */
  batchSize?: number;
  /** The feature classifier for sample quality, and the un-binarised test images to compare with; none: skipped. */
  quality?: { classifier: Classifier; info: ClassifierInfo; dir: string; real: Dataset } | null;
  onProgress?(stage: string, done: number, total: number): void;
}

export interface BoundEstimate {
  k: number;
  /** −(bound) in nats per image, and in bits per dimension. */
  nll: number;
  bitsPerDim: number;
  seconds: number;
}

export interface ModelEvaluation {
  testImages: number;
  /**
   * The model's bound on −log p(x) (−log p(x|y) for a conditional model) from `elbo`, by its declared
   * name, with the declared terms it is made of; null for a model without a likelihood (a GAN).
   */
  bound: { label: string; nats: number; bitsPerDim: number; terms: { label: string; nats: number }[] } | null;
  /** The likelihoods are of x given its class label (a conditional model): −log p(x|y). */
  conditional: boolean;
  /**
   * The model's own test metrics (Trainable.evalBatch, as its capabilities declare them): for likelihood
   * models the −ELBO (`loss`; one posterior sample per image, KL in closed form, or estimated at that
   * sample for a flow posterior), `recon`, `kl`, and `bitsPerDim` of the bound; GANs their critic's scores.
   */
  elbo: Record<string, number>;
  /** −log p̂(x) with k importance samples (null for models without a likelihood). */
  importanceSampled: BoundEstimate | null;
  /** −L_k, the IWAE bound with `iwaeK` samples. */
  iwae: BoundEstimate | null;
  /** Posterior-collapse diagnostics (models with one latent layer). */
  latent: LatentDiagnostics | null;
  sampleQuality: (SampleQuality & { classifier: string; classifierTestAccuracy: number }) | null;
}

export function evaluateModel(
  model: GenerativeModel,
  test: Dataset,
  opts: ModelEvalOptions,
): ModelEvaluation {
  const n = Math.min(opts.limit ?? test.count, test.count);
  const ds = firstOf(test, n);
  const elbo = evaluateDataset(model, ds, opts.seed, opts.batchSize);
  const likelihood = asLikelihoodModel(model);
  const bound = (k: number, stage: string): BoundEstimate | null => {
    if (k <= 0 || !likelihood) return null;
    const started = performance.now();
    const est = importanceSampledLogLikelihood(likelihood, ds, {
      k,
      seed: opts.seed,
      rows: opts.rows,
      onProgress: (done, total) => opts.onProgress?.(stage, done, total),
    });
    return { k, nll: est.nll, bitsPerDim: est.bitsPerDim, seconds: (performance.now() - started) / 1000 };
  };
  const iwae = bound(opts.iwaeK, `IWAE bound, k = ${opts.iwaeK}`);
  const importanceSampled = bound(opts.k, `log p(x), k = ${opts.k}`);
  const gaussian = asGaussianLatent(model);
  const latent = gaussian ? latentDiagnostics(gaussian, ds, { seed: opts.seed }) : null;
  let quality: ModelEvaluation['sampleQuality'] = null;
  if (opts.quality && opts.samples > 0) {
    opts.onProgress?.('sample quality', 0, 1);
    const q = sampleQuality(model, opts.quality.classifier, opts.quality.real, {
      samples: opts.samples,
      seed: opts.seed,
      batchSize: opts.batchSize,
    });
    quality = { ...q, classifier: opts.quality.dir, classifierTestAccuracy: opts.quality.info.testAccuracy };
    opts.onProgress?.('sample quality', 1, 1);
  }
  const caps = model.capabilities;
  const nats = (name: string) => metricSpec(caps, name)?.unit === 'nats';
  const boundValue =
    caps.bound === undefined
      ? null
      : {
          label: metricLabel(caps, caps.bound),
          nats: elbo[caps.bound],
          bitsPerDim: elbo.bitsPerDim,
          terms: Object.keys(elbo)
            .filter((k) => k !== caps.bound && metricSpec(caps, k)?.role === 'term' && nats(k))
            .map((k) => ({ label: metricLabel(caps, k), nats: elbo[k] })),
        };
  return {
    testImages: n,
    bound: boundValue,
    conditional: caps.conditional,
    elbo,
    importanceSampled,
    iwae,
    latent,
    sampleQuality: quality,
  };
}
