import type * as tf from '@tensorflow/tfjs';
import { InputError } from '../../core/errors.js';
import type { Batch } from '../../core/trainable.js';
import { GraphBuilder, IMAGE_DOC } from '../../export/graph.js';
import { lowerSequential } from '../../export/layers.js';
import type { ImageShape } from '../../nn/networks.js';
import type { PosteriorFamily } from '../../objectives/latent.js';
import type { LikelihoodHead } from '../likelihood.js';
import type { ExportPart } from '../model.js';
import type { Conditioning } from './conditioning.js';

/** What of a VAE (or CVAE) its export needs. */
export interface VaeParts {
  readonly kind: string;
  readonly latentDim: number;
  readonly inputShape: ImageShape;
  readonly encoder: tf.Sequential;
  readonly decoder: tf.Sequential;
  readonly conditioning: Conditioning;
  readonly likelihood: LikelihoodHead;
  readonly family: PosteriorFamily;
  readonly config: { posterior: { type: string }; refineSteps: number };
  decodeMean(z: tf.Tensor2D, labels?: tf.Tensor1D): tf.Tensor4D;
  posteriorParams(batch: Batch): tf.Tensor2D;
}

/**
 * A VAE's part as an export graph:
 * - decoder: z [batch, m] (+ the conditioning's inputs) → x = E[x|z];
 * - encoder: x (+ the conditioning's inputs) → mu, logvar [batch, m] of q(z|x) = N(mu, diag exp(logvar)),
 *   the amortised encoder's (a run that refines q per image at inference exports the encoder's start).
 */
export function vaeExportGraph(vae: VaeParts, part: ExportPart): GraphBuilder {
  const m = vae.latentDim;
  const g = new GraphBuilder(`${vae.kind}-${part}`);
  if (part === 'decoder') {
    const z = g.input('z', [-1, m], `latent vectors [batch, ${m}]; z ~ N(0, I) draws samples`);
    const out = lowerSequential(g, vae.decoder, vae.conditioning.exportDecoderInput(g, z));
    g.output('x', vae.likelihood.exportMean(g, out), vae.likelihood.exportMeanDoc);
    return g;
  }
  if (vae.config.posterior.type !== 'gaussian') {
    throw new InputError({
      where: '--part encoder',
      expected: 'a run whose posterior is the diagonal Gaussian (the encoder then gives μ and log σ²)',
      found: `posterior ${vae.config.posterior.type}: q(z|x) is a flow on the encoder's output`,
      hint: 'export the decoder (--part decoder)',
    });
  }
  const x = g.input('x', [-1, ...vae.inputShape], IMAGE_DOC, 'unit');
  const params = lowerSequential(g, vae.encoder, vae.conditioning.exportEncoderInput(g, x));
  const steps = vae.config.refineSteps;
  const q =
    steps > 0
      ? `the encoder's q(z|x), before the ${steps} refinement steps per image the model takes at inference (not in this file)`
      : 'q(z|x)';
  g.output('mu', g.slice(params, 1, 0, m), `means of ${q} [batch, ${m}]`);
  g.output('logvar', g.slice(params, 1, m, m), `log variances of ${q} [batch, ${m}]`);
  return g;
}

/** The same parts computed by the VAE itself. */
export function vaeExportReference(
  vae: VaeParts,
  part: ExportPart,
  feeds: Record<string, tf.Tensor>,
): Record<string, tf.Tensor> {
  const labels = vae.conditioning.labelsFromExportFeeds(feeds);
  if (part === 'decoder') return { x: vae.decodeMean(feeds.z as tf.Tensor2D, labels) };
  const q = vae.family.summary(vae.posteriorParams({ x: feeds.x as tf.Tensor4D, labels }), 0);
  return { mu: q.mean, logvar: q.logVar };
}
