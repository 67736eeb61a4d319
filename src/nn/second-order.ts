import * as tf from '@tensorflow/tfjs';

/**
 * Gradients of gradients (needed by the WGAN-GP penalty, which differentiates ‖∇ₓD(x)‖ with respect to
 * the critic's weights) work in tfjs only where every op of the first backward pass has a gradient
 * itself. Checked for the critic's ops (conv2d, matMul, add, reshape, leakyRelu, and square/sum/sqrt of
 * the penalty) against finite differences in test/objectives/gan.test.ts. One was missing:
 *
 * - LeakyRelu's gradient is `where(x > 0, dy, α·dy)`, and `Greater` (x > 0) has no registered gradient,
 *   so the second backward pass throws. The comparison is piecewise constant, so its gradient is zero
 *   almost everywhere — exactly what tfjs already registers for GreaterEqual, Step and Sign.
 *
 * Not usable twice (and so not used in the critic): ops whose gradient reads their own output (found
 * wrong against finite differences: Tanh, Sigmoid, Exp; Elu and Softmax save their output the same way).
 * tfjs saves that output as a copy taken *before* the op joins the tape, so the second pass loses the
 * path through it and silently returns a wrong gradient.
 */
export function ensureSecondOrderGradients(): void {
  if (tf.getGradient('Greater') != null) return;
  tf.registerGradient({
    kernelName: 'Greater',
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy, saved) => {
      const [a, b] = saved;
      return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
    },
  });
}
