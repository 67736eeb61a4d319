import * as tf from '@tensorflow/tfjs';
import { tfSeed } from '../core/random.js';
import type { GraphBuilder } from './graph.js';

/**
 * Example inputs for every input of a graph, `n` rows each, reproducible from `seed`: N(0, 1) for latents and
 * noise, uniform [0, 1] for images, one-hot rows of random classes for labels.
 */
export function exampleFeeds(graph: GraphBuilder, n: number, seed: number): Record<string, tf.Tensor> {
  return tf.tidy(() =>
    Object.fromEntries(
      graph.inputs.map((port, i) => {
        const shape = [n, ...port.value.shape.slice(1)];
        const s = seed * 7919 + i;
        switch (port.kind) {
          case 'unit':
            return [port.name, tf.randomUniform(shape, 0, 1, 'float32', tfSeed(s))];
          case 'one-hot': {
            const classes = shape[shape.length - 1];
            const labels = tf.randomUniform([n], 0, classes, 'float32', tfSeed(s)).floor().toInt();
            return [port.name, tf.oneHot(labels as tf.Tensor1D, classes).toFloat()];
          }
          default:
            return [port.name, tf.randomNormal(shape, 0, 1, 'float32', tfSeed(s))];
        }
      }),
    ),
  );
}

/** The largest |a − b| / max(1, |b|) over the outputs both hold; equal values (NaN for NaN, ∞ for ∞) agree. */
export function maxRelativeError(a: Record<string, tf.Tensor>, b: Record<string, tf.Tensor>): number {
  let worst = 0;
  for (const name of Object.keys(b)) {
    const x = a[name].dataSync();
    const y = b[name].dataSync();
    if (x.length !== y.length) return Number.POSITIVE_INFINITY;
    for (let i = 0; i < y.length; i++) {
      if (Object.is(x[i], y[i]) || x[i] === y[i]) continue;
      const e = Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(y[i]));
      if (Number.isNaN(e)) return Number.POSITIVE_INFINITY;
      worst = Math.max(worst, e);
    }
  }
  return worst;
}
