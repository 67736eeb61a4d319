/**
 * The global norm ‖g‖ = √(Σ_t Σ_i t_i²) of a set of tensors (the gradient, for clipping and the NaN guard),
 * read back as a number. With the native addon on wasm: one pass over each tensor's memory; elsewhere
 * two tensor ops per tensor and a read-back.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { internalsUsable } from '../internals.js';
import { nativeKernels } from '../native.js';
import { heapF32, offset } from './heap.js';

export function globalNorm(tensors: tf.Tensor[]): number {
  const native = nativeKernels();
  if (native != null && internalsUsable() && tensors.every((t) => t.dtype === 'float32')) {
    const backend = tf.backend() as BackendWasm;
    let sum = 0;
    for (const t of tensors) sum += native.sumSquares(heapF32(backend), offset(backend, t), t.size);
    return Math.sqrt(sum);
  }
  if (tensors.length === 0) return 0;
  return tf.tidy(() => tf.sqrt(tf.addN(tensors.map((t) => t.square().sum())))).dataSync()[0];
}
