import * as tf from '@tensorflow/tfjs';
import { tfSeed } from '../../core/random.js';
import type { Conv } from './conv.js';

/** The shape of the matrix a kernel is taken as: [k²·c_in, c_out] (depthwise: [k², c]). */
function matrixShape(conv: Conv): [number, number] {
  const [kh, kw, cin, cout] = conv.kernel.shape;
  return conv.depthwise ? [kh * kw, cin] : [kh * kw * cin, cout];
}

/** A kernel as the matrix whose largest singular value is regularised (a view: call inside a tidy). */
const matrixOf = (conv: Conv): tf.Tensor2D => conv.kernel.reshape(matrixShape(conv));

interface ShapeGroup {
  convs: Conv[];
  /** Persistent power-iteration vectors of every matrix of the group: u [n, rows, 1], v [n, cols, 1]. */
  u: tf.Variable;
  v: tf.Variable;
}

const normalise = (t: tf.Tensor3D) => t.div(tf.norm(t, 'euclidean', 1, true).add(1e-12)) as tf.Tensor3D;

/**
 * NVAE's spectral regularisation (Vahdat & Kautz 2020, §3.2; Miyato et al. 2018): Σ_i σ_max(W_i) over the
 * convolutions' kernels, each σ_max estimated by power iteration with persistent vectors,
 *   v ← normalise(Wᵀu),  u ← normalise(W v),  σ ≈ uᵀ W v.
 * Matrices of one shape are iterated together (batched matmuls). The iteration runs outside any gradient
 * (`iterate`, after each update; 10 times when built), so the penalty uᵀ W v has the gradient u vᵀ.
 */
export class SpectralNorms {
  private readonly groups: ShapeGroup[] = [];

  constructor(convs: Conv[], seed: number) {
    const byShape = new Map<string, Conv[]>();
    for (const c of convs) {
      const key = matrixShape(c).join('x');
      byShape.set(key, [...(byShape.get(key) ?? []), c]);
    }
    let s = seed;
    for (const group of byShape.values()) {
      const [rows, cols] = matrixShape(group[0]);
      const n = group.length;
      const draw = (shape: [number, number, number]) =>
        tf.tidy(() => normalise(tf.randomNormal(shape, 0, 1, 'float32', tfSeed(s++))));
      this.groups.push({
        convs: group,
        u: tf.tidy(() => tf.variable(draw([n, rows, 1]), false)),
        v: tf.tidy(() => tf.variable(draw([n, cols, 1]), false)),
      });
    }
    this.iterate(10);
  }

  private static stacked(g: ShapeGroup): tf.Tensor3D {
    return tf.stack(g.convs.map(matrixOf)) as tf.Tensor3D;
  }

  /** `times` power iterations of every matrix, from the stored vectors. */
  iterate(times = 1): void {
    tf.tidy(() => {
      for (const g of this.groups) {
        const w = SpectralNorms.stacked(g);
        let u = g.u as tf.Tensor3D;
        let v = g.v as tf.Tensor3D;
        for (let i = 0; i < times; i++) {
          v = normalise(tf.matMul(w, u, true, false));
          u = normalise(tf.matMul(w, v));
        }
        g.u.assign(u);
        g.v.assign(v);
      }
    });
  }

  /** The estimates σ_i = uᵀ W_i v, one per convolution (grouped by shape), differentiable in the kernels. */
  sigmas(): tf.Tensor1D {
    return tf.concat(
      this.groups.map((g) => tf.matMul(SpectralNorms.stacked(g), g.v).mul(g.u).sum([1, 2]) as tf.Tensor1D),
    );
  }

  /**
   * Σ_i σ_max(W_i): the penalty the loss adds with weight λ. Its gradient is given directly, u_i v_iᵀ for
   * each kernel (u, v held), so backpropagation makes no copy of the stacked kernels.
   */
  sum(): tf.Scalar {
    const convs = this.groups.flatMap((g) => g.convs);
    const penalty = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const value = tf.tidy(() => this.sigmas().sum()) as tf.Scalar;
      const gradFunc = (dy: tf.Scalar) =>
        this.groups.flatMap((g) => {
          const us = tf.unstack(g.u);
          const vs = tf.unstack(g.v);
          return g.convs.map((c, i) => tf.matMul(us[i], vs[i], false, true).reshape(c.kernel.shape).mul(dy));
        });
      void args;
      return { value, gradFunc };
    });
    return (penalty as (...xs: tf.Tensor[]) => tf.Scalar)(...convs.map((c) => c.kernel));
  }

  /** The persistent vectors (stored in checkpoints, so a resumed run continues exactly). */
  get variables(): tf.Variable[] {
    return this.groups.flatMap((g) => [g.u, g.v]);
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

/** Values SpectralNorms stores for a set of kernel matrices (rows × cols each): one u and one v per matrix. */
export const spectralParameters = (matrices: [number, number][]): number =>
  matrices.reduce((n, [r, c]) => n + r + c, 0);
