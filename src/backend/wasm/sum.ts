/**
 * Sum and Mean for the wasm backend: a reduction over the leading axes (a bias gradient, batch-norm
 * statistics, e.g. [b, h, w, c] → [c], or a reduction of everything) runs as native column sums, in
 * double precision. The backend's own kernel first transposes the reduced axes to the end,
 * which costs more than the sum. Every other reduction, and every sum without the addon, runs the
 * backend's kernel.
 */
import type { KernelConfig, KernelFunc, SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import { Mean, Sum, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { alloc, f32, heapF32, offset } from './heap.js';
import { callOriginal } from './originals.js';

interface Args {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: SumAttrs;
}

/** The number of leading axes that `axis` names, if it names exactly axes 0..k−1; else 0. */
function leadingAxes(axis: number | number[], rank: number): number {
  const axes = [...new Set(util.parseAxisParam(axis, Array(rank).fill(1)))].sort((p, q) => p - q);
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

/** Sum or Mean (by kernel name) over the attrs' axes. */
function reduce(kernelName: typeof Sum | typeof Mean, { inputs, backend, attrs }: Args): TensorInfo {
  const { x } = inputs;
  const native = nativeKernels();
  const k = x.dtype === 'float32' && native != null ? leadingAxes(attrs.axis, x.shape.length) : 0;
  if (native == null || k === 0) return callOriginal(kernelName, backend, { x }, { ...attrs });
  const rows = util.sizeFromShape(x.shape.slice(0, k));
  const kept = x.shape.slice(k);
  const out = alloc(backend, attrs.keepDims ? [...Array(k).fill(1), ...kept] : kept);
  native.sumRows(heapF32(backend), offset(backend, x), offset(backend, out), rows, util.sizeFromShape(kept));
  if (kernelName === Mean) {
    const values = f32(backend, out);
    for (let i = 0; i < values.length; i++) values[i] /= rows;
  }
  return out;
}

export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'wasm',
  kernelFunc: ((args: Args) => reduce(Sum, args)) as unknown as KernelFunc,
};

export const meanConfig: KernelConfig = {
  kernelName: Mean,
  backendName: 'wasm',
  kernelFunc: ((args: Args) => reduce(Mean, args)) as unknown as KernelFunc,
};
