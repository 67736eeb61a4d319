import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import type { GradientContext, NamedWeight, Trainable } from '../core/trainable.js';
import { DiagGaussian, type Likelihood } from '../distributions/index.js';
import { buildDecoder, buildEncoder, type ImageShape } from '../nn/networks.js';
import { type ElboOptions, elboTerms } from '../objectives/elbo.js';
import { iwaeBound } from '../objectives/iwae.js';
import type { LossWithMetrics } from '../train/gradient-step.js';
import { SingleLossModel } from '../train/single-loss-model.js';
import type { VAEConfig } from './config.js';
import type { LatentVariableModel } from './latent-model.js';
import { LikelihoodHead } from './likelihood.js';
import { namedWeights, restoreWeights } from './named-weights.js';

/**
 * The Gaussian VAE (Kingma & Welling 2014). The encoder outputs [μ, log σ²] of q_φ(z|x);
 * the decoder outputs the parameters of p_θ(x|z); training maximises the ELBO
 *   E_q[log p_θ(x|z)] − β·KL(q_φ(z|x) ‖ N(0, I)),
 * or (objective 'iwae') the k-sample importance-weighted bound of Burda et al. 2015.
 */
export class VAE extends SingleLossModel implements LatentVariableModel, Trainable {
  readonly kind = 'vae';
  readonly latentDim: number;
  readonly encoder: tf.Sequential;
  readonly decoder: tf.Sequential;
  /** p(x|z) from the decoder's output (owns log σ for the Gaussian likelihoods). */
  readonly likelihood: LikelihoodHead;

  constructor(
    readonly config: VAEConfig,
    readonly inputShape: ImageShape,
    seed: number,
  ) {
    super();
    const rng = new Rng(seed);
    this.latentDim = config.latentDim;
    this.likelihood = new LikelihoodHead(config, inputShape[2]);
    this.encoder = buildEncoder(config.network, inputShape, 2 * config.latentDim, rng);
    const [h, w] = inputShape;
    this.decoder = buildDecoder(
      config.network,
      config.latentDim,
      [h, w, this.likelihood.outputChannels],
      rng,
    );
  }

  encode(x: tf.Tensor, training = false): DiagGaussian {
    const h = this.encoder.apply(x, { training }) as tf.Tensor2D;
    const m = this.latentDim;
    return new DiagGaussian(h.slice([0, 0], [-1, m]), h.slice([0, m], [-1, m]));
  }

  decode(z: tf.Tensor, training = false): Likelihood {
    return this.likelihood.make(this.decoder.apply(z, { training }) as tf.Tensor);
  }

  /** Images decoded from z ~ N(0, t²I) (t = temperature), shape [n, h, w, c], values E[x|z]. */
  sample(n: number, seed: number, temperature = 1): tf.Tensor4D {
    return tf.tidy(() => {
      const z = tf.randomNormal([n, this.latentDim], 0, temperature, 'float32', seed);
      return this.decode(z).mean() as tf.Tensor4D;
    });
  }

  /** E[x|z] at z = μ_φ(x): the model's reconstruction of x. */
  reconstruct(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => this.decode(this.encode(x).mean).mean() as tf.Tensor4D);
  }

  variableGroups(): Record<string, tf.Variable[]> {
    const vars = [...this.encoder.trainableWeights, ...this.decoder.trainableWeights].map(
      (w) => w.read() as tf.Variable,
    );
    return { model: [...vars, ...this.likelihood.trainableVariables()] };
  }

  /** The training loss of a batch: −ELBO (β, free bits), or the negated IWAE bound. */
  protected objective(x: tf.Tensor, ctx: GradientContext): () => LossWithMetrics {
    if (ctx.objective.kind === 'iwae') {
      if (ctx.freeBits > 0) {
        throw new InputError({
          where: 'train.freeBits',
          expected: '0 with the IWAE objective (free bits act on the closed-form KL of the ELBO)',
          found: String(ctx.freeBits),
        });
      }
      const iwae = { k: ctx.objective.k, beta: ctx.beta, seed: ctx.seed, training: true };
      return () => {
        const loss = iwaeBound(this, x, iwae).mean().neg() as tf.Scalar;
        return { loss, metrics: { loss } };
      };
    }
    const opts: ElboOptions = { beta: ctx.beta, freeBits: ctx.freeBits, seed: ctx.seed, training: true };
    return () => {
      const t = elboTerms(this, x, opts);
      return { loss: t.loss, metrics: { loss: t.loss, recon: t.recon.mean(), kl: t.kl.mean() } };
    };
  }

  /** Per-example sums over the batch of −ELBO, reconstruction and KL (nats), one posterior sample each. */
  evalBatch(x: tf.Tensor, seed: number): Record<string, number> {
    return tf.tidy(() => {
      const t = elboTerms(this, x, { beta: 1, freeBits: 0, seed, training: false });
      const [nelbo, recon, kl] = [t.elbo.neg().sum(), t.recon.sum(), t.kl.sum()].map((s) => s.dataSync()[0]);
      return { loss: nelbo, recon, kl };
    });
  }

  weights(): NamedWeight[] {
    return [
      ...namedWeights('encoder', this.encoder.weights),
      ...namedWeights('decoder', this.decoder.weights),
      ...this.likelihood.weights(),
    ];
  }

  setWeights(weights: Map<string, tf.Tensor>): void {
    restoreWeights('encoder', this.encoder.weights, weights);
    restoreWeights('decoder', this.decoder.weights, weights);
    this.likelihood.setWeights(weights);
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    this.likelihood.dispose();
  }
}
