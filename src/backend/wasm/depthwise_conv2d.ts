/**
 * DepthwiseConv2dNative for the wasm backend with the native addon:
 *   y[b, oy, ox, c·M + m] = Σ_{ky, kx} x[b, iy, ix, c]·w[ky, kx, c, m],
 * split over output rows on every core, the inner loop over contiguous channels. Faster than XNNPACK's
 * kernel on the NVAE's shapes (bench/kernels-nvae.ts), and it caches no packed filter, so the fused Adam may
 * update a depthwise filter in place. Without the addon (or for NCHW) the backend's own kernel runs.
 */
import type { DepthwiseConv2dNativeAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { DepthwiseConv2dNative } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { depthwiseInfo, depthwiseNative } from './depthwise.js';
import { alloc } from './heap.js';
import { callOriginal } from './originals.js';

interface Args {
  inputs: { x: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeAttrs;
}

export function depthwiseConv2dNative({ inputs, backend, attrs }: Args): TensorInfo {
  const { x, filter } = inputs;
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  const native = nativeKernels();
  if (native == null || dataFormat !== 'NHWC' || x.dtype !== 'float32') {
    return callOriginal(DepthwiseConv2dNative, backend, { x, filter }, { ...attrs });
  }
  const info = depthwiseInfo(x.shape, filter.shape, strides, dilations, pad, dimRoundingMode);
  const y = alloc(backend, [...info.outShape]);
  depthwiseNative(native, 'depthwiseConv', backend, x, filter, y, info);
  return y;
}

export const depthwiseConv2dNativeConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNative,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNative as unknown as KernelFunc,
};
