/**
 * The NVAE row of the throughput bench: vaekit's default spatial NVAE (nvaeConfigSchema's defaults, with
 * a 3-component logistic-mixture likelihood) on one fixed batch of 64 random 8-bit colour images 32×32,
 * trained through vaekit's own training step (train/step.ts: gradient, NaN guard, Adam, batch-norm
 * statistics and one power iteration after the update). bench/reference/pytorch_nvae_bench.py is the
 * same model in PyTorch.
 */
import * as tf from '@tensorflow/tfjs';
import type { NVAEConfig } from '../src/models/nvae/config.js';
import { nvaeConfigSchema } from '../src/models/nvae/config.js';
import { nvaeLayout, nvaeParts } from '../src/models/nvae/layout.js';
import { NVAE } from '../src/models/nvae/nvae.js';
import { modelSize } from '../src/models/registry.js';
import type { CellSpec } from '../src/nn/nvae/cells.js';
import type { ConvOptions } from '../src/nn/nvae/conv.js';
import { squeezeWidth } from '../src/nn/nvae/squeeze-excite.js';
import { trainConfigSchema } from '../src/train/config.js';
import { makeOptimizers, trainStep } from '../src/train/step.js';
import type { TrainResult } from './measure.js';

export const NVAE_BATCH = 64;
export const NVAE_SHAPE: [number, number, number] = [32, 32, 3];
/** Mixture components: NVAE uses 10 on CIFAR-10; 3 keeps the output conv (16 → 27 channels) small. */
export const NVAE_MIXTURES = 3;
/** Width 64 (NVAE's 'hidden' at the latent scales), as the PyTorch script; vaekit's default is now 32. */
export const NVAE_WIDTH = 64;

export const nvaeBenchConfig = (): NVAEConfig =>
  nvaeConfigSchema.parse({
    type: 'nvae',
    hidden: NVAE_WIDTH,
    likelihood: 'logistic-mixture',
    mixtures: NVAE_MIXTURES,
  });

/** Random colour images quantised to 8 bits: floor(256·U(0, 1)) / 255. */
export function colourBatch(): tf.Tensor4D {
  return tf.tidy(() =>
    tf
      .randomUniform([NVAE_BATCH, ...NVAE_SHAPE], 0, 256)
      .floor()
      .div(255),
  ) as tf.Tensor4D;
}

/** vaekit's counts for the bench model: modelSize's, and the values weights() holds (trainable and not). */
export function nvaeParameterCounts(): { size: number; stored: number; trainable: number } {
  const config = nvaeBenchConfig();
  const model = new NVAE(config, NVAE_SHAPE, 1);
  try {
    const count = (vs: tf.Tensor[]) => vs.reduce((n, v) => n + v.size, 0);
    return {
      size: modelSize(config, { inputShape: NVAE_SHAPE }).parameters,
      stored: count(model.weights().map((w) => w.tensor)),
      trainable: count(model.variableGroups().model),
    };
  } finally {
    model.dispose();
  }
}

/**
 * The bench NVAE handed to `use` as one step function through trainStep (as `vaekit train` steps: Adam
 * 1e-3, β = 1; step i draws its noise with seed i + 1) on one fixed colour batch; everything is freed after.
 */
export async function withNvaeSteps<T>(use: (step: (i: number) => number) => Promise<T> | T): Promise<T> {
  const model = new NVAE(nvaeBenchConfig(), NVAE_SHAPE, 1);
  const optimizers = makeOptimizers(model, trainConfigSchema.parse({ batchSize: NVAE_BATCH }), 1);
  const x = colourBatch();
  const step = (i: number) => {
    const ctx = {
      step: i,
      epoch: 0,
      seed: i + 1,
      beta: 1,
      freeBits: 0,
      objective: { kind: 'elbo' } as const,
    };
    return trainStep(model, { x }, ctx, optimizers).metrics.loss;
  };
  try {
    return await use(step);
  } finally {
    x.dispose();
    for (const o of Object.values(optimizers)) o.dispose();
    model.dispose();
  }
}

/** Trains `steps` steps after `warmup` untimed ones (and one profiled for the peak tensor bytes). */
export function trainNvaeSteps(steps: number, warmup: number): Promise<TrainResult> {
  const MiB = 2 ** 20;
  return withNvaeSteps(async (step) => {
    for (let i = 0; i < warmup; i++) step(i);
    const peakTfMiB = (await tf.profile(() => void step(warmup))).peakBytes / MiB;
    const tensorsBefore = tf.memory().numTensors;
    let peakRss = process.memoryUsage().rss;
    let loss = Number.NaN;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      loss = step(warmup + 1 + i);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const ms = (performance.now() - t0) / steps;
    return {
      msPerStep: ms,
      imgPerSec: (NVAE_BATCH * 1000) / ms,
      peakRssMiB: peakRss / MiB,
      peakTfMiB,
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
      loss,
    };
  });
}

/**
 * Multiply-adds per image of the bench NVAE's convolutions (at their output resolution) and SE layers,
 * the stem first (its input needs no gradient).
 */
function nvaeMacs(config: NVAEConfig): number[] {
  const layout = nvaeLayout(config, NVAE_SHAPE);
  const p = nvaeParts(config, NVAE_SHAPE, NVAE_SHAPE[2] * 3 * config.mixtures);
  const [ph, pw] = layout.padded;
  const conv = (c: ConvOptions, pixels: number) =>
    pixels * c.kernel * c.kernel * (c.depthwise ? 1 : c.inChannels) * c.outChannels;
  /** A cell at input resolution `pixels`: its convs at their output resolution, and its SE. */
  const cell = (spec: CellSpec, pixels: number): number[] => {
    let px = spec.upsample ? 4 * pixels : pixels;
    const macs: number[] = [];
    for (const s of spec.body) {
      if (typeof s !== 'object') continue;
      if ('conv' in s) {
        px /= (s.conv.stride ?? 1) ** 2;
        macs.push(conv(s.conv, px));
      } else if ('se' in s) macs.push(2 * s.se * squeezeWidth(s.se));
    }
    if (spec.skip) macs.push(conv(spec.skip, px));
    return macs;
  };
  const full = ph * pw;
  const side = (k: number) => layout.scales[k][0] * layout.scales[k][1];
  const S = config.scales;
  const G = config.groupsPerScale;
  /** Pixels at the latent scale of top-down group j (coarsest first). */
  const groupPixels = (j: number) => side(S - 1 - Math.floor(j / G));
  const macs = [conv(p.stem, full)];
  const pre = [full, full, full / 4, full / 4];
  p.preprocess.forEach((s, i) => {
    macs.push(...cell(s, pre[i]));
  });
  // bottom-up groups g (finest first) sit at scale floor(g / G); the downs go from scale k to k + 1
  p.encoderGroups.forEach((cells, g) => {
    for (const s of cells) macs.push(...cell(s, side(Math.floor(g / G))));
  });
  p.encoderDowns.forEach((s, k) => {
    macs.push(...cell(s, side(k)));
  });
  macs.push(conv(p.top, side(S - 1)));
  p.decoderGroups.forEach((cells, i) => {
    for (const s of cells) macs.push(...cell(s, groupPixels(i + 1)));
  });
  p.decoderUps.forEach((s, k) => {
    macs.push(...cell(s, side(S - 1 - k)));
  });
  p.postprocess.forEach((s, i) => {
    macs.push(...cell(s, side(0) * 4 ** i));
  });
  macs.push(conv(p.output, full));
  // two heads (μ, log σ²) per group: posterior heads of groups 0 … N−1, prior heads of groups 1 … N−1
  p.posteriorHeads.forEach((c, k) => {
    macs.push(conv(c, groupPixels(Math.floor(k / 2))));
  });
  p.priorHeads.forEach((c, k) => {
    macs.push(conv(c, groupPixels(Math.floor(k / 2) + 1)));
  });
  p.encoderCombiners.forEach((c, i) => {
    macs.push(conv(c, groupPixels(i + 1)));
  });
  p.decoderCombiners.forEach((c, j) => {
    macs.push(conv(c, groupPixels(j)));
  });
  return macs;
}

/** FLOPs of one training step of the bench NVAE on `batch` images, counted as flops.ts counts them. */
export function nvaeTrainStepFlops(batch: number): number {
  const macs = nvaeMacs(nvaeBenchConfig());
  const all = macs.reduce((s, m) => s + m, 0);
  return 2 * batch * (3 * all - macs[0]);
}
