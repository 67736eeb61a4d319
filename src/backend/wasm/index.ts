/**
 * Kernel patches that make the wasm backend fast enough to train on:
 * BatchMatMul (all transposes, batches) through the native addon or XNNPACK, Conv2DBackpropFilter and both
 * depthwise convolution gradients (missing upstream; depthwise.ts), an im2col-based Conv2DBackpropInput,
 * and — with the native addon — Conv2D, FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2D and
 * _FusedMatMul on every core, sums and means over leading axes, bias adds, and Tile; and an
 * Identity that shares its input's data instead of copying it (identity.ts), Slice, SplitV and Unpack that read
 * their input in place instead of copying all of it first (slice.ts); with the addon, the fused
 * kernels of the VAE loss (vae-loss.ts, run by backend/fused/), relu's gradient as one kernel
 * (relu-grad.ts; the gradient itself is registered here, fused/relu-grad.ts) and the gradients of Sum and
 * Mean as broadcasts (fused/reduce-grad.ts), and Swish, training-mode
 * batch norm, the gated residual sum and the discretised logistic mixture's log-likelihood each way (swish.ts,
 * batch-norm.ts, gated-residual.ts, logistic-mixture.ts; run by fused/). The other
 * weight-caching XNNPACK kernels are wrapped to report that they ran (weight-cache.ts). Install after
 * the wasm backend is registered, and only when backend/internals.ts finds the internals we rely on.
 */
import type { KernelConfig } from '@tensorflow/tfjs';
import {
  type GradConfig,
  getGradient,
  getKernel,
  Mean,
  Relu,
  registerGradient,
  registerKernel,
  Sum,
  Transpose,
  unregisterKernel,
} from '@tensorflow/tfjs';
import { meanGradConfig, sumGradConfig } from '../fused/reduce-grad.js';
import { reluGradConfig } from '../fused/relu-grad.js';
import { addConfig } from './add.js';
import { batchMatMulConfig } from './batch_mat_mul.js';
import { batchNormConfigs } from './batch-norm.js';
import { conv2DConfig } from './conv2d.js';
import { conv2DBackpropFilterConfig } from './conv2d_backprop_filter.js';
import { conv2DBackpropInputConfig } from './conv2d_backprop_input.js';
import { depthwiseConv2dNativeConfig } from './depthwise_conv2d.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise_conv2d_backprop_filter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise_conv2d_backprop_input.js';
import { fusedConv2DConfig } from './fused_conv2d.js';
import { fusedDepthwiseConv2DConfig } from './fused_depthwise_conv2d.js';
import { fusedMatMulConfig } from './fused_mat_mul.js';
import { gatedResidualConfigs } from './gated-residual.js';
import { identityConfig } from './identity.js';
import { logisticMixtureConfigs } from './logistic-mixture.js';
import { callOriginal, original, saveOriginal } from './originals.js';
import { reluGradKernelConfig } from './relu-grad.js';
import { sliceConfigs } from './slice.js';
import { meanConfig, sumConfig } from './sum.js';
import { swishConfigs } from './swish.js';
import { tileConfig } from './tile.js';
import { vaeLossConfigs } from './vae-loss.js';
import { WEIGHT_CACHING_KERNELS } from './weight-cache.js';

const REPLACEMENTS: KernelConfig[] = [
  addConfig,
  batchMatMulConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  conv2DConfig,
  depthwiseConv2dNativeConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  fusedMatMulConfig,
  fusedConv2DConfig,
  fusedDepthwiseConv2DConfig,
  identityConfig,
  sumConfig,
  meanConfig,
  tileConfig,
  ...sliceConfigs,
  ...vaeLossConfigs,
  reluGradKernelConfig,
  ...swishConfigs,
  ...gatedResidualConfigs,
  ...logisticMixtureConfigs,
  ...batchNormConfigs,
];

/**
 * The weight-caching XNNPACK kernels vaekit does not replace run as before, through callOriginal, which
 * reports them (weight-cache.ts): after one has run, Adam no longer updates weights in place.
 */
const REPORTERS: KernelConfig[] = WEIGHT_CACHING_KERNELS.filter(
  (name) => !REPLACEMENTS.some((p) => p.kernelName === name),
).map((kernelName) => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    callOriginal(kernelName, backend as never, inputs as never, attrs as never),
}));

const PATCHES = [...REPLACEMENTS, ...REPORTERS];
let installed = false;
/** Gradients registered in place of tfjs's (fused/relu-grad.ts, fused/reduce-grad.ts). */
const GRADIENTS: [string, GradConfig][] = [
  [Relu, reluGradConfig],
  [Sum, sumGradConfig],
  [Mean, meanGradConfig],
];
/** tfjs's own gradients for those kernels, while ours are registered. */
const tfjsGradients = new Map<string, GradConfig>();

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
    if (before == null && REPORTERS.includes(patch)) continue; // not in this build of the backend
    if (before != null) unregisterKernel(patch.kernelName, 'wasm');
    // Keep the original setup (it binds the C++ entry points that our patches call).
    registerKernel({ ...patch, setupFunc: before?.setupFunc });
  }
  for (const [name, config] of GRADIENTS) {
    const theirs = getGradient(name);
    if (theirs != null) tfjsGradients.set(name, theirs);
    registerGradient(config);
  }
  installed = true;
}

/** Restores the wasm backend's own kernels (for benchmarks against the shipped backend). */
export function uninstallWasmKernels(): void {
  if (!installed) return;
  for (const patch of PATCHES) {
    const before = original(patch.kernelName);
    if (before == null && REPORTERS.includes(patch)) continue;
    unregisterKernel(patch.kernelName, 'wasm');
    if (before != null) registerKernel(before);
  }
  for (const theirs of tfjsGradients.values()) registerGradient(theirs);
  installed = false;
}
