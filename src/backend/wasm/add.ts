/**
 * Add for the wasm backend with the native addon, when one operand is a bias: [..., C] + [C] (or
 * [1, …, 1, C]), either way round — every dense and conv layer's bias while training (tfjs fuses the bias
 * into the matmul or conv only when no gradient is taken). The backend's broadcasting Add walks indices
 * per element; a row-wise add is several times faster. Every other Add runs the backend's kernel.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { Add, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { alloc, heapF32, offset } from './heap.js';
import { callOriginal } from './originals.js';

interface Args {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: BackendWasm;
}

/** b is a bias for x: float32 both, b's shape ones but for x's last axis, which it matches. */
function isBias(x: TensorInfo, b: TensorInfo): boolean {
  const c = x.shape[x.shape.length - 1];
  return (
    x.dtype === 'float32' &&
    b.dtype === 'float32' &&
    b.shape.length >= 1 &&
    b.shape.length <= x.shape.length &&
    b.shape[b.shape.length - 1] === c &&
    b.shape.slice(0, -1).every((d) => d === 1) &&
    util.sizeFromShape(x.shape) > 0
  );
}

export function add({ inputs, backend }: Args): TensorInfo {
  const { a, b } = inputs;
  const native = nativeKernels();
  const [x, bias] = isBias(a, b) ? [a, b] : isBias(b, a) ? [b, a] : [null, null];
  if (native == null || x == null || bias == null) return callOriginal(Add, backend, { a, b });
  const cols = util.sizeFromShape(bias.shape);
  const out = alloc(backend, [...x.shape]);
  native.addRows(
    heapF32(backend),
    offset(backend, x),
    offset(backend, bias),
    offset(backend, out),
    util.sizeFromShape(x.shape) / cols,
    cols,
  );
  return out;
}

export const addConfig: KernelConfig = {
  kernelName: Add,
  backendName: 'wasm',
  kernelFunc: add as unknown as KernelFunc,
};
