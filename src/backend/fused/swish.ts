/**
 * Swish (SiLU), the NVAE cell's activation, as one op: natively one kernel each way (native/elementwise.cc),
 * elsewhere the tf-op chain x·sigmoid(x) and its autodiff.
 *   y = x·σ(x),   ∂y/∂x = σ(x)·(1 + x·(1 − σ(x))).
 */
import * as tf from '@tensorflow/tfjs';
import { SWISH, SWISH_GRAD } from '../wasm/swish.js';
import { nativeFor, runNative, withGradient } from './run.js';

/** y = x·σ(x), elementwise. */
export function swish<T extends tf.Tensor>(x: T): T {
  if (!nativeFor(SWISH, x)) return tf.mul(x, tf.sigmoid(x));
  return withGradient(
    [x],
    [x],
    () => runNative<T>(SWISH, { x }),
    (dy, [saved]) => [runNative<tf.Tensor>(SWISH_GRAD, { x: saved, dy })],
  );
}
