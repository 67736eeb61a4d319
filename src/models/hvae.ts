import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random.js';
import type { GradientContext, NamedWeight } from '../core/trainable.js';
import { DiagGaussian, type Likelihood } from '../distributions/index.js';
import { torchUniform } from '../nn/init.js';
import { buildDecoder, buildEncoder, type ImageShape } from '../nn/networks.js';
import { applyStack, type ResidualCell, residualStack, softClamp } from '../nn/residual.js';
import { logMeanExp } from '../objectives/iwae.js';
import type { LossWithMetrics } from '../train/gradient-step.js';
import { SingleLossModel } from '../train/single-loss-model.js';
import type { GenerativeModel } from './generative.js';
import type { HVAEConfig } from './hvae-config.js';
import { LikelihoodHead } from './likelihood.js';
import { namedWeights, restoreWeights } from './named-weights.js';

/** One pass through the hierarchy: the sampled latents, their posteriors and priors, and p(x|z). */
interface Pass {
  z: tf.Tensor[];
  q: DiagGaussian[];
  /** Conditional priors p(z_ℓ | z_{>ℓ}); the top group's prior is N(0, I). */
  p: DiagGaussian[];
  px: Likelihood;
}

const dense = (
  units: number,
  fanIn: number,
  rng: Rng,
  name: string,
  activation: 'linear' | 'swish' = 'linear',
) =>
  tf.layers.dense({
    units,
    activation,
    kernelInitializer: torchUniform(fanIn, rng),
    biasInitializer: torchUniform(fanIn, rng),
    name,
  });

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
export class HierarchicalVAE extends SingleLossModel implements GenerativeModel {
  readonly kind = 'hvae';
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
    super();
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
    this.topPosterior = dense(2 * m, H, rng, 'hvae_q_top');
    this.priorHeads = Array.from({ length: L - 1 }, (_, g) => dense(2 * m, H, rng, `hvae_p${g}`));
    this.posteriorHeads = Array.from({ length: L - 1 }, (_, g) => dense(2 * m, 2 * H, rng, `hvae_q${g}`));
    this.latentIn = Array.from({ length: L }, (_, g) => dense(H, m, rng, `hvae_zin${g}`));
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
    o: { seed: number; training: boolean; useMeans?: boolean; temperature?: number; n?: number },
  ): Pass {
    const { groups: L, latentDim: m, hidden: H } = this.config;
    const rng = new Rng(o.seed);
    const t = o.temperature ?? 1;
    const b = x ? this.bottomUp(x, o.training) : null;
    const n = x ? x.shape[0] : (o.n ?? 1);
    const pass: Pass = { z: [], q: [], p: [], px: undefined as unknown as Likelihood };
    const draw = (d: DiagGaussian) => (o.useMeans ? d.mean : d.sample(rng.seed(), x ? 1 : t));
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

  /** KL(q(z_ℓ|·) ‖ p(z_ℓ|·)) per example and dimension for each group, top first: [B, m] each. */
  private static klPerGroup(pass: Pass): tf.Tensor[] {
    return pass.q.map((q, i) => (i === 0 ? q.klToStandardNormalPerDim() : q.klToPerDim(pass.p[i])));
  }

  /**
   * The training loss: mean_b[−log p(x|z)] + β·Σ_ℓ γ_ℓ KL_ℓ, where during warm-up (β < 1, klBalance) the
   * γ_ℓ ∝ mean KL_ℓ + 0.01 (no gradient, normalised to mean 1) re-balance the groups as in NVAE;
   * free bits floor each dimension's batch-mean KL at λ.
   */
  private lossTerms(x: tf.Tensor, ctx: { beta: number; freeBits: number; seed: number }) {
    const pass = this.forward(x, { seed: ctx.seed, training: true });
    const recon = pass.px.logProb(x).neg().mean();
    const klDims = HierarchicalVAE.klPerGroup(pass).map((k) => k.mean(0)); // [m] per group
    const klGroups = klDims.map((k) => (ctx.freeBits > 0 ? tf.maximum(k, ctx.freeBits) : k).sum());
    let klTerm = tf.addN(klGroups);
    if (this.config.klBalance && ctx.beta < 1) {
      // read back as numbers, so the weights carry no gradient (NVAE's .detach())
      const sizes = tf.stack(klDims.map((k) => k.sum())).add(0.01);
      const gamma = tf.tensor1d(sizes.div(sizes.mean()).dataSync() as Float32Array);
      klTerm = tf.stack(klGroups).mul(gamma).sum();
    }
    const kl = tf.addN(klDims.map((k) => k.sum()));
    return {
      loss: recon.add(klTerm.mul(ctx.beta)) as tf.Scalar,
      metrics: {
        recon,
        kl,
        ...Object.fromEntries(klDims.map((k, i) => [`klGroup${this.config.groups - i}`, k.sum()])),
      },
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

  /** The training loss: −ELBO with warm-up, balancing and free bits, or the negated k-sample IWAE bound. */
  protected objective(x: tf.Tensor, ctx: GradientContext): () => LossWithMetrics {
    const { objective } = ctx;
    if (objective.kind === 'iwae') {
      return () => {
        const loss = logMeanExp(this.logImportanceWeights(x, objective.k, ctx.seed, true))
          .mean()
          .neg() as tf.Scalar;
        return { loss, metrics: { loss } };
      };
    }
    return () => {
      const t = this.lossTerms(x, ctx);
      return { loss: t.loss, metrics: { loss: t.loss, ...t.metrics } };
    };
  }

  /** Sums over the batch of −ELBO, reconstruction, total KL and each group's KL (nats). */
  evalBatch(x: tf.Tensor, seed: number): Record<string, number> {
    return tf.tidy(() => {
      const pass = this.forward(x, { seed, training: false });
      const recon = pass.px.logProb(x).neg();
      const kls = HierarchicalVAE.klPerGroup(pass).map((k) => k.sum(1));
      const kl = tf.addN(kls);
      const out: Record<string, number> = {
        loss: recon.add(kl).sum().dataSync()[0],
        recon: recon.sum().dataSync()[0],
        kl: kl.sum().dataSync()[0],
      };
      kls.forEach((k, i) => {
        out[`klGroup${this.config.groups - i}`] = k.sum().dataSync()[0];
      });
      return out;
    });
  }

  /**
   * log w = log p(x|z) + Σ_ℓ [log p(z_ℓ|z_{>ℓ}) − log q(z_ℓ|x, z_{>ℓ})] for k joint samples z ~ q: [k, B].
   * Their log-mean-exp is the k-sample IWAE bound, and with large k the importance-sampled log p(x).
   */
  logImportanceWeights(x: tf.Tensor, k: number, seed: number, training = false): tf.Tensor2D {
    return tf.tidy(() => {
      const b = x.shape[0];
      const xs = tf.tile(x.expandDims(0), [k, 1, 1, 1, 1]).reshape([k * b, ...x.shape.slice(1)]);
      const pass = this.forward(xs, { seed, training });
      let logW = pass.px.logProb(xs);
      pass.q.forEach((q, i) => {
        logW = logW.add(pass.p[i].logProb(pass.z[i])).sub(q.logProb(pass.z[i]));
      });
      return logW.reshape([k, b]) as tf.Tensor2D;
    });
  }

  /** Images from the prior; each group's spread is scaled by the temperature t (NVAE samples at t < 1). */
  sample(n: number, seed: number, temperature = 1): tf.Tensor4D {
    return tf.tidy(
      () => this.forward(null, { seed, training: false, temperature, n }).px.mean() as tf.Tensor4D,
    );
  }

  /** E[x|z] with every z_ℓ at its posterior mean. */
  reconstruct(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(
      () => this.forward(x, { seed: 0, training: false, useMeans: true }).px.mean() as tf.Tensor4D,
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
