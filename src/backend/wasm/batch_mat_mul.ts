/**
 * BatchMatMul for the wasm backend: every transpose combination and batch > 1 via `gemm`.
 * A batch whose right operand is shared (batchB = 1, A untransposed) is folded into the rows
 * of one product: [batch·m, k]·[k, n]. Other batches run one product per matrix (in place on the
 * heap with the native addon; through copies of each matrix without it).
 */
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { BatchMatMul, broadcast_util, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gemm, nativeGemmInto, productDims } from './gemm.js';
import { alloc, copy, free, view } from './heap.js';
import { callOriginal } from './originals.js';

interface Args {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: BackendWasm;
  attrs: BatchMatMulAttrs;
}

/** The 2-D matrix number `i` of a batch of [rows, cols] matrices (a copy unless batch = 1). */
function matrix(backend: BackendWasm, x: TensorInfo, batch: number, i: number, rows: number, cols: number) {
  if (batch === 1) return view(x, [rows, cols]);
  const m = alloc(backend, [rows, cols]);
  copy(backend, x, i * rows * cols, m, 0, rows * cols);
  return m;
}

export function batchMatMul({ inputs, backend, attrs }: Args): TensorInfo {
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  const [aRows, aCols] = a.shape.slice(-2);
  const [bRows, bCols] = b.shape.slice(-2);
  const shape = productDims(a, b, transposeA, transposeB);
  const { m, n } = shape;
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  const outBatch = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const outShape = [...outBatch, m, n];
  util.assert(
    shape.k === (transposeB ? bCols : bRows),
    () =>
      `matMul: inner dimensions of ${a.shape} and ${b.shape} (transposeA=${transposeA}, transposeB=${transposeB}) differ`,
  );
  const batch = Math.max(batchA, batchB);
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (batchA !== batchB && batchA !== 1 && batchB !== 1)) {
    return callOriginal(BatchMatMul, backend, { a, b }, { transposeA, transposeB });
  }
  if (batchB === 1 && (batchA === 1 || !transposeA)) {
    const a2 = view(a, transposeA ? [aRows, aCols] : [batchA * aRows, aCols]);
    const out = gemm(backend, a2, view(b, [bRows, bCols]), transposeA, transposeB);
    return { ...out, shape: outShape };
  }
  const out = alloc(backend, outShape);
  const aSize = aRows * aCols;
  const bSize = bRows * bCols;
  for (let i = 0; i < batch; i++) {
    const aAt = batchA > 1 ? i * aSize : 0;
    const bAt = batchB > 1 ? i * bSize : 0;
    if (nativeGemmInto(backend, a, aAt, b, bAt, out, i * m * n, shape, transposeA, transposeB)) continue;
    const ai = matrix(backend, a, batchA, i, aRows, aCols);
    const bi = matrix(backend, b, batchB, i, bRows, bCols);
    const ci = gemm(backend, ai, bi, transposeA, transposeB);
    copy(backend, ci, 0, out, i * m * n, m * n);
    free(backend, ci);
    if (batchA > 1) free(backend, ai);
    if (batchB > 1) free(backend, bi);
  }
  return out;
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
