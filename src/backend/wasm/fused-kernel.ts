/**
 * A kernel of the native addon registered under its own name on the wasm backend, for the fused ops of
 * backend/fused/: its outputs are allocated first, then the addon writes them in place on the heap, given
 * the offsets of the inputs and outputs. Registered only with the addon; the fused ops ask `available`.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { getKernel } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { internalsUsable } from '../internals.js';
import { type NativeKernels, nativeKernels } from '../native.js';
import { alloc, heapF32, offset } from './heap.js';

export interface FusedKernel {
  name: string;
  /** The input names, in the order runKernel receives them. */
  inputs: string[];
  /** The outputs' shapes, from the inputs'. */
  outputs(inputs: TensorInfo[]): number[][];
  /** Calls the addon: heap, the inputs' offsets, then the outputs'; attrs as runKernel was given them. */
  run(
    native: NativeKernels,
    heap: Float32Array,
    at: number[],
    inputs: TensorInfo[],
    attrs: NamedAttrMap,
  ): void;
}

export function fusedKernelConfig(k: FusedKernel): KernelConfig {
  const kernelFunc = ({
    inputs,
    backend,
    attrs,
  }: {
    inputs: Record<string, TensorInfo>;
    backend: BackendWasm;
    attrs: NamedAttrMap;
  }) => {
    const native = nativeKernels();
    if (native == null)
      throw new Error(`${k.name} runs only with the native addon (ask fusedKernelAvailable)`);
    const ins = k.inputs.map((name) => inputs[name]);
    const outs = k.outputs(ins).map((shape) => alloc(backend, shape));
    const at = [...ins, ...outs].map((t) => offset(backend, t));
    k.run(native, heapF32(backend), at, ins, attrs); // the heap view is taken after the allocations
    return outs.length === 1 ? outs[0] : outs;
  };
  return { kernelName: k.name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** Whether `name` runs natively here: wasm active with vaekit's kernels installed and the addon on. */
export function fusedKernelAvailable(name: string): boolean {
  return nativeKernels() != null && internalsUsable() && getKernel(name, 'wasm') != null;
}
