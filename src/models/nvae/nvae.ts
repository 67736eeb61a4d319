import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../core/errors.js';
import { Rng, tfSeed } from '../../core/random.js';
import type { Batch, NamedWeight, StepContext, TrainingStage } from '../../core/trainable.js';
import { DiagGaussian, type Likelihood } from '../../distributions/index.js';
import type { ImageShape } from '../../nn/networks.js';
import { type BatchNorm, type ChannelStatistics, type NormMode, RUNNING } from '../../nn/nvae/batch-norm.js';
import { buildCell, type Cell, type CellSpec } from '../../nn/nvae/cells.js';
import { Conv, type ConvOptions } from '../../nn/nvae/conv.js';
import { SpectralNorms } from '../../nn/nvae/spectral.js';
import { softClamp } from '../../nn/residual.js';
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
import type { GenerativeModel, ModelCapabilities, Reconstructing } from '../model.js';
import { namedWeights, restoreWeights, variableSlot } from '../named-weights.js';
import type { NVAEConfig } from './config.js';
import { type NVAELayout, nvaeLayout, nvaeParts } from './layout.js';

export const NVAE_CAPABILITIES: ModelCapabilities = {
  encoder: true,
  latent: 'hierarchical-gaussian',
  localInference: false,
  likelihood: true,
  conditional: false,
  objectives: ['elbo', 'iwae'],
  // batch norm's statistics are the whole batch's: shards would normalise differently
  dataParallel: false,
  metrics: [
    ...LATENT_METRICS,
    GROUP_KL_METRIC,
    {
      name: 'spectral',
      label: 'Σ σ_max',
      unit: 'score',
      role: 'diagnostic',
      description:
        'sum of the convolutions’ largest singular values (power iteration), weighted by --spectral-reg in the loss',
    },
  ],
  bound: 'loss',
  exports: [],
};

/** One pass: the sampled latent maps, their posteriors and priors (top group first), and p(x|z). */
interface Pass {
  z: tf.Tensor4D[];
  q: DiagGaussian[];
  p: DiagGaussian[];
  px: Likelihood;
}

interface PassOptions {
  seed: number;
  mode: NormMode;
  useMeans?: boolean;
  temperature?: number;
  n?: number;
}

/** Prior batches of this many images re-estimate the batch-norm statistics before sampling. */
const RECALIBRATION_BATCH = 64;
/** The prior draws of the re-estimation: fixed, so the statistics are a function of the weights and t alone. */
const RECALIBRATION_SEED = 0x5eed;

/**
 * NVAE (Vahdat & Kautz 2020) with spatial latent groups at S scales. Groups j = 0 … N−1 (N = S·G) run top
 * (coarsest) to bottom (finest) in the top-down path; f_j is the bottom-up feature at group j's resolution.
 *   bottom-up:  s = stem(2x − 1, padded);  s = Enc, Down, Enc, Down (to side/4);
 *               per scale, fine to coarse: per group s = EncoderCells(s), keep f;  Down between scales
 *   top-down:   d = h₀ (a learned map),  q(z₀|x) = N(Conv3×3(elu(Conv1×1(elu(f₀))))),  p(z₀) = N(0, I)
 *               d = Conv1×1([d, z₀])
 *               for j = 1 … N−1:  d = Up(d) at a new scale;  d = GenerativeCells(d)
 *                                 p(z_j|z_{<j}) = N(μ_p, σ_p) = Conv3×3(elu(d))
 *                                 q(z_j|x, z_{<j}) = N(μ_p + Δμ, σ_p·Δσ), (Δμ, Δσ) = Conv3×3(f_j + Conv1×1(d))
 *                                 d = Conv1×1([d, z_j])
 *               p(x|z) = Conv3×3(elu(Up(Up(d)))), cropped to the image
 * ELBO = E_q[log p(x|z)] − Σ_j KL(q(z_j|·) ‖ p(z_j|·)), each KL in closed form given the sampled z_{<j};
 * the loss adds λ·Σ σ_max(W) over every convolution (spectral regularisation).
 */
export class NVAE implements GenerativeModel, Reconstructing, LatentModel {
  readonly kind = 'nvae';
  readonly capabilities = NVAE_CAPABILITIES;
  readonly layout: NVAELayout;
  readonly likelihoodHead: LikelihoodHead;
  private readonly stem: Conv;
  private readonly preprocess: Cell[];
  /** Bottom-up cells of each group, in bottom-up order (finest scale first). */
  private readonly encoderGroups: Cell[][];
  private readonly encoderDowns: Cell[];
  private readonly top: Conv;
  /** Top-down, group j ≥ 1: the generative cells before the group, and the upsampling before a new scale. */
  private readonly decoderGroups: Cell[][];
  private readonly decoderUps: Cell[];
  private readonly postprocess: Cell[];
  private readonly output: Conv;
  private readonly posteriorHeads: Conv[];
  private readonly priorHeads: Conv[];
  private readonly encoderCombiners: Conv[];
  private readonly decoderCombiners: Conv[];
  /** h₀: the learned map the top-down path starts from. */
  private readonly start: tf.Variable;
  private readonly spectral: SpectralNorms | null;
  /** Batch statistics of the last training pass, applied to the running ones after its update. */
  private pending: { bn: BatchNorm; s: ChannelStatistics }[] = [];
  /** Re-estimated statistics per temperature, kept until the weights change. */
  private readonly calibrated = new Map<number, Map<BatchNorm, ChannelStatistics>>();

  constructor(
    readonly config: NVAEConfig,
    readonly inputShape: ImageShape,
    seed: number,
  ) {
    const rng = new Rng(seed);
    this.layout = nvaeLayout(config, inputShape);
    this.likelihoodHead = new LikelihoodHead(config, inputShape[2]);
    const p = nvaeParts(config, inputShape, this.likelihoodHead.outputChannels);
    const conv = (o: ConvOptions) => new Conv(o, rng);
    const cells = (specs: CellSpec[]) => specs.map((s) => buildCell(s, rng));
    this.stem = conv(p.stem);
    this.preprocess = cells(p.preprocess);
    this.encoderGroups = p.encoderGroups.map(cells);
    this.encoderDowns = cells(p.encoderDowns);
    this.top = conv(p.top);
    this.decoderGroups = p.decoderGroups.map(cells);
    this.decoderUps = cells(p.decoderUps);
    this.postprocess = cells(p.postprocess);
    this.output = conv(p.output);
    this.posteriorHeads = p.posteriorHeads.map(conv);
    this.priorHeads = p.priorHeads.map(conv);
    this.encoderCombiners = p.encoderCombiners.map(conv);
    this.decoderCombiners = p.decoderCombiners.map(conv);
    const startSeed = rng.seed();
    this.start = tf.tidy(() => tf.variable(tf.randomUniform(p.start, 0, 1, 'float32', tfSeed(startSeed))));
    this.spectral = config.spectralReg > 0 ? new SpectralNorms(this.convs, rng.seed()) : null;
  }

  private get cells(): Cell[] {
    return [
      ...this.preprocess,
      ...this.encoderGroups.flat(),
      ...this.encoderDowns,
      ...this.decoderGroups.flat(),
      ...this.decoderUps,
      ...this.postprocess,
    ];
  }

  /** The convolutions outside the cells (layout.ts's headConvs order). */
  private get heads(): Conv[] {
    return [
      this.stem,
      this.top,
      this.output,
      ...this.posteriorHeads,
      ...this.priorHeads,
      ...this.encoderCombiners,
      ...this.decoderCombiners,
    ];
  }

  /** Every convolution, in the cells and outside them (what the spectral regulariser covers). */
  get convs(): Conv[] {
    return [...this.cells.flatMap((c) => c.convs), ...this.heads];
  }

  /** Every batch norm of the model. */
  get norms(): BatchNorm[] {
    return this.cells.flatMap((c) => c.norms);
  }

  /** The model's own variables in a stable order (a checkpoint's `nvae/<i>`). */
  private get ownVariables(): tf.Variable[] {
    return [
      ...this.cells.flatMap((c) => c.variables),
      ...this.heads.flatMap((c) => c.variables),
      this.start,
      ...(this.spectral?.variables ?? []),
    ];
  }

  /** N(μ, σ²) from group j's pair of heads: μ = 5·tanh(Conv(x)/5), log σ² = 10·tanh(Conv'(x)/10). */
  private static gaussian(heads: Conv[], j: number, x: tf.Tensor4D): DiagGaussian {
    return new DiagGaussian(softClamp(heads[2 * j].apply(x), 5), softClamp(heads[2 * j + 1].apply(x), 10));
  }

  private runCells(cells: Cell[], x: tf.Tensor4D, mode: NormMode): tf.Tensor4D {
    return cells.reduce((h, c) => c.apply(h, mode), x);
  }

  /** The bottom-up features f_j of the top-down groups j = 0 … N−1 (f₀ already through the top convs). */
  private bottomUp(x: tf.Tensor4D, mode: NormMode): tf.Tensor4D[] {
    const [h, w] = this.inputShape;
    const [ph, pw] = this.layout.padded;
    const [top, left] = this.layout.offset;
    const scaled = x.mul(2).sub(1) as tf.Tensor4D;
    const padded =
      ph === h && pw === w
        ? scaled
        : tf.pad(
            scaled,
            [
              [0, 0],
              [top, ph - h - top],
              [left, pw - w - left],
              [0, 0],
            ],
            -1,
          );
    let s = this.runCells(this.preprocess, this.stem.apply(padded), mode);
    const features: tf.Tensor4D[] = [];
    const G = this.config.groupsPerScale;
    this.encoderGroups.forEach((cells, g) => {
      if (g > 0 && g % G === 0) s = this.encoderDowns[g / G - 1].apply(s, mode);
      s = this.runCells(cells, s, mode);
      features.push(s);
    });
    features.reverse();
    features[0] = tf.elu(this.top.apply(tf.elu(features[0]))) as tf.Tensor4D;
    return features;
  }

  /**
   * The top-down pass. With x: inference (z from the posteriors, or their means when `useMeans`);
   * without x: generation (z from the priors, spread scaled by the temperature).
   */
  private forward(x: tf.Tensor4D | null, o: PassOptions): Pass {
    const { latentChannels: zc, groupsPerScale: G } = this.config;
    const rng = new Rng(o.seed);
    const t = o.temperature ?? 1;
    const f = x ? this.bottomUp(x, o.mode) : null;
    const n = x ? x.shape[0] : (o.n ?? 1);
    const pass: Pass = { z: [], q: [], p: [], px: undefined as unknown as Likelihood };
    const draw = (d: DiagGaussian) => (o.useMeans ? d.mean : d.sample(rng.seed(), x ? 1 : t)) as tf.Tensor4D;
    // h₀ added to zeros, not tf.broadcastTo (a Tile, whose gradient is a slice and a sum per image): its
    // gradient is one sum over the batch
    const [, sh, sw, sc] = this.start.shape;
    let d = tf.zeros([n, sh, sw, sc]).add(this.start) as tf.Tensor4D;
    for (let j = 0; j < this.layout.groups; j++) {
      let prior: DiagGaussian;
      let post: DiagGaussian | null = null;
      if (j === 0) {
        const [h, w] = this.layout.scales[this.config.scales - 1];
        prior = DiagGaussian.standard([n, h, w, zc]);
        if (f) post = NVAE.gaussian(this.posteriorHeads, 0, f[0]);
      } else {
        if (j % G === 0) d = this.decoderUps[j / G - 1].apply(d, o.mode);
        d = this.runCells(this.decoderGroups[j - 1], d, o.mode);
        prior = NVAE.gaussian(this.priorHeads, j - 1, tf.elu(d) as tf.Tensor4D);
        if (f) {
          const combined = f[j].add(this.encoderCombiners[j - 1].apply(d)) as tf.Tensor4D;
          const delta = NVAE.gaussian(this.posteriorHeads, j, combined);
          post = new DiagGaussian(prior.mean.add(delta.mean), prior.logVar.add(delta.logVar));
        }
      }
      const z = draw(post ?? prior);
      pass.z.push(z);
      pass.p.push(prior);
      if (post) pass.q.push(post);
      d = this.decoderCombiners[j].apply(tf.concat([d, z], 3));
    }
    const out = this.output.apply(tf.elu(this.runCells(this.postprocess, d, o.mode)) as tf.Tensor4D);
    pass.px = this.likelihoodHead.make(this.cropped(out));
    return pass;
  }

  /** The padded map cut back to the image (the map itself when nothing was padded). */
  private cropped(out: tf.Tensor4D): tf.Tensor4D {
    const [h, w] = this.inputShape;
    const [n, ph, pw, c] = out.shape;
    if (ph === h && pw === w) return out;
    const [top, left] = this.layout.offset;
    return out.slice([0, top, left, 0], [n, h, w, c]);
  }

  /** Batch statistics of training passes are kept until the update they belong to was made. */
  private trainingMode(): NormMode {
    this.dropPending();
    return {
      kind: 'batch',
      record: (bn, s) =>
        this.pending.push({ bn, s: { mean: tf.keep(s.mean), variance: tf.keep(s.variance) } }),
    };
  }

  private dropPending(): void {
    for (const { s } of this.pending) tf.dispose([s.mean, s.variance]);
    this.pending = [];
  }

  /**
   * k joint samples per example (x repeated k times, one top-down pass): log p(x|z) and, for each group
   * (top first), log p(z_j|z_{<j}) − log q(z_j|x, z_{<j}) and its KL per latent unit (C·h·w of them).
   */
  latentTerms(batch: Batch, s: LatentSampling): LatentTerms {
    const xs = s.tiledX ?? repeatRows(batch.x, s.k);
    const [th, tw] = this.layout.scales[this.config.scales - 1];
    if (s.training && xs.shape[0] * th * tw < 2) {
      // batch statistics of one value per channel: variance 0, and gradients that explode (PyTorch refuses too)
      throw new InputError({
        where: 'train.batchSize',
        expected: `batches whose top latent maps (${th}×${tw}) give batch norm at least 2 values per channel`,
        found: `a batch of ${xs.shape[0]}`,
        hint: 'use --batch-size 2 or more, or fewer --scales',
      });
    }
    const pass = this.forward(xs, { seed: s.seed, mode: s.training ? this.trainingMode() : RUNNING });
    const rows = xs.shape[0];
    return {
      logPx: pass.px.logProb(xs),
      groups: pass.q.map((q, i) => ({
        logRatio: () => pass.p[i].logProb(pass.z[i]).sub(q.logProb(pass.z[i])) as tf.Tensor1D,
        klPerDim: () =>
          (i === 0 ? q.klToStandardNormalPerDim() : q.klToPerDim(pass.p[i])).reshape([
            rows,
            -1,
          ]) as tf.Tensor2D,
      })),
    };
  }

  variableGroups(): Record<string, tf.Variable[]> {
    const trainable = this.ownVariables.filter((v) => v.trainable);
    return { model: [...trainable, ...this.likelihoodHead.trainableVariables()] };
  }

  /**
   * −ELBO (warm-up, KL balancing, free bits; objectives/latent.ts) + λ·Σ σ_max(W). After the update: the
   * running batch-norm statistics move toward this batch's, and one power iteration.
   */
  trainingStages(batch: Batch, ctx: StepContext): TrainingStage[] {
    const { klBalance, spectralReg } = this.config;
    return [
      {
        group: 'model',
        loss: () => {
          const r = latentLoss(this, batch, { ...ctx, klBalance });
          if (!this.spectral) return r;
          const sigma = this.spectral.sum();
          return {
            loss: r.loss.add(sigma.mul(spectralReg)) as tf.Scalar,
            metrics: { ...r.metrics, spectral: sigma },
          };
        },
        afterUpdate: () => {
          this.forgetCalibration();
          for (const { bn, s } of this.pending) bn.update(s);
          this.dropPending();
          this.spectral?.iterate(1);
        },
      },
    ];
  }

  evalBatch(batch: Batch, seed: number): Record<string, number> {
    return elboSums(this, batch, seed);
  }

  private forgetCalibration(): void {
    for (const stats of this.calibrated.values())
      for (const s of stats.values()) tf.dispose([s.mean, s.variance]);
    this.calibrated.clear();
  }

  /**
   * The top-down path's batch-norm statistics for sampling at temperature t, as NVAE re-estimates them:
   * `bnBatches` prior passes of 64 images in training mode, each layer's batch means and variances averaged.
   * Computed once per temperature and kept until the weights change.
   */
  private recalibrated(t: number): Map<BatchNorm, ChannelStatistics> {
    const known = this.calibrated.get(t);
    if (known) return known;
    const sums = new Map<BatchNorm, ChannelStatistics>();
    const rng = new Rng(RECALIBRATION_SEED);
    const batches = this.config.bnBatches;
    for (let i = 0; i < batches; i++) {
      tf.tidy(() => {
        const record = (bn: BatchNorm, s: ChannelStatistics) => {
          const old = sums.get(bn);
          sums.set(bn, {
            mean: tf.keep(old ? old.mean.add(s.mean) : s.mean.clone()),
            variance: tf.keep(old ? old.variance.add(s.variance) : s.variance.clone()),
          });
          if (old) tf.dispose([old.mean, old.variance]);
        };
        this.forward(null, {
          seed: rng.seed(),
          mode: { kind: 'batch', record },
          temperature: t,
          n: RECALIBRATION_BATCH,
        });
      });
    }
    for (const [bn, s] of sums) {
      sums.set(bn, { mean: s.mean.div(batches), variance: s.variance.div(batches) });
      tf.dispose([s.mean, s.variance]);
    }
    this.calibrated.set(t, sums);
    return sums;
  }

  /**
   * Images from the prior, each group's spread scaled by the temperature t; the batch-norm statistics of
   * the top-down path are first re-estimated on prior samples at t (`bnBatches` batches; the stored running
   * statistics are left as they are).
   */
  sample(n: number, seed: number, opts: { temperature?: number } = {}): tf.Tensor4D {
    const temperature = opts.temperature ?? 1;
    const statistics = this.config.bnBatches > 0 ? this.recalibrated(temperature) : null;
    const mode: NormMode = statistics ? { kind: 'given', statistics } : RUNNING;
    return tf.tidy(() => this.forward(null, { seed, mode, temperature, n }).px.mean() as tf.Tensor4D);
  }

  /** E[x|z] with every z_j at its posterior mean. */
  reconstruct(batch: Batch): tf.Tensor4D {
    return tf.tidy(
      () => this.forward(batch.x, { seed: 0, mode: RUNNING, useMeans: true }).px.mean() as tf.Tensor4D,
    );
  }

  weights(): NamedWeight[] {
    return [...namedWeights('nvae', this.ownVariables.map(variableSlot)), ...this.likelihoodHead.weights()];
  }

  setWeights(weights: Map<string, tf.Tensor>): void {
    this.forgetCalibration();
    restoreWeights('nvae', this.ownVariables.map(variableSlot), weights);
    this.likelihoodHead.setWeights(weights);
  }

  dispose(): void {
    this.dropPending();
    this.forgetCalibration();
    for (const v of this.ownVariables) v.dispose();
    this.likelihoodHead.dispose();
  }
}
