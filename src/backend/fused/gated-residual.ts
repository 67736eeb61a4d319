/**
 * The end of an NVAE residual cell as one op: squeeze-and-excitation's channel gate applied to the cell's
 * output, scaled, and added to the skip path. Natively one kernel each way (native/elementwise.cc),
 * elsewhere the tf-op chain and its autodiff. For x, skip [B, h, w, C] and gate [B, C]:
 *   y = skip + s·(x ⊙ gate),   ∂/∂skip = dy,   ∂/∂x = s·dy·gate,   ∂/∂gate[b, c] = s·Σ_{h,w} dy·x.
 */
import * as tf from '@tensorflow/tfjs';
import { GATED_RESIDUAL, GATED_RESIDUAL_GRAD } from '../wasm/gated-residual.js';
import { nativeFor, runNative, withGradient } from './run.js';

/** skip + scale·(x ⊙ gate), the gate [B, C] broadcast over each image's pixels. */
export function gatedResidual(
  skip: tf.Tensor4D,
  x: tf.Tensor4D,
  gate: tf.Tensor2D,
  scale: number,
): tf.Tensor4D {
  const [b, , , c] = x.shape;
  const gateShaped = gate.dtype === 'float32' && tf.util.arraysEqual(gate.shape, [b, c]);
  if (!gateShaped || !nativeFor(GATED_RESIDUAL, skip, x) || !nativeFor(GATED_RESIDUAL_GRAD, gate))
    return skip.add(x.mul(gate.reshape([b, 1, 1, c])).mul(scale));
  return withGradient(
    [skip, x, gate],
    [x, gate],
    () => runNative<tf.Tensor4D>(GATED_RESIDUAL, { skip, x, gate }, { scale }),
    (dy, [savedX, savedGate]) => {
      const [dx, dgate] = runNative<tf.Tensor[]>(
        GATED_RESIDUAL_GRAD,
        { x: savedX, gate: savedGate, dy },
        { scale },
      );
      return [dy.clone(), dx, dgate];
    },
  );
}
