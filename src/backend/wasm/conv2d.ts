/**
 * Conv2D for the wasm backend with the native addon: out = im2col(x)·W, W as [kh·kw·inC, outC], on every
 * core: a block of im2col rows at a time, or x itself for a pointwise convolution (native-conv.ts).
 * Without the addon (or for NCHW) the backend's own XNNPACK kernel runs.
 */
import type { Conv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { backend_util, Conv2D } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type NativeKernels, nativeKernels } from '../native.js';
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
  const native = nativeKernels();
  if (native == null || attrs.dataFormat !== 'NHWC' || x.dtype !== 'float32') {
    return callOriginal(Conv2D, backend, { x, filter }, { ...attrs });
  }
  return nativeConv(native, backend, x, filter, conv2DInfo(x, filter, attrs));
}

/** The geometry of a Conv2D or FusedConv2D of x by filter. */
export function conv2DInfo(
  x: TensorInfo,
  filter: TensorInfo,
  { strides, dilations, pad, dimRoundingMode }: Conv2DAttrs,
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
  );
}

/**
 * The convolution with the addon; with a bias of one value per output channel (FusedConv2D's), added to each
 * block of the output while it is in cache, except on the `whole` route (the caller adds it then: returns
 * `biased` false).
 */
export function nativeConv(
  native: NativeKernels,
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  bias?: TensorInfo,
): TensorInfo & { biased?: boolean } {
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const route = convRoute(info);
  if (route !== 'whole') {
    const y = alloc(backend, [...info.outShape]);
    const biasAt = bias == null ? -1 : offset(backend, bias);
    const at = [x, filter].map((t) => offset(backend, t)) as [number, number];
    native.convForward(
      heapF32(backend),
      ...at,
      biasAt,
      offset(backend, y),
      info.outChannels,
      ...convGeometry(info),
    );
    return { ...y, biased: bias != null };
  }
  const cols = im2colNative(native, backend, x, info);
  const out = gemm(backend, cols, view(filter, [taps, info.outChannels]), false, false);
  free(backend, cols);
  return { ...out, shape: [...info.outShape], biased: false };
}

export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2D as unknown as KernelFunc,
};
