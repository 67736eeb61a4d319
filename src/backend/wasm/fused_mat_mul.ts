/**
 * _FusedMatMul (matMul + bias + activation, what tfjs-layers' Dense runs) for the wasm backend with
 * the native addon: the product by our BatchMatMul, then the backend's own Add and activation
 * kernels. Without the addon the backend's XNNPACK kernel runs (single-threaded).
 */
import type { _FusedMatMulAttrs, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { _FusedMatMul, getKernel } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { batchMatMul } from './batch_mat_mul.js';
import { free } from './heap.js';
import { callOriginal } from './originals.js';

interface Args {
  inputs: { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: _FusedMatMulAttrs;
}

/** Runs the wasm backend's registered kernel `name` (one we do not patch). */
function kernel(
  name: string,
  backend: BackendWasm,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
) {
  const config = getKernel(name, 'wasm');
  if (config == null) throw new Error(`the wasm backend has no ${name} kernel`);
  return (config.kernelFunc as KernelFunc)({ inputs, backend, attrs }) as TensorInfo;
}

/** y = activation(x) through the backend's kernels; x itself for linear. */
function activate(backend: BackendWasm, x: TensorInfo, inputs: Args['inputs'], attrs: _FusedMatMulAttrs) {
  switch (attrs.activation) {
    case 'linear':
      return x;
    case 'relu':
      return kernel('Relu', backend, { x });
    case 'relu6':
      return kernel('Relu6', backend, { x });
    case 'elu':
      return kernel('Elu', backend, { x });
    case 'sigmoid':
      return kernel('Sigmoid', backend, { x });
    case 'leakyrelu':
      return kernel('LeakyRelu', backend, { x }, { alpha: attrs.leakyreluAlpha ?? 0.2 });
    case 'prelu':
      return kernel('Prelu', backend, { x, alpha: inputs.preluActivationWeights as TensorInfo });
    default:
      throw new Error(`_FusedMatMul: unknown activation ${attrs.activation}`);
  }
}

export function fusedMatMul({ inputs, backend, attrs }: Args): TensorInfo {
  const { a, b, bias } = inputs;
  if (nativeKernels() == null) return callOriginal(_FusedMatMul, backend, { ...inputs }, { ...attrs });
  const { transposeA, transposeB } = attrs;
  const product = batchMatMul({ inputs: { a, b }, backend, attrs: { transposeA, transposeB } });
  const biased = bias == null ? product : kernel('Add', backend, { a: product, b: bias });
  if (biased !== product) free(backend, product);
  const out = activate(backend, biased, inputs, attrs);
  if (out !== biased) free(backend, biased);
  return out;
}

export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: 'wasm',
  kernelFunc: fusedMatMul as unknown as KernelFunc,
};
