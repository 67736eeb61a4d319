/**
 * A small MLP image classifier whose penultimate-layer activations serve as the feature space of the
 * sample-quality metrics (Fréchet distance, precision/recall) — our stand-in for Inception features,
 * trained on the dataset itself in a minute, cached on disk.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { createOptimizer } from '../backend/index.js';
import { InputError, NumericalError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import { batches } from '../data/batches.js';
import type { Dataset, DatasetSplit } from '../data/dataset.js';
import { forEachBatch } from '../data/tensor-batches.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { findCheckpoint, loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import { buildEncoder, type ImageShape } from '../nn/networks.js';
import { gradientStep } from '../train/step.js';

export const classifierConfigSchema = z.strictObject({
  /** Hidden layer sizes; the last one is the feature space. */
  hidden: z.array(z.number().int().positive()).min(1).default([256, 64]),
  epochs: z.number().int().positive().default(10),
  batchSize: z.number().int().positive().default(128),
  learningRate: z.number().positive().default(1e-3),
  seed: z.number().int().min(0).default(0),
});
export type ClassifierConfig = z.infer<typeof classifierConfigSchema>;

/** What `classifier.json` records next to the weights. */
export interface ClassifierInfo {
  format: 1;
  dataset: string;
  inputShape: ImageShape;
  classes: number;
  config: ClassifierConfig;
  testAccuracy: number;
  featureDim: number;
}

/** Where `vaekit train-classifier --dataset <name>` caches its classifier by default. */
export function defaultClassifierDir(dataset: string): string {
  const last = dataset.split(/[\\/]/).filter(Boolean).pop() ?? '';
  const name = last === '.' || last === '..' || last === '' ? 'data' : last;
  return join('.cache', 'classifiers', name);
}

export class Classifier {
  /** flatten → dense(hidden…, relu) → dense(classes): logits. */
  readonly network: tf.Sequential;

  constructor(
    readonly config: ClassifierConfig,
    readonly inputShape: ImageShape,
    readonly classes: number,
  ) {
    const spec = { type: 'mlp' as const, hidden: config.hidden };
    this.network = buildEncoder(spec, inputShape, classes, new Rng(config.seed), 'clf');
  }

  get featureDim(): number {
    return this.config.hidden[this.config.hidden.length - 1];
  }

  logits(x: tf.Tensor, training = false): tf.Tensor2D {
    return this.network.apply(x, { training }) as tf.Tensor2D;
  }

  /** The last hidden layer's activations (all layers but the output layer): [B, featureDim]. */
  features(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x;
      for (const layer of this.network.layers.slice(0, -1)) h = layer.apply(h) as tf.Tensor;
      return h as tf.Tensor2D;
    });
  }

  /** Features of `count` images (NHWC values), in batches: a flat [count, featureDim] array. */
  featuresOf(images: Float32Array, count: number, batchSize = 500): Float32Array {
    const out = new Float32Array(count * this.featureDim);
    const ds: Dataset = { name: 'images', shape: this.inputShape, count, images };
    forEachBatch(ds, batchSize, ({ x }, start) =>
      out.set(this.features(x).dataSync(), start * this.featureDim),
    );
    return out;
  }

  /** Share of `ds` classified correctly. */
  accuracy(ds: Dataset, batchSize = 500): number {
    const labels = requireLabels(ds);
    let correct = 0;
    forEachBatch(ds, batchSize, ({ x }, start, n) => {
      const predicted = this.logits(x).argMax(1).dataSync();
      for (let i = 0; i < n; i++) if (predicted[i] === labels[start + i]) correct++;
    });
    return correct / ds.count;
  }

  dispose(): void {
    this.network.dispose();
  }
}

function requireLabels(ds: Dataset): Int32Array {
  if (!ds.labels) {
    throw new InputError({
      where: `dataset ${ds.name}`,
      expected: 'images with class labels (to train the feature classifier)',
      found: 'no labels',
      hint: 'an IDX directory needs its labels files; an image folder needs class subfolders',
    });
  }
  return ds.labels;
}

/**
 * Trains a classifier on `data.train` with Adam on the softmax cross-entropy, seeded batches,
 * the same NaN-guarded step as every model; reports each epoch's test accuracy.
 */
export function trainClassifier(
  data: DatasetSplit,
  config: ClassifierConfig,
  onEpoch?: (epoch: number, trainLoss: number, testAccuracy: number) => void,
): { classifier: Classifier; testAccuracy: number } {
  const labels = requireLabels(data.train);
  requireLabels(data.test);
  const classes = Math.max(...labels) + 1;
  const classifier = new Classifier(config, data.train.shape, classes);
  const vars = classifier.network.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = createOptimizer({
    kind: 'adam',
    learningRate: config.learningRate,
    beta1: 0.9,
    beta2: 0.999,
  });
  const rng = new Rng(config.seed);
  let testAccuracy = 0;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    let lossSum = 0;
    let steps = 0;
    for (const batch of batches(data.train, Math.min(config.batchSize, data.train.count), rng)) {
      const x = tf.tensor4d(batch.x, [batch.size, ...data.train.shape]);
      const y = tf.oneHot(tf.tensor1d(batch.labels!, 'int32'), classes);
      const r = gradientStep(optimizer, vars, () => {
        const loss = tf.losses.softmaxCrossEntropy(y, classifier.logits(x, true)) as tf.Scalar;
        return { loss, metrics: { loss } };
      });
      tf.dispose([x, y]);
      if (r.finite) {
        lossSum += r.metrics.loss;
        steps++;
      }
    }
    if (steps === 0) {
      optimizer.dispose();
      classifier.dispose();
      throw new NumericalError(
        `epoch ${epoch} of the classifier: every step had a non-finite loss or gradient and was skipped ` +
          '(non-finite pixels in the data?); nothing was written',
      );
    }
    testAccuracy = classifier.accuracy(data.test);
    onEpoch?.(epoch, lossSum / steps, testAccuracy);
  }
  optimizer.dispose();
  return { classifier, testAccuracy };
}

/** Writes the classifier's weights (a checkpoint) and `classifier.json` into `dir`. */
export async function saveClassifier(
  dir: string,
  classifier: Classifier,
  info: Omit<ClassifierInfo, 'format' | 'inputShape' | 'classes' | 'config' | 'featureDim'>,
): Promise<void> {
  const weights = classifier.network.weights.map((w, i) => ({ name: `clf/${i}`, tensor: w.read() }));
  await saveCheckpoint(join(dir, 'checkpoints'), 0, { weights, optimizers: {}, state: {} }, { keep: 1 });
  const full: ClassifierInfo = {
    format: 1,
    ...info,
    inputShape: classifier.inputShape,
    classes: classifier.classes,
    config: classifier.config,
    featureDim: classifier.featureDim,
  };
  writeJsonAtomic(join(dir, 'classifier.json'), full);
}

/** Loads a classifier written by `saveClassifier` (or `vaekit train-classifier`). */
export function loadClassifier(dir: string): { classifier: Classifier; info: ClassifierInfo } {
  const infoPath = join(dir, 'classifier.json');
  const ck = findCheckpoint(join(dir, 'checkpoints'));
  if (!existsSync(infoPath) || !ck) {
    throw new InputError({
      where: dir,
      expected: 'a classifier directory (classifier.json and checkpoints/)',
      found: existsSync(dir) ? 'neither or only one of them' : 'no such directory',
      hint: 'create one with `vaekit train-classifier --dataset <name>`',
    });
  }
  const info = JSON.parse(readFileSync(infoPath, 'utf8')) as ClassifierInfo;
  const config = classifierConfigSchema.parse(info.config);
  const classifier = new Classifier(config, info.inputShape, info.classes);
  const { weights } = loadCheckpoint(ck);
  classifier.network.setWeights(
    classifier.network.weights.map((_, i) => {
      const t = weights.get(`clf/${i}`);
      if (!t) throw new InputError({ where: ck, expected: `weight clf/${i}`, found: 'none' });
      return t;
    }),
  );
  tf.dispose([...weights.values()]);
  return { classifier, info };
}
