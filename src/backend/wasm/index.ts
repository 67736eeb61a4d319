/**
 * Kernel patches that make the wasm backend fast enough to train on:
 * BatchMatMul (all transposes, batches) through the native addon or XNNPACK, Conv2DBackpropFilter
 * (missing upstream), an im2col-based Conv2DBackpropInput, and — with the native addon — Conv2D,
 * FusedConv2D and _FusedMatMul on every core, sums and means over leading axes, and Tile. Install after the wasm backend is registered.
 */
import type { KernelConfig } from '@tensorflow/tfjs';
import { getKernel, registerKernel, Transpose, unregisterKernel } from '@tensorflow/tfjs';
import { batchMatMulConfig } from './batch_mat_mul.js';
import { conv2DConfig } from './conv2d.js';
import { conv2DBackpropFilterConfig } from './conv2d_backprop_filter.js';
import { conv2DBackpropInputConfig } from './conv2d_backprop_input.js';
import { fusedConv2DConfig } from './fused_conv2d.js';
import { fusedMatMulConfig } from './fused_mat_mul.js';
import { original, saveOriginal } from './originals.js';
import { meanConfig, sumConfig } from './sum.js';
import { tileConfig } from './tile.js';

const PATCHES: KernelConfig[] = [
  batchMatMulConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  conv2DConfig,
  fusedMatMulConfig,
  fusedConv2DConfig,
  sumConfig,
  meanConfig,
  tileConfig,
];
let installed = false;

function capture(name: string): void {
  const config = getKernel(name, 'wasm');
  if (config != null) saveOriginal(config);
}

/** Replaces the wasm backend's slow or missing kernels with ours. Idempotent. */
export function installWasmKernels(): void {
  if (installed) return;
  capture(Transpose);
  for (const patch of PATCHES) {
    capture(patch.kernelName);
    const before = original(patch.kernelName);
    if (before != null) unregisterKernel(patch.kernelName, 'wasm');
    // Keep the original setup (it binds the C++ entry points that our patches call).
    registerKernel({ ...patch, setupFunc: before?.setupFunc });
  }
  installed = true;
}

/** Restores the wasm backend's own kernels (for benchmarks against the shipped backend). */
export function uninstallWasmKernels(): void {
  if (!installed) return;
  for (const patch of PATCHES) {
    unregisterKernel(patch.kernelName, 'wasm');
    const before = original(patch.kernelName);
    if (before != null) registerKernel(before);
  }
  installed = false;
}
