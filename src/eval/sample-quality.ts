import { InputError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import { type Dataset, imageSize } from '../data/dataset.js';
import { asConditional, type GenerativeModel } from '../models/model.js';
import type { Classifier } from './classifier.js';
import { featureStats, frechetDistance } from './frechet.js';
import { type PrecisionRecall, precisionRecall } from './precision-recall.js';

export interface SampleQuality {
  /**
   * Fréchet distance d² between Gaussians fitted to the classifier features of real test images and of
   * generated samples. Like FID, but in our small classifier's feature space: compare numbers only
   * between models scored with the same classifier, never with published FIDs.
   */
  frechetDistance: number;
  /** k-NN precision and recall (Kynkäänniemi et al. 2019) on the same features, `prCount` images a side. */
  precisionRecall: PrecisionRecall;
  prCount: number;
  realCount: number;
  sampleCount: number;
  featureDim: number;
}

/**
 * `count` samples from the prior, drawn in batches: flat NHWC values. A conditional model draws sample i
 * of class `labels[i mod labels.length]` (the real data's labels, so the classes come in its proportions),
 * or of class i mod its number of classes.
 */
export function drawSamples(
  model: GenerativeModel,
  count: number,
  seed: number,
  opts: { labels?: Int32Array; batchSize?: number } = {},
): Float32Array {
  const size = imageSize({ shape: model.inputShape });
  const out = new Float32Array(count * size);
  const rng = new Rng(seed);
  const batchSize = opts.batchSize ?? 500;
  const conditional = asConditional(model);
  const labelOf = (i: number) =>
    opts.labels?.length ? opts.labels[i % opts.labels.length] : i % (conditional?.classes ?? 1);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const labels = conditional ? Int32Array.from({ length: n }, (_, i) => labelOf(start + i)) : undefined;
    const images = model.sample(n, rng.seed(), { labels });
    out.set(images.dataSync(), start * size);
    images.dispose();
  }
  return out;
}

/**
 * Scores `samples` generated images against the images of `real`: Fréchet distance on all of them,
 * precision/recall on the first min(real, samples) of each (the metric assumes equal sizes).
 */
export function sampleQuality(
  model: GenerativeModel,
  classifier: Classifier,
  real: Dataset,
  opts: { samples: number; seed: number; k?: number; batchSize?: number },
): SampleQuality {
  const [h, w, c] = model.inputShape;
  const [ch, cw, cc] = classifier.inputShape;
  if (h !== ch || w !== cw || c !== cc) {
    throw new InputError({
      where: 'classifier',
      expected: `a classifier of ${h}×${w}×${c} images (the model's)`,
      found: `one of ${ch}×${cw}×${cc} images`,
      hint:
        `train one at the run's size (vaekit train-classifier --dataset <data> --image-size ${h} --channels ${c} ` +
        '-o <dir>) and pass --classifier <dir>, or skip sample quality (eval --no-quality)',
    });
  }
  const d = classifier.featureDim;
  const realF = classifier.featuresOf(real.images, real.count);
  const samples = drawSamples(model, opts.samples, opts.seed, {
    labels: real.labels,
    batchSize: opts.batchSize,
  });
  const fakeF = classifier.featuresOf(samples, opts.samples);
  const fd = frechetDistance(featureStats(realF, real.count, d), featureStats(fakeF, opts.samples, d));
  const prCount = Math.min(real.count, opts.samples);
  const pr = precisionRecall(realF.subarray(0, prCount * d), fakeF.subarray(0, prCount * d), d, opts.k ?? 3);
  return {
    frechetDistance: fd,
    precisionRecall: pr,
    prCount,
    realCount: real.count,
    sampleCount: opts.samples,
    featureDim: d,
  };
}
