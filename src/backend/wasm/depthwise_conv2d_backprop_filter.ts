/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (which has none):
 *   dw[ky, kx, c, m] = Σ_{b, oy, ox} x[b, iy, ix, c]·dy[b, oy, ox, c·M + m].
 * Native with the addon (rows split over the cores, a double-precision partial sum per thread), else the
 * same loops in JS on the heap.
 */
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import { DepthwiseConv2dNativeBackpropFilter } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { depthwiseBackpropFilterJs, depthwiseInfo, depthwiseNative, refuseDilation } from './depthwise.js';
import { alloc, f32 } from './heap.js';

interface Args {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}

export function depthwiseConv2dNativeBackpropFilter({ inputs, backend, attrs }: Args): TensorInfo {
  const { x, dy } = inputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = depthwiseInfo(x.shape, filterShape, strides, dilations, pad, dimRoundingMode);
  refuseDilation('DepthwiseConv2dNativeBackpropFilter', info);
  const dw = alloc(backend, [...filterShape]);
  const native = nativeKernels();
  if (native != null) depthwiseNative(native, 'depthwiseBackpropFilter', backend, x, dy, dw, info);
  else depthwiseBackpropFilterJs(f32(backend, x), f32(backend, dy), info, f32(backend, dw));
  return dw;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
