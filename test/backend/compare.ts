/**
 * Helpers for kernel tests: run the same computation on 'cpu' (reference) and on 'wasm'
 * with our patches — with the native addon and without it (the pure-npm path) — and compare element-wise.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadNativeKernels, nativeKernels, setNativeKernelsEnabled } from '../../src/backend/native.js';
import { installWasmKernels } from '../../src/backend/wasm/index.js';

let ready = false;

/** Registers both backends once (quietly) and installs the wasm patches. */
export async function setup(): Promise<void> {
  if (ready) return;
  const warn = console.warn;
  console.warn = () => {};
  await tf.setBackend('cpu');
  await tf.setBackend('wasm');
  console.warn = warn;
  await loadNativeKernels();
  installWasmKernels();
  ready = true;
}

/** Deterministic values in [-1, 1) (a small LCG), so both backends see identical inputs. */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Runs `f` on `backend` and returns every output's data; leaves no tensors behind. */
export async function runOn(backend: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(f);
  const data = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  return data;
}

/** |actual − expected| ≤ tol·(1 + |expected|) for every element, with the worst index in the message. */
export function assertClose(actual: Float32Array, expected: Float32Array, what: string, tol = 1e-4): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (!(err <= worstErr)) {
      worst = i;
      worstErr = err;
    }
  }
  assert.ok(
    worstErr <= tol,
    `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (rel err ${worstErr})`,
  );
}

/** The wasm kernel paths to test: with the native addon (when it is built) and without it. */
export function nativePaths(): boolean[] {
  return nativeKernels() != null ? [true, false] : [false];
}

/** Runs `f` with the native kernels on or off, then turns them back on. */
export async function withNative<T>(on: boolean, f: () => Promise<T>): Promise<T> {
  setNativeKernelsEnabled(on);
  try {
    return await f();
  } finally {
    setNativeKernelsEnabled(true);
  }
}

/** Runs `f` on cpu and on patched wasm (each kernel path) and compares all outputs. */
export async function compareBackends(what: string, f: () => tf.Tensor[], tol?: number): Promise<void> {
  const expected = await runOn('cpu', f);
  for (const native of nativePaths()) {
    const actual = await withNative(native, () => runOn('wasm', f));
    const path = native ? 'native' : 'wasm kernels';
    for (let i = 0; i < expected.length; i++)
      assertClose(actual[i], expected[i], `${what} (${path}) output ${i}`, tol);
  }
}
