import type * as tf from '@tensorflow/tfjs';
import type { NamedWeight } from '../core/trainable.js';

/** A network's weights named `<prefix>/<index>`, the names checkpoints store them under. */
export function namedWeights(prefix: string, vars: tf.LayerVariable[]): NamedWeight[] {
  return vars.map((w, i) => ({ name: `${prefix}/${i}`, tensor: w.read() }));
}

/** Writes the weights named `<prefix>/<index>` back into `vars`; a missing name is an error. */
export function restoreWeights(
  prefix: string,
  vars: tf.LayerVariable[],
  weights: Map<string, tf.Tensor>,
): void {
  vars.forEach((w, i) => {
    const t = weights.get(`${prefix}/${i}`);
    if (!t) throw new Error(`checkpoint has no weight ${prefix}/${i}`);
    w.write(t);
  });
}
