import type * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import type { NamedWeight } from '../core/trainable.js';

/** A stored weight as checkpoints see it: a tfjs layer's variable, or a plain variable through `variableSlot`. */
export interface WeightSlot {
  readonly shape: readonly (number | null)[];
  read(): tf.Tensor;
  write(t: tf.Tensor): void;
}

/** A plain tf.Variable (a flow's MADE weights) as a WeightSlot. */
export const variableSlot = (v: tf.Variable): WeightSlot => ({
  shape: v.shape,
  read: () => v,
  write: (t) => v.assign(t),
});

/** A network's weights named `<prefix>/<index>`, the names checkpoints store them under. */
export function namedWeights(prefix: string, vars: WeightSlot[]): NamedWeight[] {
  return vars.map((w, i) => ({ name: `${prefix}/${i}`, tensor: w.read() }));
}

const MISMATCH_HINT =
  "the run's config.json does not describe the model its checkpoint holds (was config.json edited, " +
  'or the data changed?)';

const sameShape = (a: readonly (number | null)[], b: readonly (number | null)[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Writes the weights named `<prefix>/<index>` back into `vars`. A missing name or a shape other than the
 * variable's is an InputError (a checkpoint that does not fit the model its config describes).
 */
export function restoreWeights(prefix: string, vars: WeightSlot[], weights: Map<string, tf.Tensor>): void {
  vars.forEach((w, i) => {
    const name = `${prefix}/${i}`;
    const t = weights.get(name);
    if (!t) {
      throw new InputError({
        where: `checkpoint weight ${name}`,
        expected: `a tensor of shape [${w.shape}]`,
        found: 'no such weight',
        hint: MISMATCH_HINT,
      });
    }
    if (!sameShape(t.shape, w.shape)) {
      throw new InputError({
        where: `checkpoint weight ${name}`,
        expected: `shape [${w.shape}]`,
        found: `shape [${t.shape}]`,
        hint: MISMATCH_HINT,
      });
    }
    w.write(t);
  });
}

/**
 * Checks that the weights of a checkpoint (in `where`) are exactly the model's: the same names with the
 * same shapes, none missing and none left over. Throws an InputError naming the first difference.
 */
export function checkWeightsFit(model: NamedWeight[], stored: Map<string, tf.Tensor>, where: string): void {
  for (const { name, tensor } of model) {
    const t = stored.get(name);
    if (!t || !sameShape(t.shape, tensor.shape)) {
      throw new InputError({
        where: `${where}: weight ${name}`,
        expected: `shape [${tensor.shape}] (from config.json)`,
        found: t ? `shape [${t.shape}]` : 'no such weight',
        hint: MISMATCH_HINT,
      });
    }
  }
  const names = new Set(model.map((w) => w.name));
  const extra = [...stored.keys()].filter((n) => !names.has(n));
  if (extra.length > 0) {
    throw new InputError({
      where: `${where}: weights`,
      expected: `the ${names.size} weights of the model config.json describes`,
      found: `${extra.length} more (${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ', …' : ''})`,
      hint: MISMATCH_HINT,
    });
  }
}
