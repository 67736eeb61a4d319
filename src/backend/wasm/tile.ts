/**
 * Tile for the wasm backend with the native addon (tfjs's batch-norm gradient tiles per-channel
 * statistics to the full activation shape, and the backend's generic loop made that a third of a GAN
 * step). Other dtypes, and every tile without the addon, run the backend's kernel.
 */
import type { KernelConfig, KernelFunc, TensorInfo, TileAttrs } from '@tensorflow/tfjs';
import { Tile } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { alloc, heapF32, offset } from './heap.js';
import { callOriginal } from './originals.js';

interface Args {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: TileAttrs;
}

export function tile({ inputs, backend, attrs }: Args): TensorInfo {
  const { x } = inputs;
  const native = nativeKernels();
  const rank = x.shape.length;
  if (native == null || x.dtype !== 'float32' || rank < 1 || rank > 8 || attrs.reps.length !== rank) {
    return callOriginal(Tile, backend, { x }, { ...attrs });
  }
  const out = alloc(
    backend,
    x.shape.map((n, d) => n * attrs.reps[d]),
  );
  native.tile(
    heapF32(backend),
    offset(backend, x),
    offset(backend, out),
    Int32Array.from(x.shape),
    Int32Array.from(attrs.reps),
  );
  return out;
}

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'wasm',
  kernelFunc: tile as unknown as KernelFunc,
};
