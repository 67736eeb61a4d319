import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** Backends in order of preference: the GPU through WebGL, then WebAssembly, then plain JavaScript. */
const PREFERENCE = ['webgl', 'wasm', 'cpu'] as const;
type BackendName = (typeof PREFERENCE)[number];

/** The backend that started, and why a faster-looking one was passed over (empty when none was). */
export interface StartedBackend {
  name: BackendName;
  note: string;
}

/**
 * True when this browser's WebGL is rendered in software (SwiftShader, llvmpipe: no GPU, or the GPU is
 * blocklisted). The browser says so by refusing a context that must not have a "major performance
 * caveat"; tfjs on such WebGL was reported (issue #16, not timed here) to load slower than on WebAssembly.
 */
function webglIsSoftware(): boolean {
  for (const kind of ['webgl2', 'webgl'] as const) {
    const plain = document.createElement('canvas').getContext(kind) as WebGLRenderingContext | null;
    if (!plain) continue;
    const fast = document
      .createElement('canvas')
      .getContext(kind, { failIfMajorPerformanceCaveat: true }) as WebGLRenderingContext | null;
    for (const gl of [plain, fast]) gl?.getExtension('WEBGL_lose_context')?.loseContext();
    return fast === null;
  }
  return false; // no WebGL at all: tfjs's webgl backend will not start, and says so
}

/**
 * Starts the fastest backend this browser offers and says which. The wasm binaries are served with
 * the page (Vite copies them into the build), never from a CDN. `?backend=cpu|wasm|webgl` forces one;
 * without it, WebGL is skipped when it is software-rendered.
 */
export async function startBackend(forced: string | null): Promise<StartedBackend> {
  if (forced !== null && !PREFERENCE.includes(forced as BackendName)) {
    throw new Error(`unknown backend "${forced}" in the URL: use ?backend=${PREFERENCE.join(', ?backend=')}`);
  }
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  });
  let note = '';
  let order: BackendName[] = forced === null ? [...PREFERENCE] : [forced as BackendName];
  if (forced === null && webglIsSoftware()) {
    order = order.filter((b) => b !== 'webgl');
    note = 'WebGL is software-rendered here (no usable GPU), so WebAssembly is faster';
  }
  for (const name of order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return { name, note };
      }
    } catch {
      // This backend cannot start here (no WebGL context, no WebAssembly); try the next one.
    }
  }
  throw new Error(`no tfjs backend could start (tried ${order.join(', ')})`);
}
