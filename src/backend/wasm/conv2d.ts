/**
 * Conv2D for the wasm backend with the native addon: out = im2col(x)·W, W as [kh·kw·inC, outC], on every
 * core: a block of im2col rows at a time, or x itself for a pointwise convolution (native-conv.ts). Without the addon (or for NCHW) the backend's own XNNPACK kernel runs.
 */
import type { Conv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { backend_util, Conv2D } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { gemm } from './gemm.js';
import { alloc, free, heapF32, offset, view } from './heap.js';
import { convGeometry } from './im2col.js';
import { convRoute, im2colNative } from './native-conv.js';
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
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const w = view(filter, [taps, info.outChannels]);
  const route = convRoute(info);
  if (route === 'pointwise') {
    const rows = info.batchSize * info.outHeight * info.outWidth;
    const out = gemm(backend, view(x, [rows, info.inChannels]), w, false, false);
    return { ...out, shape: [...info.outShape] };
  }
  if (route === 'blocked') {
    const y = alloc(backend, [...info.outShape]);
    const at = [x, filter, y].map((t) => offset(backend, t)) as [number, number, number];
    native.convForward(heapF32(backend), ...at, info.outChannels, ...convGeometry(info));
    return y;
  }
  const cols = im2colNative(native, backend, x, info);
  const out = gemm(backend, cols, w, false, false);
  free(backend, cols);
  return { ...out, shape: [...info.outShape] };
}

export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2D as unknown as KernelFunc,
};
