/**
 * The wasm backend's own kernels, captured before our patches replace them.
 * Patches call these: XNNPACK's untransposed matmul is the fast path we route into.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { noteForeignWeightCache } from './weight-cache.js';

const saved = new Map<string, KernelConfig>();

export function saveOriginal(config: KernelConfig): void {
  if (!saved.has(config.kernelName)) saved.set(config.kernelName, config);
}

export function original(name: string): KernelConfig | undefined {
  return saved.get(name);
}

/** Runs the wasm backend's original kernel `name`. */
export function callOriginal(
  name: string,
  backend: BackendWasm,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const config = saved.get(name);
  if (config == null) throw new Error(`wasm kernel ${name} was not captured before patching`);
  noteForeignWeightCache(name, Object.values(inputs));
  return (config.kernelFunc as KernelFunc)({ inputs, backend, attrs }) as TensorInfo;
}
