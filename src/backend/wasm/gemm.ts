/**
 * 2-D matrix product op(A)·op(B) on the wasm heap through XNNPACK.
 *
 * The wasm backend sends only untransposed, batch-1 products to XNNPACK (~20-30 GFLOP/s);
 * every transposed product runs a naive triple loop (~2 GFLOP/s). Transposing an operand
 * costs O(size) against O(m·k·n) for the product, so we materialise transposes with the
 * backend's Transpose kernel and always call the untransposed path.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { free } from './heap.js';
import { callOriginal } from './originals.js';

export function transpose2d(backend: BackendWasm, x: TensorInfo): TensorInfo {
  return callOriginal('Transpose', backend, { x }, { perm: [1, 0] });
}

/** A·B for untransposed 2-D operands: XNNPACK fully-connected path. */
function product(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  return callOriginal('BatchMatMul', backend, { a, b }, { transposeA: false, transposeB: false });
}

/** op(A)·op(B) for 2-D operands; returns a new [m, n] tensor. */
export function gemm(
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo {
  if (transposeA && transposeB) {
    // Aᵀ·Bᵀ = (B·A)ᵀ: one transpose of the result instead of two of the operands.
    const ba = product(backend, b, a);
    const out = transpose2d(backend, ba);
    free(backend, ba);
    return out;
  }
  const a2 = transposeA ? transpose2d(backend, a) : a;
  const b2 = transposeB ? transpose2d(backend, b) : b;
  const out = product(backend, a2, b2);
  if (a2 !== a) free(backend, a2);
  if (b2 !== b) free(backend, b2);
  return out;
}
