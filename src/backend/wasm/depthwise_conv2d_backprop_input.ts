/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend (which has none, so no model with a depthwise
 * convolution trains there): dx[b, iy, ix, c] = Σ_{ky, kx, m} dy[b, oy, ox, c·M + m]·w[ky, kx, c, m] over
 * the outputs (oy, ox) that read input pixel (iy, ix). Native with the addon (a gather per input row, on
 * every core), else the same loops in JS on the heap.
 */
import type {
  DepthwiseConv2dNativeBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import { DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { depthwiseBackpropInputJs, depthwiseInfo, depthwiseNative } from './depthwise.js';
import { alloc, f32 } from './heap.js';

interface Args {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}

export function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: Args): TensorInfo {
  const { dy, filter } = inputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const info = depthwiseInfo(inputShape, filter.shape, strides, dilations, pad, dimRoundingMode);
  const dx = alloc(backend, [...inputShape]);
  const native = nativeKernels();
  if (native != null) depthwiseNative(native, 'depthwiseBackpropInput', backend, dy, filter, dx, info);
  else depthwiseBackpropInputJs(f32(backend, dy), f32(backend, filter), info, f32(backend, dx));
  return dx;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
