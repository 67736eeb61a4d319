/**
 * The tail that tfjs fuses into _FusedMatMul and FusedConv2D: y = activation(x + bias), run with the
 * wasm backend's own Add and activation kernels after our product. Consumes x.
 */
import type { _FusedMatMulAttrs, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { getKernel } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { free } from './heap.js';

export interface EpilogueOptions {
  bias?: TensorInfo;
  activation: _FusedMatMulAttrs['activation'];
  preluActivationWeights?: TensorInfo;
  leakyreluAlpha?: number;
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
function activate(backend: BackendWasm, x: TensorInfo, o: EpilogueOptions): TensorInfo {
  switch (o.activation) {
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
      return kernel('LeakyRelu', backend, { x }, { alpha: o.leakyreluAlpha ?? 0.2 });
    case 'prelu':
      return kernel('Prelu', backend, { x, alpha: o.preluActivationWeights as TensorInfo });
    default:
      throw new Error(`unknown fused activation ${o.activation}`);
  }
}

/** activation(x + bias); frees x and the intermediate sum. */
export function epilogue(backend: BackendWasm, x: TensorInfo, o: EpilogueOptions): TensorInfo {
  const biased = o.bias == null ? x : kernel('Add', backend, { a: x, b: o.bias });
  if (biased !== x) free(backend, x);
  const out = activate(backend, biased, o);
  if (out !== biased) free(backend, biased);
  return out;
}
