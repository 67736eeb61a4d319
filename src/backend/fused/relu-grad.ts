/**
 * relu's gradient as one kernel. tfjs computes it as dy·cast(step(x)) — three kernels over the whole
 * activation for every relu of a training step (tfjs fuses relu into the matmul or conv only when no
 * gradient is taken). Gradients are registered for every backend at once: this one runs the native
 * kernel on wasm with the addon and tfjs's own formula anywhere else.
 */
import * as tf from '@tensorflow/tfjs';
import { RELU_GRAD } from '../wasm/relu-grad.js';
import { nativeFor, runNative } from './run.js';

export const reluGradConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const g = dy as tf.Tensor;
    return {
      x: () =>
        nativeFor(RELU_GRAD, x, g)
          ? runNative<tf.Tensor>(RELU_GRAD, { x, dy: g })
          : tf.mul(g, tf.cast(tf.step(x), 'float32')),
    };
  },
};
