/**
 * NVAE's residual cells (Vahdat & Kautz 2020, Fig. 3), each y = skip(x) + 0.1·body(x):
 * - encoder (bottom-up): BN–Swish–Conv3×3–BN–Swish–Conv3×3–SE, skip = x;
 * - down: the same with a stride-2 first conv from c_in to c_out channels, skip = Conv1×1 stride 2;
 * - generative (top-down): BN–Conv1×1 (expand to E·C)–BN–Swish–depthwise Conv5×5–BN–Swish–Conv1×1
 *   (back to C)–BN–SE, skip = x;
 * - up: nearest-neighbour ×2 upsampling, then the generative body from c_in to c_out, skip = Conv1×1.
 * The 0.1 keeps a deep stack close to the identity at initialisation. A cell is first a spec (plain
 * data), from which both the built cell and its size (nn/size.ts's contract) follow.
 */
import * as tf from '@tensorflow/tfjs';
import { gatedResidual, swish } from '../../backend/index.js';
import type { Rng } from '../../core/random.js';
import { BatchNorm, type NormMode } from './batch-norm.js';
import { Conv, type ConvOptions, convParameters } from './conv.js';
import { SqueezeExcite, squeezeExciteParameters } from './squeeze-excite.js';

type StepSpec = { conv: ConvOptions } | { bn: number } | { se: number } | 'swish';

export interface CellSpec {
  body: StepSpec[];
  /** A 1×1 convolution on the skip path (when the channels or the resolution change). */
  skip?: ConvOptions;
  /** Nearest-neighbour ×2 upsampling before both paths. */
  upsample?: boolean;
}

const encoderBody = (cin: number, cout: number, stride: number): StepSpec[] => [
  { bn: cin },
  'swish',
  { conv: { inChannels: cin, outChannels: cout, kernel: 3, stride } },
  { bn: cout },
  'swish',
  { conv: { inChannels: cout, outChannels: cout, kernel: 3 } },
  { se: cout },
];

const generativeBody = (cin: number, cout: number, expansion: number): StepSpec[] => {
  const e = expansion * cout;
  return [
    { bn: cin },
    { conv: { inChannels: cin, outChannels: e, kernel: 1 } },
    { bn: e },
    'swish',
    { conv: { inChannels: e, outChannels: e, kernel: 5, depthwise: true } },
    { bn: e },
    'swish',
    { conv: { inChannels: e, outChannels: cout, kernel: 1 } },
    { bn: cout },
    { se: cout },
  ];
};

export const cellSpecs = {
  encoder: (c: number): CellSpec => ({ body: encoderBody(c, c, 1) }),
  down: (cin: number, cout: number): CellSpec => ({
    body: encoderBody(cin, cout, 2),
    skip: { inChannels: cin, outChannels: cout, kernel: 1, stride: 2 },
  }),
  generative: (c: number, expansion: number): CellSpec => ({ body: generativeBody(c, c, expansion) }),
  up: (cin: number, cout: number, expansion: number): CellSpec => ({
    body: generativeBody(cin, cout, expansion),
    skip: { inChannels: cin, outChannels: cout, kernel: 1 },
    upsample: true,
  }),
};

/** The convolutions of a cell spec (body, then skip). */
export const cellConvs = (spec: CellSpec): ConvOptions[] => [
  ...spec.body.flatMap((s) => (typeof s === 'object' && 'conv' in s ? [s.conv] : [])),
  ...(spec.skip ? [spec.skip] : []),
];

/** Stored weights of a cell: its convolutions, batch norms (γ, β, running mean and variance) and SE. */
export function cellParameters(spec: CellSpec): number {
  return (
    cellConvs(spec).reduce((n, c) => n + convParameters(c), 0) +
    spec.body.reduce(
      (n, s) =>
        n +
        (typeof s !== 'object' ? 0 : 'bn' in s ? 4 * s.bn : 'se' in s ? squeezeExciteParameters(s.se) : 0),
      0,
    )
  );
}

/** Floats one image's pass through a cell creates at input resolution h×w (an estimate: each step's output). */
export function cellActivations(spec: CellSpec, h: number, w: number): number {
  let pixels = spec.upsample ? 4 * h * w : h * w;
  let channels = 0;
  let total = 0;
  for (const s of spec.body) {
    if (typeof s === 'object' && 'conv' in s) {
      pixels /= (s.conv.stride ?? 1) ** 2;
      channels = s.conv.outChannels;
    } else if (typeof s === 'object' && 'bn' in s) channels = s.bn;
    total += pixels * channels * (s === 'swish' ? 2 : 1);
  }
  return total + 2 * pixels * channels;
}

/** What every built cell offers: apply, its variables in a stable order, its batch norms and convolutions. */
export interface Cell {
  apply(x: tf.Tensor4D, mode: NormMode): tf.Tensor4D;
  readonly variables: tf.Variable[];
  readonly norms: BatchNorm[];
  readonly convs: Conv[];
}

const RESIDUAL_SCALE = 0.1;

type Step = Conv | BatchNorm | SqueezeExcite | 'swish';

/**
 * Nearest-neighbour upsampling by 2: [B, h, w, C] → [B, 2h, 2w, C], as one broadcast product
 * [B, h, 1, w, 1, C] · 1[1, 1, 2, 1, 2, 1]: its gradient is one sum over the two copy axes. Not
 * tf.image.resizeNearestNeighbor (the cpu backend's gradient of it is wrong for batches of more than one
 * image in tfjs 4.22), nor concatenations (their gradient, SplitV, is ten times slower on wasm).
 */
export function upsample2(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  return tf.tidy(() =>
    x
      .reshape([b, h, 1, w, 1, c])
      .mul(tf.ones([1, 1, 2, 1, 2, 1]))
      .reshape([b, 2 * h, 2 * w, c]),
  ) as tf.Tensor4D;
}

class ResidualCell implements Cell {
  private readonly body: Step[];
  private readonly skip: Conv | null;

  constructor(
    private readonly spec: CellSpec,
    rng: Rng,
  ) {
    this.body = spec.body.map((s) => {
      if (s === 'swish') return s;
      if ('conv' in s) return new Conv(s.conv, rng);
      if ('bn' in s) return new BatchNorm(s.bn);
      return new SqueezeExcite(s.se, rng);
    });
    this.skip = spec.skip ? new Conv(spec.skip, rng) : null;
  }

  /** skip(u) + 0.1·body(u); a body that ends in squeeze-and-excitation gates and sums in one op. */
  apply(x: tf.Tensor4D, mode: NormMode): tf.Tensor4D {
    const u = this.spec.upsample ? upsample2(x) : x;
    const last = this.body[this.body.length - 1];
    const gated = last instanceof SqueezeExcite;
    const steps = gated ? this.body.slice(0, -1) : this.body;
    let body = u;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if (s === 'swish') body = swish(body);
      else if (s instanceof BatchNorm) {
        const thenSwish = steps[i + 1] === 'swish'; // one op: the norm and the swish after it
        body = s.apply(body, mode, thenSwish);
        if (thenSwish) i++;
      } else body = (s as Conv | SqueezeExcite).apply(body);
    }
    const skip = this.skip ? this.skip.apply(u) : u;
    if (gated) return gatedResidual(skip, body, last.gate(body), RESIDUAL_SCALE);
    return skip.add(body.mul(RESIDUAL_SCALE));
  }

  get variables(): tf.Variable[] {
    const own = this.body.flatMap((s) => (s === 'swish' ? [] : s.variables));
    return this.skip ? [...own, ...this.skip.variables] : own;
  }

  get norms(): BatchNorm[] {
    return this.body.filter((s): s is BatchNorm => s instanceof BatchNorm);
  }

  get convs(): Conv[] {
    const own = this.body.filter((s): s is Conv => s instanceof Conv);
    return this.skip ? [...own, this.skip] : own;
  }
}

/** A cell built from its spec, weights initialised from `rng`. */
export const buildCell = (spec: CellSpec, rng: Rng): Cell => new ResidualCell(spec, rng);
