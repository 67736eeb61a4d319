import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random.js';
import type { Batch, NamedWeight, StepContext, TrainingStage } from '../../core/trainable.js';
import { DiagGaussian, type Likelihood } from '../../distributions/index.js';
import { GraphBuilder, type Value } from '../../export/graph.js';
import { lowerLayer, lowerSequential } from '../../export/layers.js';
import { dense } from '../../nn/layers.js';
import { buildDecoder, buildEncoder, type ImageShape } from '../../nn/networks.js';
import { applyStack, type ResidualCell, residualStack, softClamp } from '../../nn/residual.js';
import {
  elboSums,
  type LatentModel,
  type LatentSampling,
  type LatentTerms,
  latentLoss,
  repeatRows,
} from '../../objectives/latent.js';
import { GROUP_KL_METRIC, LATENT_METRICS } from '../latent-metrics.js';
import { LikelihoodHead } from '../likelihood.js';
import type { Exportable, ExportPart, GenerativeModel, ModelCapabilities, Reconstructing } from '../model.js';
import { namedWeights, restoreWeights } from '../named-weights.js';
import type { HVAEConfig } from './config.js';

export const HVAE_CAPABILITIES: ModelCapabilities = {
  encoder: true,
  latent: 'hierarchical-gaussian',
  localInference: false,
  likelihood: true,
  conditional: false,
  objectives: ['elbo', 'iwae'],
  dataParallel: true,
  metrics: [...LATENT_METRICS, GROUP_KL_METRIC],
  bound: 'loss',
  exports: ['decoder'],
};

/** One pass through the hierarchy: the sampled latents, their posteriors and priors, and p(x|z). */
interface Pass {
  z: tf.Tensor[];
  q: DiagGaussian[];
  /** Conditional priors p(z_ℓ | z_{>ℓ}); the top group's prior is N(0, I). */
  p: DiagGaussian[];
  px: Likelihood;
}

/**
 * Hierarchical VAE with top-down inference (Ladder VAE / NVAE). Groups are indexed top (L) to bottom (1):
 *   bottom-up:  b₁ = stem(x),  b_ℓ = cells(b_{ℓ−1})
 *   top-down:   z_L ~ q(z_L|x) = N(head(b_L)),            prior p(z_L) = N(0, I)
 *               d = cells(W z_L)
 *               for ℓ = L−1 … 1:  p(z_ℓ|z_{>ℓ}) = N(μ_p(d), σ_p(d))
 *                                 q(z_ℓ|x, z_{>ℓ}) = N(μ_p + Δμ(d, b_ℓ), σ_p·Δσ(d, b_ℓ))   (NVAE's residual normal)
 *                                 d = cells(d + W z_ℓ)
 *               p(x|z) from head(d)
 * ELBO = E_q[log p(x|z)] − Σ_ℓ KL(q(z_ℓ|·) ‖ p(z_ℓ|·)), each KL in closed form given the sampled z_{>ℓ}.
 * Gaussian parameters are soft-clamped (c·tanh(·/c)) so training cannot run off to infinite variances.
 */
export class HierarchicalVAE implements GenerativeModel, Reconstructing, LatentModel, Exportable {
  readonly kind = 'hvae';
  readonly capabilities = HVAE_CAPABILITIES;
  readonly stem: tf.Sequential;
  readonly head: tf.Sequential;
  readonly likelihoodHead: LikelihoodHead;
  private readonly up: ResidualCell[][];
  private readonly down: ResidualCell[][];
  private readonly topPosterior: tf.layers.Layer;
  private readonly priorHeads: tf.layers.Layer[];
  private readonly posteriorHeads: tf.layers.Layer[];
  private readonly latentIn: tf.layers.Layer[];

  constructor(
    readonly config: HVAEConfig,
    readonly inputShape: ImageShape,
    seed: number,
  ) {
    const rng = new Rng(seed);
    const { groups: L, hidden: H, latentDim: m, cells } = config;
    this.likelihoodHead = new LikelihoodHead(config, inputShape[2]);
    this.stem = buildEncoder(config.network, inputShape, H, rng, 'hvae_stem');
    const [h, w] = inputShape;
    this.head = buildDecoder(config.network, H, [h, w, this.likelihoodHead.outputChannels], rng, 'hvae_head');
    // index g = 0 … L−1 stands for group ℓ = g + 1
    this.up = Array.from({ length: L }, (_, g) =>
      g === 0 ? [] : residualStack(cells, H, rng, `hvae_up${g}`),
    );
    this.down = Array.from({ length: L }, (_, g) => residualStack(cells, H, rng, `hvae_down${g}`));
    this.topPosterior = dense(H, 2 * m, 'linear', rng, 'hvae_q_top');
    this.priorHeads = Array.from({ length: L - 1 }, (_, g) => dense(H, 2 * m, 'linear', rng, `hvae_p${g}`));
    this.posteriorHeads = Array.from({ length: L - 1 }, (_, g) =>
      dense(2 * H, 2 * m, 'linear', rng, `hvae_q${g}`),
    );
    this.latentIn = Array.from({ length: L }, (_, g) => dense(m, H, 'linear', rng, `hvae_zin${g}`));
    tf.tidy(() => void this.forward(tf.zeros([1, ...inputShape]), { seed: 0, training: false })); // builds every layer
  }

  private get layers(): tf.layers.Layer[] {
    return [
      ...this.up.flat().flatMap((c) => c.layers),
      ...this.down.flat().flatMap((c) => c.layers),
      this.topPosterior,
      ...this.priorHeads,
      ...this.posteriorHeads,
      ...this.latentIn,
    ];
  }

  private static gaussian(params: tf.Tensor, m: number): DiagGaussian {
    const mean = softClamp(params.slice([0, 0], [-1, m]), 5);
    const logVar = softClamp(params.slice([0, m], [-1, m]), 10);
    return new DiagGaussian(mean, logVar);
  }

  /** Bottom-up features b₁ … b_L. */
  private bottomUp(x: tf.Tensor, training: boolean): tf.Tensor[] {
    const b = [
      tf.layers.activation({ activation: 'swish' }).apply(this.stem.apply(x, { training })) as tf.Tensor,
    ];
    for (let g = 1; g < this.config.groups; g++) b.push(applyStack(this.up[g], b[g - 1]));
    return b;
  }

  /**
   * The top-down pass. With x: inference (z from the posteriors, or their means when `useMeans`);
   * without x: generation (z from the priors, spread scaled by the temperature).
   */
  private forward(
    x: tf.Tensor | null,
    o: {
      seed: number;
      training: boolean;
      useMeans?: boolean;
      temperature?: number;
      n?: number;
      /** ε of each group, top first: z_ℓ = μ + σ·ε_ℓ instead of a random draw. */
      noise?: tf.Tensor[];
    },
  ): Pass {
    const { groups: L, latentDim: m, hidden: H } = this.config;
    const rng = new Rng(o.seed);
    const t = o.temperature ?? 1;
    const b = x ? this.bottomUp(x, o.training) : null;
    const n = x ? x.shape[0] : (o.n ?? 1);
    const pass: Pass = { z: [], q: [], p: [], px: undefined as unknown as Likelihood };
    const draw = (d: DiagGaussian) => {
      if (o.useMeans) return d.mean;
      if (o.noise) return d.reparameterised(o.noise[pass.z.length]);
      return d.sample(rng.seed(), x ? 1 : t);
    };
    let d: tf.Tensor = tf.zeros([n, H]);
    for (let g = L - 1; g >= 0; g--) {
      let prior: DiagGaussian;
      let post: DiagGaussian | null = null;
      if (g === L - 1) {
        prior = DiagGaussian.standard([n, m]);
        if (b) post = HierarchicalVAE.gaussian(this.topPosterior.apply(b[g]) as tf.Tensor, m);
      } else {
        prior = HierarchicalVAE.gaussian(this.priorHeads[g].apply(d) as tf.Tensor, m);
        if (b) {
          const delta = HierarchicalVAE.gaussian(
            this.posteriorHeads[g].apply(tf.concat([d, b[g]], 1)) as tf.Tensor,
            m,
          );
          post = new DiagGaussian(prior.mean.add(delta.mean), prior.logVar.add(delta.logVar));
        }
      }
      const z = draw(post ?? prior);
      pass.z.push(z);
      pass.p.push(prior);
      if (post) pass.q.push(post);
      d = applyStack(this.down[g], d.add(this.latentIn[g].apply(z) as tf.Tensor));
    }
    pass.px = this.likelihoodHead.make(this.head.apply(d, { training: o.training }) as tf.Tensor);
    return pass;
  }

  /**
   * k joint samples per example (x repeated k times, one top-down pass): log p(x|z) and, for each group
   * ℓ (top first), log p(z_ℓ|z_{>ℓ}) − log q(z_ℓ|x, z_{>ℓ}) and KL(q(z_ℓ|·) ‖ p(z_ℓ|·)) in closed form given
   * the sampled z_{>ℓ}.
   */
  latentTerms(batch: Batch, s: LatentSampling): LatentTerms {
    const xs = s.tiledX ?? repeatRows(batch.x, s.k);
    const pass = this.forward(xs, { seed: s.seed, training: s.training });
    return {
      logPx: pass.px.logProb(xs),
      groups: pass.q.map((q, i) => ({
        logRatio: () => pass.p[i].logProb(pass.z[i]).sub(q.logProb(pass.z[i])) as tf.Tensor1D,
        klPerDim: () => (i === 0 ? q.klToStandardNormalPerDim() : q.klToPerDim(pass.p[i])) as tf.Tensor2D,
      })),
    };
  }

  variableGroups(): Record<string, tf.Variable[]> {
    const vars = [
      ...this.stem.trainableWeights,
      ...this.head.trainableWeights,
      ...this.layers.flatMap((l) => l.trainableWeights),
    ].map((w) => w.read() as tf.Variable);
    return { model: [...vars, ...this.likelihoodHead.trainableVariables()] };
  }

  /** −ELBO (warm-up, NVAE's KL balancing, free bits) or the negated IWAE bound: objectives/latent.ts. */
  trainingStages(batch: Batch, ctx: StepContext): TrainingStage[] {
    const klBalance = this.config.klBalance;
    return [{ group: 'model', loss: () => latentLoss(this, batch, { ...ctx, klBalance }) }];
  }

  /** Sums over the batch of −ELBO, reconstruction, total KL and each group's KL (nats). */
  evalBatch(batch: Batch, seed: number): Record<string, number> {
    return elboSums(this, batch, seed);
  }

  /** Images from the prior; each group's spread is scaled by the temperature t (NVAE samples at t < 1). */
  sample(n: number, seed: number, opts: { temperature?: number } = {}): tf.Tensor4D {
    const temperature = opts.temperature ?? 1;
    return tf.tidy(
      () => this.forward(null, { seed, training: false, temperature, n }).px.mean() as tf.Tensor4D,
    );
  }

  /** The top-down sampler's image for given noise: ε [n, L, m] of each group, top first (z_ℓ = μ_p + σ_p·ε_ℓ). */
  decodeNoise(noise: tf.Tensor3D): tf.Tensor4D {
    const { groups: L, latentDim: m } = this.config;
    const n = noise.shape[0];
    return tf.tidy(() => {
      const eps = Array.from({ length: L }, (_, i) => noise.slice([0, i, 0], [n, 1, m]).reshape([n, m]));
      return this.forward(null, { seed: 0, training: false, n, noise: eps }).px.mean() as tf.Tensor4D;
    });
  }

  /**
   * The decoder to export is the top-down sampler, noise → image. NVAE's temperature t is noise ~ N(0, t²I):
   *   z_L = ε_L;  d = cells(W z_L);  for ℓ = L−1 … 1: z_ℓ = μ_p(d) + σ_p(d)·ε_ℓ,  d = cells(d + W z_ℓ);  x = E[x|head(d)].
   */
  exportGraph(part: ExportPart): GraphBuilder {
    if (part !== 'decoder') throw new Error(`hvae exports no ${part}`);
    const { groups: L, latentDim: m } = this.config;
    const g = new GraphBuilder('hvae-decoder');
    const noise = g.input(
      'noise',
      [-1, L, m],
      `ε of each latent group, top first [batch, ${L}, ${m}]: N(0, I) samples; N(0, t²I) samples at temperature t`,
    );
    const cells = (stack: ResidualCell[], x: Value) =>
      stack.reduce((h, c) => g.add2(h, lowerLayer(g, c.outer, lowerLayer(g, c.inner, h))), x);
    const clamp = (v: Value, c: number) => g.mul(g.unary('tanh', g.mul(v, g.scalar(1 / c))), g.scalar(c));
    let d: Value | null = null;
    for (let grp = L - 1; grp >= 0; grp--) {
      const eps = g.reshape(g.slice(noise, 1, L - 1 - grp, 1), [m]);
      let z = eps;
      if (d) {
        const params = lowerLayer(g, this.priorHeads[grp], d);
        const mean = clamp(g.slice(params, 1, 0, m), 5);
        const logVar = clamp(g.slice(params, 1, m, m), 10);
        z = g.add2(mean, g.mul(g.unary('exp', g.mul(logVar, g.scalar(0.5))), eps));
      }
      const zin = lowerLayer(g, this.latentIn[grp], z);
      d = cells(this.down[grp], d ? g.add2(d, zin) : zin);
    }
    const out = lowerSequential(g, this.head, d as Value);
    g.output('x', this.likelihoodHead.exportMean(g, out), this.likelihoodHead.exportMeanDoc);
    return g;
  }

  exportReference(_part: ExportPart, feeds: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    return { x: this.decodeNoise(feeds.noise as tf.Tensor3D) };
  }

  /** E[x|z] with every z_ℓ at its posterior mean. */
  reconstruct(batch: Batch): tf.Tensor4D {
    return tf.tidy(
      () => this.forward(batch.x, { seed: 0, training: false, useMeans: true }).px.mean() as tf.Tensor4D,
    );
  }

  weights(): NamedWeight[] {
    return [
      ...namedWeights('stem', this.stem.weights),
      ...namedWeights('head', this.head.weights),
      ...namedWeights(
        'cells',
        this.layers.flatMap((l) => l.weights),
      ),
      ...this.likelihoodHead.weights(),
    ];
  }

  setWeights(weights: Map<string, tf.Tensor>): void {
    restoreWeights('stem', this.stem.weights, weights);
    restoreWeights('head', this.head.weights, weights);
    restoreWeights(
      'cells',
      this.layers.flatMap((l) => l.weights),
      weights,
    );
    this.likelihoodHead.setWeights(weights);
  }

  dispose(): void {
    this.stem.dispose();
    this.head.dispose();
    for (const l of this.layers) l.dispose();
    this.likelihoodHead.dispose();
  }
}
