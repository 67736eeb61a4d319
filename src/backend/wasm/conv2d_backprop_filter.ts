/**
 * Conv2DBackpropFilter for the wasm backend (which has none, so conv nets cannot train there).
 * With X the im2col matrix [rows, kh·kw·inC] and dY = dy as [rows, outC]:
 *   dW = Xᵀ·dY,  reshaped to [kh, kw, inC, outC].
 * With the native addon: X by native im2col, and the product Xᵀ·dY directly. Without it we build
 * Xᵀ (from x transposed to [inC, batch, H, W], which keeps the gather local) so the product is
 * untransposed: XNNPACK's fast path, with only dY packed.
 */
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { backend_util, Conv2DBackpropFilter, Transpose } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { gemm } from './gemm.js';
import { alloc, f32, free, heapF32, offset, view } from './heap.js';
import { convGeometry, im2colT } from './im2col.js';
import { convRoute, im2colNative } from './native-conv.js';
import { callOriginal } from './originals.js';

interface Args {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}

export function conv2DBackpropFilter({ inputs, backend, attrs }: Args): TensorInfo {
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== 'NHWC')
    throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}`);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const dY = view(dy, [rows, info.outChannels]);
  const native = nativeKernels();
  if (native != null) {
    const route = convRoute(info);
    if (route === 'pointwise') {
      const dw = gemm(backend, view(x, [rows, info.inChannels]), dY, true, false);
      return { ...dw, shape: [...filterShape] };
    }
    if (route === 'blocked') {
      const dw = alloc(backend, [...filterShape]);
      const at = [x, dy, dw].map((t) => offset(backend, t)) as [number, number, number];
      native.convBackpropFilter(heapF32(backend), ...at, info.outChannels, ...convGeometry(info));
      return dw;
    }
    const cols = im2colNative(native, backend, x, info);
    const dw = gemm(backend, cols, dY, true, false);
    free(backend, cols);
    return { ...dw, shape: [...filterShape] };
  }
  const xT = callOriginal(Transpose, backend, { x }, { perm: [3, 0, 1, 2] });
  const colsT = alloc(backend, [taps, rows]);
  im2colT(f32(backend, xT), info, f32(backend, colsT));
  free(backend, xT);
  const dw = gemm(backend, colsT, dY, false, false);
  free(backend, colsT);
  return { ...dw, shape: [...filterShape] };
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
