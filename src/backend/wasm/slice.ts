/**
 * Slice, SplitV and Unpack that read their input where it lies on the heap. The wasm backend's Slice
 * starts with readSync, which copies the whole input into a fresh ArrayBuffer before slicing it: a slice
 * of a 7 MB tensor cost 17 ms, and SplitV (a concatenation's gradient) and Unpack pay that once per output. Here each
 * output is a sequence of contiguous runs moved with copyWithin on the heap: the run is the product of
 * the sizes from the last axis that is cut to the end. Strings run the backend's own kernels.
 */
import type {
  KernelConfig,
  KernelFunc,
  SliceAttrs,
  SplitVAttrs,
  TensorInfo,
  UnpackAttrs,
} from '@tensorflow/tfjs';
import { backend_util, Slice, SplitV, slice_util, Unpack, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callOriginal } from './originals.js';

/** The wasm heap as bytes (the module's typings omit Emscripten's HEAP views). */
const heapU8 = (backend: BackendWasm) => (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8;

/** x[begin : begin + size] into a new tensor, begin and size already resolved (no −1). */
function sliceResolved(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const count = util.sizeFromShape(size);
  if (count === 0) return out;
  const shape = x.shape; // rank ≥ 1: tfjs refuses to slice a scalar
  const rank = shape.length;
  const strides = [...util.computeStrides(shape), 1];
  // the axes after `cut` are taken whole, so a run of `run` elements is contiguous in x and in out
  let cut = rank - 1;
  while (cut > 0 && size[cut] === shape[cut]) cut--;
  const run = size[cut] * strides[cut];
  const bytes = util.bytesPerElement(x.dtype);
  const heap = heapU8(backend);
  const from = backend.dataIdMap.get(x.dataId).memoryOffset;
  const to = backend.dataIdMap.get(out.dataId).memoryOffset;
  const index = begin.slice(0, cut); // odometer over the axes before `cut`
  let start = begin.reduce((s, b, d) => s + b * strides[d], 0);
  for (let written = 0; written < count; written += run) {
    heap.copyWithin(to + written * bytes, from + start * bytes, from + (start + run) * bytes);
    let d = cut - 1;
    for (; d >= 0; d--) {
      index[d]++;
      start += strides[d];
      if (index[d] < begin[d] + size[d]) break;
      start -= size[d] * strides[d];
      index[d] = begin[d];
    }
  }
  return out;
}

/** x cut along `axis` into consecutive parts of the given sizes (SplitV, and Unpack's parts of 1). */
function partsAlong(backend: BackendWasm, x: TensorInfo, axis: number, sizes: number[]): TensorInfo[] {
  const begin = x.shape.map(() => 0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const part = sliceResolved(backend, x, begin, size);
    begin[axis] += s;
    return part;
  });
}

function slice({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: SliceAttrs;
}): TensorInfo {
  const { x } = inputs;
  if (x.dtype === 'string') return callOriginal(Slice, backend, { x }, { ...attrs });
  const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size);
  slice_util.assertParamsValid(x, begin, size);
  return sliceResolved(backend, x, begin, size);
}

function splitV({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: SplitVAttrs;
}): TensorInfo[] {
  const { x } = inputs;
  if (x.dtype === 'string')
    return callOriginal(SplitV, backend, { x }, { ...attrs }) as unknown as TensorInfo[];
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
  return partsAlong(backend, x, axis, backend_util.prepareSplitSize(x as never, attrs.numOrSizeSplits, axis));
}

function unpack({
  inputs,
  backend,
  attrs,
}: {
  inputs: { value: TensorInfo };
  backend: BackendWasm;
  attrs: UnpackAttrs;
}): TensorInfo[] {
  const { value } = inputs;
  if (value.dtype === 'string')
    return callOriginal(Unpack, backend, { value }, { ...attrs }) as unknown as TensorInfo[];
  const axis = attrs.axis < 0 ? attrs.axis + value.shape.length : attrs.axis;
  const outShape = value.shape.filter((_, d) => d !== axis);
  const ones = new Array<number>(value.shape[axis]).fill(1);
  return partsAlong(backend, value, axis, ones).map((part) => ({ ...part, shape: outShape }));
}

export const sliceConfigs: KernelConfig[] = [
  { kernelName: Slice, backendName: 'wasm', kernelFunc: slice as unknown as KernelFunc },
  { kernelName: SplitV, backendName: 'wasm', kernelFunc: splitV as unknown as KernelFunc },
  { kernelName: Unpack, backendName: 'wasm', kernelFunc: unpack as unknown as KernelFunc },
];
