import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/random.js';
import { torchUniform } from './init.js';

/** What a MADE outputs for each of the m dimensions: a shift m_j and a gate pre-activation s_j, [N, m]. */
export interface MadeOutput {
  shift: tf.Tensor2D;
  gate: tf.Tensor2D;
}

/** Values for a weight of `shape` from PyTorch's default U(−1/√fanIn, 1/√fanIn). */
const uniform = (shape: number[], fanIn: number, rng: Rng) => torchUniform(fanIn, rng).apply(shape);

/**
 * A masked autoencoder for distribution estimation (Germain et al. 2015) over m dimensions taken in the
 * order `order` (a permutation: order[r] is the dimension at rank r), with a context h added to the first
 * hidden layer (Kingma et al. 2016's IAF):
 *   a_1 = elu((W_1 ⊙ M_1) z + C h + b_1),  a_l = elu((W_l ⊙ M_l) a_{l−1} + b_l),
 *   (shift, gate) = (W_m ⊙ M_out) a_L + b_m, (W_s ⊙ M_out) a_L + b_s.
 * Rank r of dimension j is its position in the order (1…m); hidden unit k of any layer has degree
 * 1 + (k mod max(1, m − 1)); M keeps an input → hidden edge when degree ≥ rank, a hidden → hidden edge when
 * degree ≥ degree, a hidden → output edge when rank(j) > degree, so output j depends on z_i only for
 * rank(i) < rank(j). The weights are plain variables; the masks are constants applied at every pass.
 */
export class Made {
  /** The variables, in a stable order: per hidden layer W, b; then C; then W_m, b_m, W_s, b_s. */
  readonly variables: tf.Variable[];
  private readonly layers: { w: tf.Variable; b: tf.Variable; mask: tf.Tensor2D }[];
  private readonly context: tf.Variable;
  private readonly shift: { w: tf.Variable; b: tf.Variable };
  private readonly gate: { w: tf.Variable; b: tf.Variable };
  private readonly outMask: tf.Tensor2D;

  /** `gateBias` starts every gate at sigmoid(gateBias), so an IAF step starts near the identity. */
  constructor(
    readonly order: readonly number[],
    hidden: readonly number[],
    contextDim: number,
    rng: Rng,
    gateBias: number,
  ) {
    const m = order.length;
    const rank = new Array<number>(m);
    order.forEach((j, r) => {
      rank[j] = r + 1;
    });
    const degrees = hidden.map((width) =>
      Array.from({ length: width }, (_, k) => 1 + (k % Math.max(1, m - 1))),
    );
    const mask = (from: number[], to: number[], keep: (f: number, t: number) => boolean) =>
      tf.tensor2d(
        from.map((f) => to.map((t) => (keep(f, t) ? 1 : 0))),
        [from.length, to.length],
      );
    const variable = (t: tf.Tensor) => {
      const v = tf.variable(t, true);
      t.dispose(); // the variable holds its own reference to the values
      return v;
    };
    let inDegrees = rank;
    this.layers = hidden.map((width, l) => {
      const layer = {
        w: variable(uniform([inDegrees.length, width], inDegrees.length, rng)),
        b: variable(uniform([width], inDegrees.length, rng)),
        mask: mask(inDegrees, degrees[l], (f, t) => t >= f),
      };
      inDegrees = degrees[l];
      return layer;
    });
    const last = hidden.at(-1)!;
    this.context = variable(uniform([contextDim, hidden[0]], contextDim, rng));
    this.shift = { w: variable(uniform([last, m], last, rng)), b: variable(tf.zeros([m])) };
    this.gate = { w: variable(uniform([last, m], last, rng)), b: variable(tf.fill([m], gateBias)) };
    this.outMask = mask(inDegrees, rank, (f, t) => t > f);
    this.variables = [
      ...this.layers.flatMap((l) => [l.w, l.b]),
      this.context,
      this.shift.w,
      this.shift.b,
      this.gate.w,
      this.gate.b,
    ];
  }

  /** (shift, gate) for z [N, m] and the context h [N, C]. */
  apply(z: tf.Tensor2D, h: tf.Tensor2D): MadeOutput {
    const a = this.layers.reduce<tf.Tensor2D>((x, l, i) => {
      const pre = tf.matMul(x, l.w.mul(l.mask) as tf.Tensor2D).add(l.b);
      return tf.elu(i === 0 ? pre.add(tf.matMul(h, this.context)) : pre) as tf.Tensor2D;
    }, z);
    const head = (p: { w: tf.Variable; b: tf.Variable }) =>
      tf.matMul(a, p.w.mul(this.outMask) as tf.Tensor2D).add(p.b) as tf.Tensor2D;
    return { shift: head(this.shift), gate: head(this.gate) };
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
    for (const t of [...this.layers.map((l) => l.mask), this.outMask]) t.dispose();
  }
}
