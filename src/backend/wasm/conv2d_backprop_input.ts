/**
 * Conv2DBackpropInput (gradient of conv2d w.r.t. its input, i.e. transposed convolution).
 * With W the filter as [kh·kw·inC, outC] and dY = dy as [rows, outC]:
 *   cols = dY·Wᵀ  [rows, kh·kw·inC],   dx = col2im(cols)  (scatter-add of every tap; native when built).
 */
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { backend_util, Conv2DBackpropInput } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { gemm } from './gemm.js';
import { alloc, f32, free, heapF32, offset, view } from './heap.js';
import { col2im, convGeometry } from './im2col.js';
import { col2imNative, convRoute } from './native-conv.js';

interface Args {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}

export function conv2DBackpropInput({ inputs, backend, attrs }: Args): TensorInfo {
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  if (dataFormat !== 'NHWC')
    throw new Error(`Conv2DBackpropInput on wasm supports NHWC only, got ${dataFormat}`);
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const native = nativeKernels();
  const route = native == null ? 'whole' : convRoute(info);
  if (route === 'pointwise') {
    const dx = gemm(
      backend,
      view(dy, [rows, info.outChannels]),
      view(filter, [taps, info.outChannels]),
      false,
      true,
    );
    return { ...dx, shape: [...inputShape] };
  }
  if (native != null && route === 'blocked') {
    const dx = alloc(backend, [...inputShape]);
    const at = [dy, filter, dx].map((t) => offset(backend, t)) as [number, number, number];
    native.convBackpropInput(heapF32(backend), ...at, info.outChannels, ...convGeometry(info));
    return dx;
  }
  const cols = gemm(
    backend,
    view(dy, [rows, info.outChannels]),
    view(filter, [taps, info.outChannels]),
    false,
    true,
  );
  const dx = alloc(backend, [...inputShape]);
  if (native != null) col2imNative(native, backend, cols, dx, info);
  else col2im(f32(backend, cols), info, f32(backend, dx));
  free(backend, cols);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
