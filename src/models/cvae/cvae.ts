import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../core/errors.js';
import type { Batch } from '../../core/trainable.js';
import type { GraphBuilder, Value } from '../../export/graph.js';
import type { ImageShape } from '../../nn/networks.js';
import type { Conditional, ModelCapabilities } from '../model.js';
import type { Conditioning } from '../vae/conditioning.js';
import { VAE, VAE_CAPABILITIES } from '../vae/vae.js';
import type { CVAEConfig } from './config.js';

export const CVAE_CAPABILITIES: ModelCapabilities = { ...VAE_CAPABILITIES, conditional: true };

function labelsOf(batch: Batch): tf.Tensor1D {
  if (!batch.labels) {
    throw new InputError({ where: 'cvae', expected: 'a batch with class labels', found: 'images alone' });
  }
  return batch.labels;
}

/** The exported graphs' label input y. */
const labelInput = (g: GraphBuilder, classes: number): Value =>
  g.input(
    'y',
    [-1, classes],
    `class labels one-hot [batch, ${classes}]: row i has a 1 at its class`,
    'one-hot',
  );

/**
 * The label y as the networks see it, one-hot over `classes`:
 * - MLP encoder: [flatten(x), y] as one vector (shaped [1, 1, D + K], which the MLP flattens);
 * - conv encoder: y as K constant feature maps beside the image's channels, [h, w, c + K];
 * - decoder: [z, y].
 */
function labelConditioning(classes: number, network: CVAEConfig['network']['type']): Conditioning {
  const oneHot = (labels: tf.Tensor1D) => tf.oneHot(labels.toInt(), classes).toFloat() as tf.Tensor2D;
  return {
    encoderInputShape: ([h, w, c]) => (network === 'mlp' ? [1, 1, h * w * c + classes] : [h, w, c + classes]),
    encoderInput: (batch) => {
      const y = oneHot(labelsOf(batch));
      const [n, h, w] = batch.x.shape;
      if (network === 'mlp') return tf.concat([batch.x.reshape([n, -1]), y], 1).reshape([n, 1, 1, -1]);
      const maps = y.reshape([n, 1, 1, classes]).tile([1, h, w, 1]);
      return tf.concat([batch.x, maps], 3);
    },
    decoderInputDim: (m) => m + classes,
    decoderInput: (z, labels) => {
      if (!labels) throw new InputError({ where: 'cvae', expected: 'class labels to decode', found: 'none' });
      return tf.concat([z, oneHot(labels)], 1);
    },
    // the exported graphs take y one-hot, [batch, K]; the maps beside a conv encoder's image are y·1[h×w]
    exportEncoderInput: (g, x) => {
      const y = labelInput(g, classes);
      const [, h, w, c] = x.shape;
      if (network === 'mlp') return g.concat([g.reshape(x, [h * w * c]), y], 1);
      const ones = g.constant('label_map_ones', new Float32Array(h * w).fill(1), [1, h, w, 1]);
      return g.concat([x, g.mul(g.reshape(y, [1, 1, classes]), ones)], 3);
    },
    exportDecoderInput: (g, z) => g.concat([z, labelInput(g, classes)], 1),
    labelsFromExportFeeds: (feeds) => tf.argMax(feeds.y, 1) as tf.Tensor1D,
  };
}

/**
 * The conditional VAE: a Gaussian VAE (same objective, same metrics, same evaluation) whose encoder and
 * decoder are given the class label, so that sampling z ~ N(0, I) with a chosen y draws that class:
 *   ELBO(x | y) = E_{q(z|x,y)}[log p(x|z, y)] − KL(q(z|x, y) ‖ N(0, I)) ≤ log p(x | y).
 */
export class ConditionalVAE extends VAE implements Conditional {
  override readonly kind = 'cvae';
  override readonly capabilities = CVAE_CAPABILITIES;

  constructor(
    config: CVAEConfig,
    inputShape: ImageShape,
    readonly classes: number,
    seed: number,
  ) {
    super(config, inputShape, seed, labelConditioning(classes, config.network.type));
  }

  /** Samples of class labels[i] (default: i mod classes, every class in turn). */
  override sample(
    n: number,
    seed: number,
    opts: { temperature?: number; labels?: Int32Array } = {},
  ): tf.Tensor4D {
    const labels = opts.labels ?? Int32Array.from({ length: n }, (_, i) => i % this.classes);
    if (labels.some((y) => !Number.isInteger(y) || y < 0 || y >= this.classes)) {
      throw new InputError({
        where: 'labels',
        expected: `classes 0 … ${this.classes - 1}`,
        found: String(labels),
      });
    }
    return super.sample(n, seed, { ...opts, labels });
  }
}
