/**
 * vaekit's fast paths lean on tfjs internals that no public API promises: the wasm backend's heap
 * (`wasm.HEAPF32`), where a tensor lives on it (`dataIdMap.get(id).memoryOffset`), its kernel registry,
 * the engine's variable registry, and AdamOptimizer's private state (`accBeta1`, `accumulatedFirstMoment`,
 * `incrementIterations`, …). package.json pins the
 * exact tfjs version these were written against; at start-up `checkInternals` verifies the version and
 * that each internal is there. If not — a user's install resolved another tfjs — the kernel patches,
 * the native addon and the fused Adam are all turned off with one warning line, and training runs on
 * tfjs's own kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The tfjs version the patches were written and tested against (package.json pins it). */
export const TFJS_VERSION = '4.22.0';

/** The wasm kernels vaekit replaces or wraps; each must exist (with its C++ setup) in the backend. */
const KERNELS_USED = [
  'Add',
  'BatchMatMul',
  '_FusedMatMul',
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Identity',
  'Sum',
  'Mean',
  'Tile',
  'Transpose',
];

const verdicts = new Map<string, string | null>();

/** Why the internals cannot be used (one line), or null when they can; checked once per backend. */
export function internalsProblem(): string | null {
  const name = tf.getBackend();
  if (!verdicts.has(name)) verdicts.set(name, findProblem());
  return verdicts.get(name) ?? null;
}

/** True when the patches, the addon and the fused Adam may run (wasm backend, internals as expected). */
export function internalsUsable(): boolean {
  return tf.getBackend() === 'wasm' && internalsProblem() === null;
}

function findProblem(): string | null {
  const version = tf.version_core;
  if (version !== TFJS_VERSION) return `@tensorflow/tfjs-core ${version}, not ${TFJS_VERSION}`;
  if (tf.getBackend() !== 'wasm') return null; // nothing of the wasm backend is touched elsewhere
  const backend = tf.backend() as BackendWasm & { wasm?: { HEAPF32?: unknown } };
  if (!(backend.wasm?.HEAPF32 instanceof Float32Array)) return 'the wasm backend has no HEAPF32 view';
  const probe = tf.tensor1d([1, 2]);
  try {
    const entry = backend.dataIdMap?.get(probe.dataId) as { memoryOffset?: unknown } | undefined;
    if (typeof entry?.memoryOffset !== 'number') return 'wasm tensors have no memoryOffset';
    if (
      typeof backend.refCount !== 'function' ||
      typeof backend.incRef !== 'function' ||
      typeof backend.makeOutput !== 'function'
    )
      return 'the wasm backend lacks refCount/incRef/makeOutput';
  } finally {
    probe.dispose();
  }
  for (const name of KERNELS_USED) {
    if (tf.getKernel(name, 'wasm') == null) return `the wasm backend has no ${name} kernel`;
  }
  if (typeof tf.engine().registeredVariables !== 'object')
    return 'the tfjs engine has no registeredVariables';
  const adam = new tf.AdamOptimizer(0.1, 0.9, 0.999) as unknown as Record<string, unknown>;
  try {
    if (typeof adam.incrementIterations !== 'function') return 'AdamOptimizer has no incrementIterations';
    for (const field of ['accBeta1', 'accBeta2'])
      if (!(adam[field] instanceof tf.Variable)) return `AdamOptimizer has no ${field}`;
    for (const field of ['accumulatedFirstMoment', 'accumulatedSecondMoment'])
      if (!Array.isArray(adam[field])) return `AdamOptimizer has no ${field}`;
  } finally {
    (adam as unknown as tf.Optimizer).dispose();
  }
  return null;
}
