import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** Backends in order of preference: the GPU through WebGL, then WebAssembly, then plain JavaScript. */
const PREFERENCE = ['webgl', 'wasm', 'cpu'] as const;

/**
 * Starts the fastest backend this browser offers and returns its name. The wasm binaries are served
 * with the page (Vite copies them into the build), never from a CDN. `?backend=cpu|wasm|webgl` forces one.
 */
export async function startBackend(forced: string | null): Promise<string> {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  });
  const order = PREFERENCE.filter((b) => forced === null || b === forced);
  for (const name of order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // This backend cannot start here (no WebGL context, no WebAssembly); try the next one.
    }
  }
  throw new Error(`no tfjs backend could start (tried ${order.join(', ')})`);
}
