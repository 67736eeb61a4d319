import type { ImageShape } from '../../nn/networks.js';
import { type CellSpec, cellConvs, cellSpecs } from '../../nn/nvae/cells.js';
import type { ConvOptions } from '../../nn/nvae/conv.js';
import type { NVAEConfig } from './config.js';

/**
 * Where an NVAE's maps live for an image shape: the image is padded (with black) to a multiple of
 * 4·2^(S−1) on each side; two preprocessing cells halve it twice (channels H/4, then H/2), the S latent
 * scales follow at side/4, side/8, … with H channels, and the top-down path mirrors it.
 */
export interface NVAELayout {
  /** Padded height and width. */
  padded: [number, number];
  /** Rows and columns of padding before the image (the rest goes after it). */
  offset: [number, number];
  /** Channels at the full (padded) resolution, at half of it, and at the latent scales. */
  channels: [number, number, number];
  /** [h, w] of each latent scale, finest first. */
  scales: [number, number][];
  /** Latent groups in all: S·G. */
  groups: number;
}

export function nvaeLayout(c: NVAEConfig, inputShape: ImageShape): NVAELayout {
  const [h, w] = inputShape;
  const factor = 4 * 2 ** (c.scales - 1);
  const pad = (side: number) => Math.ceil(side / factor) * factor;
  const padded: [number, number] = [pad(h), pad(w)];
  const H = c.hidden;
  return {
    padded,
    offset: [Math.floor((padded[0] - h) / 2), Math.floor((padded[1] - w) / 2)],
    channels: [Math.max(1, Math.round(H / 4)), Math.max(1, Math.round(H / 2)), H],
    scales: Array.from({ length: c.scales }, (_, k) => [padded[0] / 2 ** (k + 2), padded[1] / 2 ** (k + 2)]),
    groups: c.scales * c.groupsPerScale,
  };
}

/** Every network piece of an NVAE as specs (plain data): the model builds them, its size counts them. */
export interface NVAEParts {
  stem: ConvOptions;
  /** Enc, Down, Enc, Down: full resolution to the finest latent scale. */
  preprocess: CellSpec[];
  /** Bottom-up cells of each group, bottom-up order (finest scale first). */
  encoderGroups: CellSpec[][];
  /** Between latent scales, bottom-up. */
  encoderDowns: CellSpec[];
  top: ConvOptions;
  /** Generative cells before each top-down group j ≥ 1. */
  decoderGroups: CellSpec[][];
  /** Upsampling before each new scale of the top-down path. */
  decoderUps: CellSpec[];
  /** Up, Up: the finest latent scale back to full resolution. */
  postprocess: CellSpec[];
  output: ConvOptions;
  /** Per group, the convolutions to the mean and to the log-variance (two, so no channel slice is needed). */
  posteriorHeads: ConvOptions[];
  priorHeads: ConvOptions[];
  encoderCombiners: ConvOptions[];
  decoderCombiners: ConvOptions[];
  /** Shape of h₀, the learned map the top-down path starts from. */
  start: [number, number, number, number];
}

export function nvaeParts(c: NVAEConfig, inputShape: ImageShape, outputChannels: number): NVAEParts {
  const layout = nvaeLayout(c, inputShape);
  const [c0, c1, H] = layout.channels;
  const N = layout.groups;
  const E = c.expansion;
  const zc = c.latentChannels;
  const times = <T>(count: number, make: () => T): T[] => Array.from({ length: count }, make);
  const conv = (inChannels: number, outChannels: number, kernel: number): ConvOptions => ({
    inChannels,
    outChannels,
    kernel,
  });
  const [th, tw] = layout.scales[c.scales - 1];
  return {
    stem: conv(inputShape[2], c0, 3),
    preprocess: [cellSpecs.encoder(c0), cellSpecs.down(c0, c1), cellSpecs.encoder(c1), cellSpecs.down(c1, H)],
    encoderGroups: times(N, () => times(c.cells, () => cellSpecs.encoder(H))),
    encoderDowns: times(c.scales - 1, () => cellSpecs.down(H, H)),
    top: conv(H, H, 1),
    decoderGroups: times(N - 1, () => times(c.cells, () => cellSpecs.generative(H, E))),
    decoderUps: times(c.scales - 1, () => cellSpecs.up(H, H, E)),
    postprocess: [cellSpecs.up(H, c1, E), cellSpecs.up(c1, c0, E)],
    output: conv(c0, outputChannels, 3),
    posteriorHeads: times(2 * N, () => conv(H, zc, 3)),
    priorHeads: times(2 * (N - 1), () => conv(H, zc, 3)),
    encoderCombiners: times(N - 1, () => conv(H, H, 1)),
    decoderCombiners: times(N, () => conv(H + zc, H, 1)),
    start: [1, th, tw, H],
  };
}

/** The cells of the parts, in the model's order. */
export const partCells = (p: NVAEParts): CellSpec[] => [
  ...p.preprocess,
  ...p.encoderGroups.flat(),
  ...p.encoderDowns,
  ...p.decoderGroups.flat(),
  ...p.decoderUps,
  ...p.postprocess,
];

/** The convolutions outside the cells, in the model's order. */
export const headConvs = (p: NVAEParts): ConvOptions[] => [
  p.stem,
  p.top,
  p.output,
  ...p.posteriorHeads,
  ...p.priorHeads,
  ...p.encoderCombiners,
  ...p.decoderCombiners,
];

/** Every convolution of the parts, in the model's order: the cells', then the heads'. */
export const partConvs = (p: NVAEParts): ConvOptions[] => [
  ...partCells(p).flatMap(cellConvs),
  ...headConvs(p),
];
