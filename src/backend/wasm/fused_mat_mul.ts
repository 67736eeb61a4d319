/**
 * _FusedMatMul (matMul + bias + activation, what tfjs-layers' Dense runs outside gradient tapes) for the
 * wasm backend with the native addon: the product by our BatchMatMul, then the backend's Add and
 * activation kernels. Without the addon the backend's XNNPACK kernel runs (single-threaded).
 */
import type { _FusedMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { _FusedMatMul } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { batchMatMul } from './batch_mat_mul.js';
import { epilogue } from './epilogue.js';
import { callOriginal } from './originals.js';

interface Args {
  inputs: { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: _FusedMatMulAttrs;
}

export function fusedMatMul({ inputs, backend, attrs }: Args): TensorInfo {
  const { a, b } = inputs;
  if (nativeKernels() == null) return callOriginal(_FusedMatMul, backend, { ...inputs }, { ...attrs });
  const { transposeA, transposeB } = attrs;
  const product = batchMatMul({ inputs: { a, b }, backend, attrs: { transposeA, transposeB } });
  return epilogue(backend, product, { ...inputs, ...attrs });
}

export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: 'wasm',
  kernelFunc: fusedMatMul as unknown as KernelFunc,
};
