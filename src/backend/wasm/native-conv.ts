/**
 * im2col and col2im through the native addon, on tensors of the wasm heap (see im2col.ts for the
 * layout). With the addon the convolution kernels take the untransposed im2col matrix, since the
 * native product handles transposed operands directly; `convRoute` picks how each convolution runs.
 */
import type { backend_util, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeKernels } from '../native.js';
import { alloc, heapF32, offset } from './heap.js';
import { convGeometry } from './im2col.js';

/** The im2col matrix of x: a new [batch·outH·outW, kh·kw·inC] tensor. */
export function im2colNative(
  native: NativeKernels,
  backend: BackendWasm,
  x: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const cols = alloc(backend, [rows, info.filterHeight * info.filterWidth * info.inChannels]);
  native.im2col(heapF32(backend), offset(backend, x), offset(backend, cols), ...convGeometry(info));
  return cols;
}

/** dx = col2im(cols), written into the existing tensor dx of the input's shape. */
export function col2imNative(
  native: NativeKernels,
  backend: BackendWasm,
  cols: TensorInfo,
  dx: TensorInfo,
  info: backend_util.Conv2DInfo,
): void {
  native.col2im(heapF32(backend), offset(backend, cols), offset(backend, dx), ...convGeometry(info));
}

/**
 * How a convolution runs with the addon: `pointwise` (1×1, stride 1, no padding: x as [rows, inC] is its
 * own im2col matrix, so one product), `blocked` (inC ≥ 8: the native kernels build the im2col matrix a
 * cache-sized block of rows at a time, never all of it), or `whole` (fewer channels, whose gather runs tap
 * by tap over whole images, or an empty shape: the whole im2col matrix, then one product).
 */
export function convRoute(info: backend_util.Conv2DInfo): 'pointwise' | 'blocked' | 'whole' {
  const sizes = [info.batchSize, info.outHeight, info.outWidth, info.inChannels, info.outChannels];
  if (sizes.some((n) => n === 0)) return 'whole';
  const p = info.padInfo;
  if (
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    p.top === 0 &&
    p.left === 0 &&
    info.outHeight === info.inHeight &&
    info.outWidth === info.inWidth
  )
    return 'pointwise';
  return info.inChannels >= 8 ? 'blocked' : 'whole';
}
