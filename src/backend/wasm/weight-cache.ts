/**
 * XNNPACK's matmul, conv and PReLU kernels in the wasm backend pack their weight operand once and cache
 * it under the operand's tensor id. vaekit's fused Adam updates weights in place (same id, new values),
 * so a weight that such a kernel has read would afterwards be computed with its stale packed copy (the
 * bug of commit 3c024bd). Every weight-caching kernel that is not vaekit's own reports the tensors it
 * read here, and the fused Adam refuses to update those in place (tfjs's Adam gives an updated weight a
 * new id, which no cache has seen).
 */
import type { DataId, TensorInfo } from '@tensorflow/tfjs';

export const WEIGHT_CACHING_KERNELS = [
  'BatchMatMul',
  '_FusedMatMul',
  'Conv2D',
  'FusedConv2D',
  'DepthwiseConv2dNative',
  'FusedDepthwiseConv2D',
  'Prelu',
] as const;

/** Data a foreign weight-caching kernel has read (any of its inputs may be the one it caches). */
const seen = new WeakSet<DataId>();

/** Called when kernel `name`, not vaekit's, runs on `inputs`. */
export function noteForeignWeightCache(name: string, inputs: (TensorInfo | undefined)[]): void {
  if (!(WEIGHT_CACHING_KERNELS as readonly string[]).includes(name)) return;
  for (const t of inputs) if (t != null) seen.add(t.dataId);
}

/** Whether no foreign weight-caching kernel has read `t`'s data (so it may be updated in place). */
export function safeToUpdateInPlace(t: TensorInfo): boolean {
  return !seen.has(t.dataId);
}
