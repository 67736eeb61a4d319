/**
 * Conv2D for the wasm backend with the native addon: out = im2col(x)·W, W as [kh·kw·inC, outC],
 * both steps on every core. Without the addon (or for NCHW) the backend's own XNNPACK kernel runs.
 */
import type { Conv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { backend_util, Conv2D } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { gemm } from './gemm.js';
import { free, view } from './heap.js';
import { im2colNative } from './native-conv.js';
import { callOriginal } from './originals.js';

interface Args {
  inputs: { x: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DAttrs;
}

export function conv2D({ inputs, backend, attrs }: Args): TensorInfo {
  const { x, filter } = inputs;
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  const native = nativeKernels();
  if (native == null || dataFormat !== 'NHWC' || x.dtype !== 'float32') {
    return callOriginal(Conv2D, backend, { x, filter }, { ...attrs });
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
  );
  const cols = im2colNative(native, backend, x, info);
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const out = gemm(backend, cols, view(filter, [taps, info.outChannels]), false, false);
  free(backend, cols);
  return { ...out, shape: [...info.outShape] };
}

export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2D as unknown as KernelFunc,
};
