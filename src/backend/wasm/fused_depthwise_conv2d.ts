/**
 * FusedDepthwiseConv2D (depthwise conv + bias + activation, what tf.fused.depthwiseConv2d runs) for the wasm
 * backend with the native addon: our DepthwiseConv2dNative, then the backend's Add and activation kernels.
 * Like FusedConv2D it matters beyond speed: XNNPACK's kernel caches the packed filter by tensor id.
 */
import type { FusedDepthwiseConv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { FusedDepthwiseConv2D } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { depthwiseConv2dNative } from './depthwise_conv2d.js';
import { epilogue } from './epilogue.js';
import { callOriginal } from './originals.js';

interface Args {
  inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: FusedDepthwiseConv2DAttrs;
}

export function fusedDepthwiseConv2D({ inputs, backend, attrs }: Args): TensorInfo {
  const { x, filter } = inputs;
  if (nativeKernels() == null || attrs.dataFormat !== 'NHWC' || x.dtype !== 'float32') {
    return callOriginal(FusedDepthwiseConv2D, backend, { ...inputs }, { ...attrs });
  }
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  const out = depthwiseConv2dNative({
    inputs: { x, filter },
    backend,
    attrs: { strides, pad, dataFormat, dilations, dimRoundingMode },
  });
  return epilogue(backend, out, { ...inputs, ...attrs });
}

export const fusedDepthwiseConv2DConfig: KernelConfig = {
  kernelName: FusedDepthwiseConv2D,
  backendName: 'wasm',
  kernelFunc: fusedDepthwiseConv2D as unknown as KernelFunc,
};
