/**
 * Identity without a copy. tfjs clones every tensor a gradient saves for the backward pass through the
 * Identity kernel (engine.saveTensorsForBackwardMode, customGrad's save), and the wasm backend's Identity
 * copies the data: ~65 copies per MLP training step. Here the clone shares the data and counts a
 * reference, as the cpu backend's Identity does. Nothing is lost: a tensor's data is never written after
 * it is made, except by the fused Adam, which updates a weight in place only while no other tensor
 * shares its memory (refCount 1, adam.ts) — a live clone of a weight makes it take tfjs's Adam instead.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { Identity } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callOriginal } from './originals.js';

function identity({ inputs, backend }: { inputs: { x: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { x } = inputs;
  if (x.dtype === 'string') return callOriginal(Identity, backend, { x });
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};
