/**
 * What the fused ops share: whether their native kernels run here, and a typed tf.customGrad for ops
 * whose forward and gradient are each one kernel (natively) or a few tf ops (elsewhere). The tape then
 * holds one node per fused op instead of its chain of elementwise ops.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedKernelAvailable } from '../wasm/fused-kernel.js';

/** The native kernel `name` runs here, and every input is float32 of one shape (no broadcasting). */
export function nativeFor(name: string, ...ts: tf.Tensor[]): boolean {
  return (
    ts.every((t) => t.dtype === 'float32' && tf.util.arraysEqual(t.shape, ts[0].shape)) &&
    fusedKernelAvailable(name)
  );
}

/** Runs the native kernel `name` on named inputs (and attributes, such as an epsilon). */
export function runNative<T extends tf.Tensor | tf.Tensor[]>(
  name: string,
  inputs: Record<string, tf.Tensor>,
  attrs: tf.NamedAttrMap = {},
): T {
  return tf.engine().runKernel(name, inputs, attrs) as T;
}

/**
 * An op of `inputs` whose value and gradient are given: `forward(saved inputs)` and
 * `backward(dy, saved)` → one gradient per input. `save` lists what the gradient needs (inputs or any
 * other tensor made before the op, such as a random draw), kept alive until the backward pass.
 */
export function withGradient<T extends tf.Tensor>(
  inputs: tf.Tensor[],
  save: tf.Tensor[],
  forward: () => T,
  backward: (dy: T, saved: tf.Tensor[]) => tf.Tensor[],
): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    (args[args.length - 1] as tf.GradSaveFunc)(save);
    return { value: forward(), gradFunc: (dy: T, saved: tf.Tensor[]) => backward(dy, saved) };
  });
  return (op as (...xs: tf.Tensor[]) => T)(...inputs);
}
