/**
 * Raw access to tensors living on the wasm backend's heap: views, temporaries, copies.
 * Views are invalidated whenever the heap grows, so take them after every allocation.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The whole heap as floats (the module's typings omit Emscripten's HEAP views). */
export function heapF32(backend: BackendWasm): Float32Array {
  return (backend.wasm as unknown as { HEAPF32: Float32Array }).HEAPF32;
}

/** Where a tensor's data starts on the heap, in floats. */
export function offset(backend: BackendWasm, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset >>> 2;
}

/** Float32 view of a tensor's data on the heap (no copy). */
export function f32(backend: BackendWasm, t: TensorInfo): Float32Array {
  const start = offset(backend, t);
  return heapF32(backend).subarray(start, start + util.sizeFromShape(t.shape));
}

/** Allocates an uninitialised float32 tensor on the heap; release with `free`. */
export function alloc(backend: BackendWasm, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

export function free(backend: BackendWasm, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/** The same data seen with another shape (no copy, no new tensor id). */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Copies `len` floats of `src` starting at element `srcAt` into `dst` at element `dstAt`. */
export function copy(
  backend: BackendWasm,
  src: TensorInfo,
  srcAt: number,
  dst: TensorInfo,
  dstAt: number,
  len: number,
): void {
  const heap = heapF32(backend);
  const s = offset(backend, src) + srcAt;
  const d = offset(backend, dst) + dstAt;
  heap.copyWithin(d, s, s + len);
}
