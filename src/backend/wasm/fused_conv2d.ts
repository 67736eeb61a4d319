/**
 * FusedConv2D (conv2d + bias + activation, what tfjs-layers' Conv2D runs outside gradient tapes) for the
 * wasm backend with the native addon: our Conv2D, then the backend's Add and activation kernels.
 * This one matters beyond speed: XNNPACK's own kernel caches the packed filter by tensor id, so after
 * the fused Adam updates a filter in place it would keep convolving with the old one.
 */
import type { FusedConv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { FusedConv2D } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { conv2D } from './conv2d.js';
import { epilogue } from './epilogue.js';
import { callOriginal } from './originals.js';

interface Args {
  inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: FusedConv2DAttrs;
}

export function fusedConv2D({ inputs, backend, attrs }: Args): TensorInfo {
  const { x, filter } = inputs;
  if (nativeKernels() == null || attrs.dataFormat !== 'NHWC') {
    return callOriginal(FusedConv2D, backend, { ...inputs }, { ...attrs });
  }
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  const out = conv2D({
    inputs: { x, filter },
    backend,
    attrs: { strides, pad, dataFormat, dilations, dimRoundingMode },
  });
  return epilogue(backend, out, { ...inputs, ...attrs });
}

export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: 'wasm',
  kernelFunc: fusedConv2D as unknown as KernelFunc,
};
