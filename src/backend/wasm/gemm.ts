/**
 * 2-D matrix product op(A)·op(B) on the wasm heap.
 *
 * With the native addon (../native.ts) the product runs in place on the heap, every transpose
 * combination directly, on all cores. Without it we use XNNPACK: the wasm backend sends only
 * untransposed, batch-1 products there (~20-30 GFLOP/s) and every transposed product to a naive
 * triple loop (~2 GFLOP/s). Transposing an operand costs O(size) against O(m·k·n) for the product,
 * so we materialise transposes with the backend's Transpose kernel and always call the untransposed path.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { alloc, free, heapF32, offset } from './heap.js';
import { callOriginal } from './originals.js';

export function transpose2d(backend: BackendWasm, x: TensorInfo): TensorInfo {
  return callOriginal('Transpose', backend, { x }, { perm: [1, 0] });
}

/** A·B for untransposed 2-D operands: XNNPACK fully-connected path. */
function product(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  return callOriginal('BatchMatMul', backend, { a, b }, { transposeA: false, transposeB: false });
}

/** Dimensions m, n, k of op(A)·op(B) for the last two axes of A and B. */
export function productDims(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean) {
  const [aRows, aCols] = a.shape.slice(-2);
  const [bRows, bCols] = b.shape.slice(-2);
  return { m: transposeA ? aCols : aRows, n: transposeB ? bRows : bCols, k: transposeA ? aRows : aCols };
}

/**
 * Writes op(A)·op(B) for matrices stored `aAt`, `bAt` floats into tensors a and b to `cAt` floats
 * into c, with the native addon. Returns false (and writes nothing) when the addon is absent.
 */
export function nativeGemmInto(
  backend: BackendWasm,
  a: TensorInfo,
  aAt: number,
  b: TensorInfo,
  bAt: number,
  c: TensorInfo,
  cAt: number,
  shape: { m: number; n: number; k: number },
  transposeA: boolean,
  transposeB: boolean,
): boolean {
  const native = nativeKernels();
  if (native == null) return false;
  const heap = heapF32(backend); // taken after every allocation: growing the heap replaces the view
  const { m, n, k } = shape;
  native.sgemm(
    heap,
    offset(backend, a) + aAt,
    offset(backend, b) + bAt,
    offset(backend, c) + cAt,
    m,
    n,
    k,
    transposeA,
    transposeB,
  );
  return true;
}

/** op(A)·op(B) for 2-D operands; returns a new [m, n] tensor. */
export function gemm(
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo {
  const shape = productDims(a, b, transposeA, transposeB);
  if (nativeKernels() != null) {
    const out = alloc(backend, [shape.m, shape.n]);
    nativeGemmInto(backend, a, 0, b, 0, out, 0, shape, transposeA, transposeB);
    return out;
  }
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
