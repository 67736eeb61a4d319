/**
 * The gradients of Sum and Mean as a broadcast of dy. tfjs's own multiply dy by a ones tensor of the
 * input's full shape, which it first fills in JavaScript and copies to the backend: for the NVAE's
 * squeeze-and-excitation means and the per-image sums of the likelihood that was 27 ms of a 420 ms step.
 * Here dy, reshaped to keep the reduced axes (and divided by their size for Mean), is broadcast to the
 * input's shape by one Tile. Registered for every backend at once (backend/wasm/index.ts); integer
 * inputs and inputs above rank 4 (where tfjs's Tile has no gradient of its own, for second derivatives)
 * keep tfjs's formula; an input with no elements gets zeros of its shape.
 *   ∂/∂x Σ_A x = dy broadcast over A,   ∂/∂x mean_A x = dy/|A| broadcast over A.
 */
import * as tf from '@tensorflow/tfjs';

function reduceGrad(kernelName: string, mean: boolean): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const kept = x.shape.map((n, d) => (axes.includes(d) ? 1 : n));
      const size = axes.reduce((s, d) => s * x.shape[d], 1);
      return {
        x: () => {
          if (x.size === 0) return tf.zeros(x.shape); // broadcastTo leaves an axis of 0 at 1
          const g = tf.reshape(dy as tf.Tensor, kept);
          if (x.dtype !== 'float32' || x.rank > 4) {
            // tfjs's formula: Tile has no gradient beyond rank 4, so a second derivative would fail there
            const full = tf.mul(g, tf.ones(x.shape, 'float32'));
            return mean ? tf.div(full, size) : full;
          }
          return tf.broadcastTo(mean ? tf.div(g, size) : g, x.shape);
        },
      };
    },
  };
}

export const sumGradConfig = reduceGrad(tf.Sum, false);
export const meanGradConfig = reduceGrad(tf.Mean, true);
