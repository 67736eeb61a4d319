import type * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../core/trainable.js';
import type { GraphBuilder, Value } from '../../export/graph.js';
import type { ImageShape } from '../../nn/networks.js';

/**
 * What the encoder and decoder networks see besides x and z. The plain VAE sees nothing else; a
 * conditional VAE (models/cvae) appends the class label to both.
 */
export interface Conditioning {
  /** Shape of the encoder network's input for images of `inputShape`. */
  encoderInputShape(inputShape: ImageShape): ImageShape;
  encoderInput(batch: Batch): tf.Tensor;
  /** Width of the decoder network's input for a latent of `latentDim`. */
  decoderInputDim(latentDim: number): number;
  /** The decoder network's input for latents z [n, m] of examples with these labels. */
  decoderInput(z: tf.Tensor2D, labels?: tf.Tensor1D): tf.Tensor;
  /** encoderInput as export-graph nodes, declaring the graph's own inputs for what it adds (the label). */
  exportEncoderInput(g: GraphBuilder, x: Value): Value;
  /** decoderInput as export-graph nodes, likewise. */
  exportDecoderInput(g: GraphBuilder, z: Value): Value;
  /** The labels an exported graph's feeds stand for (none for the plain VAE). */
  labelsFromExportFeeds(feeds: Record<string, tf.Tensor>): tf.Tensor1D | undefined;
}

export const unconditioned: Conditioning = {
  encoderInputShape: (s) => s,
  encoderInput: (b) => b.x,
  decoderInputDim: (m) => m,
  decoderInput: (z) => z,
  exportEncoderInput: (_g, x) => x,
  exportDecoderInput: (_g, z) => z,
  labelsFromExportFeeds: () => undefined,
};
