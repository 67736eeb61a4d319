import * as tf from '@tensorflow/tfjs';
import { Rng, tfSeed } from '../../core/random.js';
import type { Batch, NamedWeight, OptimizerSpec, StepContext, TrainingStage } from '../../core/trainable.js';
import { GraphBuilder, IMAGE_DOC } from '../../export/graph.js';
import { lowerSequential } from '../../export/layers.js';
import { buildCritic, buildGenerator } from '../../nn/dcgan.js';
import type { ImageShape } from '../../nn/networks.js';
import {
  discriminatorLoss,
  gradientPenalty,
  nonSaturatingGeneratorLoss,
  wassersteinCriticLoss,
  wassersteinGeneratorLoss,
} from '../../objectives/gan.js';
import type { Exportable, ExportPart, GenerativeModel, MetricSpec, ModelCapabilities } from '../model.js';
import { namedWeights, restoreWeights } from '../named-weights.js';
import type { AdversarialConfig } from './config.js';

const METRICS: Record<string, MetricSpec> = {
  criticLoss: {
    name: 'criticLoss',
    label: 'critic loss',
    unit: 'score',
    role: 'objective',
    description: "the critic's (discriminator's) loss, without the penalty",
  },
  generatorLoss: {
    name: 'generatorLoss',
    label: 'generator loss',
    unit: 'score',
    role: 'objective',
    description: "the generator's loss at this critic",
  },
  wasserstein: {
    name: 'wasserstein',
    label: 'W estimate',
    unit: 'score',
    role: 'term',
    description: "E[D(x)] − E[D(G(z))], the critic's estimate of the Wasserstein distance",
  },
  gradientPenalty: {
    name: 'gradientPenalty',
    label: 'gradient penalty',
    unit: 'score',
    role: 'term',
    description: '(‖∇D(x̂)‖ − 1)² before λ',
  },
  gradNorm: {
    name: 'gradNorm',
    label: 'gradient norm',
    unit: 'score',
    role: 'diagnostic',
    description: 'global norm of the gradient before clipping',
  },
};

/** What the adversarial models can do: generate, nothing else; each reports the metrics of its loss. */
function ganCapabilities(type: AdversarialConfig['type']): ModelCapabilities {
  const metrics = {
    gan: ['criticLoss', 'generatorLoss', 'gradNorm'],
    wgan: ['wasserstein', 'criticLoss', 'generatorLoss', 'gradNorm'],
    'wgan-gp': ['wasserstein', 'criticLoss', 'generatorLoss', 'gradientPenalty', 'gradNorm'],
  }[type];
  return {
    encoder: false,
    latent: 'none',
    localInference: false,
    likelihood: false,
    conditional: false,
    objectives: [],
    dataParallel: false,
    metrics: metrics.map((m) => METRICS[m]),
    exports: ['decoder'],
  };
}

export const GAN_CAPABILITIES = {
  gan: ganCapabilities('gan'),
  wgan: ganCapabilities('wgan'),
  'wgan-gp': ganCapabilities('wgan-gp'),
};

/** Per-example terms of one batch: what the critic minimises, what the generator minimises, and Ŵ. */
interface AdversarialTerms {
  criticLoss: tf.Tensor1D;
  generatorLoss: tf.Tensor1D;
  /** D(x) − D(G(z)): its mean estimates the Wasserstein-1 distance (WGAN variants only). */
  wasserstein?: tf.Tensor1D;
}

/**
 * GAN, WGAN and WGAN-GP: a deterministic generator x = G(z), z ~ N(0, I), trained against a critic D
 * instead of by likelihood (config.type picks the loss):
 * - 'gan': D is a classifier (logit) of real vs generated; non-saturating generator loss.
 * - 'wgan': D is a critic with weights clipped to [−c, c] after every update, so that it stays
 *   K-Lipschitz and E[D(x)] − E[D(G(z))] estimates the Wasserstein distance (up to K).
 * - 'wgan-gp': the clipping is replaced by λ·E[(‖∇_x̂ D(x̂)‖ − 1)²] in the critic's loss.
 *
 * Schedule. The papers' Algorithm 1 takes a fresh real batch for each of the nCritic critic updates
 * and then updates the generator once from fresh noise alone (the generator never sees real data).
 * The training loop hands the model one real batch per step, so each step is one critic update on
 * that batch, and every nCritic-th step (ctx.step + 1 ≡ 0 mod nCritic) is also followed by the
 * generator update: the same updates on the same data as the papers, with no batch used twice.
 * An epoch is thus N/B critic updates and N/(B·nCritic) generator updates. (The WGAN paper's extra
 * 100 critic updates early on and every 500 generator updates are not reproduced.)
 * Each step logs criticLoss (without the penalty), generatorLoss (at this step's critic and fakes),
 * wasserstein (WGANs) and gradientPenalty (WGAN-GP; before λ), means over the batch.
 */
export class GAN implements GenerativeModel, Exportable {
  readonly kind: AdversarialConfig['type'];
  readonly capabilities: ModelCapabilities;
  readonly latentDim: number;
  readonly generator: tf.Sequential;
  readonly critic: tf.Sequential;

  constructor(
    readonly config: AdversarialConfig,
    readonly inputShape: ImageShape,
    seed: number,
  ) {
    const rng = new Rng(seed);
    this.kind = config.type;
    this.capabilities = GAN_CAPABILITIES[config.type];
    this.latentDim = config.latentDim;
    this.generator = buildGenerator(config.generatorFilters, config.latentDim, inputShape, rng);
    const batchNorm = config.type !== 'wgan-gp' && config.criticBatchNorm;
    this.critic = buildCritic(config.criticFilters, inputShape, batchNorm, rng);
  }

  /** G(z) for z ~ N(0, t²I): [n, h, w, c] in [0, 1]; batch norm in inference mode. */
  sample(n: number, seed: number, opts: { temperature?: number } = {}): tf.Tensor4D {
    return tf.tidy(() => this.generate(this.noise(n, seed, opts.temperature), false));
  }

  /** The generator, z → image, in inference mode (batch norm with its moving statistics). */
  exportGraph(part: ExportPart): GraphBuilder {
    if (part !== 'decoder') throw new Error(`${this.kind} exports no ${part}`);
    const g = new GraphBuilder(`${this.kind}-generator`);
    const z = g.input('z', [-1, this.latentDim], `noise [batch, ${this.latentDim}], z ~ N(0, I)`);
    g.output('x', lowerSequential(g, this.generator, z), `G(z): ${IMAGE_DOC}`);
    return g;
  }

  exportReference(_part: ExportPart, feeds: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    return { x: tf.tidy(() => this.generate(feeds.z as tf.Tensor2D, false)) };
  }

  variableGroups(): Record<string, tf.Variable[]> {
    const vars = (m: tf.Sequential) => m.trainableWeights.map((w) => w.read() as tf.Variable);
    return { generator: vars(this.generator), critic: vars(this.critic) };
  }

  /** The same optimiser kind and rate for both networks, as in the papers. */
  optimizerSpecs(): Record<string, OptimizerSpec> {
    const c = this.config;
    const spec: OptimizerSpec =
      c.optimizer === 'adam'
        ? { kind: 'adam', learningRate: c.learningRate, beta1: c.adamBeta1, beta2: c.adamBeta2 }
        : { kind: 'rmsprop', learningRate: c.learningRate, decay: c.rmspropDecay };
    return { generator: spec, critic: spec };
  }

  /** One critic update on the batch; every nCritic-th step also a generator update from fresh noise. */
  trainingStages(batch: Batch, ctx: StepContext): TrainingStage[] {
    const rng = new Rng(ctx.seed);
    const [criticNoise, penaltySeed, generatorNoise] = [rng.seed(), rng.seed(), rng.seed()];
    const { x } = batch;
    const n = x.shape[0];
    const c = this.config;
    const critic: TrainingStage = {
      group: 'critic',
      loss: () => {
        const fake = this.generate(this.noise(n, criticNoise), true);
        const t = this.terms(this.score(x, true), this.score(fake, true));
        const criticLoss = t.criticLoss.mean();
        const metrics: Record<string, tf.Tensor> = { criticLoss, generatorLoss: t.generatorLoss.mean() };
        if (t.wasserstein) metrics.wasserstein = t.wasserstein.mean();
        if (c.type !== 'wgan-gp') return { loss: criticLoss as tf.Scalar, metrics };
        const penalty = gradientPenalty((v) => this.score(v, true), x, fake, penaltySeed).mean();
        metrics.gradientPenalty = penalty;
        return { loss: criticLoss.add(penalty.mul(c.gpLambda)) as tf.Scalar, metrics };
      },
      afterUpdate: c.type === 'wgan' ? () => this.clipCritic(c.clip) : undefined,
    };
    if ((ctx.step + 1) % c.nCritic !== 0) return [critic];
    const generator: TrainingStage = {
      group: 'generator',
      loss: () => {
        const fake = this.generate(this.noise(n, generatorNoise), true);
        return { loss: this.generatorLoss(this.score(fake, true)).mean() as tf.Scalar, metrics: {} };
      },
    };
    return [critic, generator];
  }

  /**
   * Sums over the batch, against as many fresh samples G(z): criticLoss and generatorLoss (the training
   * losses without the penalty) and, for the WGANs, wasserstein — its mean is the critic's estimate
   * E[D(x)] − E[D(G(z))] of the Wasserstein distance between the test images and the model. These are
   * not likelihoods (a GAN has none): its capabilities declare no bound, so there are no bits/dim.
   */
  evalBatch(batch: Batch, seed: number): Record<string, number> {
    return tf.tidy(() => {
      const fake = this.sample(batch.x.shape[0], seed);
      const t = this.terms(this.score(batch.x, false), this.score(fake, false));
      return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, (v as tf.Tensor).sum().dataSync()[0]]));
    });
  }

  weights(): NamedWeight[] {
    return Object.entries(this.networks()).flatMap(([name, m]) => namedWeights(name, m.weights));
  }

  setWeights(weights: Map<string, tf.Tensor>): void {
    for (const [name, m] of Object.entries(this.networks())) restoreWeights(name, m.weights, weights);
  }

  dispose(): void {
    this.generator.dispose();
    this.critic.dispose();
  }

  private networks() {
    return { generator: this.generator, critic: this.critic };
  }

  private noise(n: number, seed: number, temperature = 1): tf.Tensor2D {
    return tf.randomNormal([n, this.latentDim], 0, temperature, 'float32', tfSeed(seed));
  }

  private generate(z: tf.Tensor, training: boolean): tf.Tensor4D {
    return this.generator.apply(z, { training }) as tf.Tensor4D;
  }

  /** D(x), one raw score per example. */
  private score(x: tf.Tensor, training: boolean): tf.Tensor1D {
    return (this.critic.apply(x, { training }) as tf.Tensor).reshape([-1]);
  }

  /** The generator's loss per example from the critic's scores of its samples. */
  private generatorLoss(fake: tf.Tensor1D): tf.Tensor1D {
    return this.kind === 'gan' ? nonSaturatingGeneratorLoss(fake) : wassersteinGeneratorLoss(fake);
  }

  /** The variant's losses from the critic's scores of real and generated images. */
  private terms(real: tf.Tensor1D, fake: tf.Tensor1D): AdversarialTerms {
    const generatorLoss = this.generatorLoss(fake);
    if (this.kind === 'gan') return { criticLoss: discriminatorLoss(real, fake), generatorLoss };
    const criticLoss = wassersteinCriticLoss(real, fake);
    return { criticLoss, generatorLoss, wasserstein: criticLoss.neg() };
  }

  /** WGAN: clip every critic weight to [−c, c] (Arjovsky et al. 2017, Algorithm 1, line 7). */
  private clipCritic(c: number): void {
    tf.tidy(() => {
      for (const v of this.variableGroups().critic) v.assign(tf.clipByValue(v, -c, c));
    });
  }
}
