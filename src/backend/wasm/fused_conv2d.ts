/**
 * FusedConv2D (conv2d + bias + activation, what tfjs-layers' Conv2D runs outside gradient tapes) for the
 * wasm backend with the native addon: our Conv2D, with a per-channel bias added in its own pass, then the
 * backend's activation kernel (and Add, for a bias of another shape).
 * This one matters beyond speed: XNNPACK's own kernel caches the packed filter by tensor id, so after
 * the fused Adam updates a filter in place it would keep convolving with the old one.
 */
import type { FusedConv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { FusedConv2D, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import { conv2DInfo, nativeConv } from './conv2d.js';
import { epilogue } from './epilogue.js';
import { callOriginal } from './originals.js';

interface Args {
  inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: FusedConv2DAttrs;
}

export function fusedConv2D({ inputs, backend, attrs }: Args): TensorInfo {
  const { x, filter, bias } = inputs;
  const native = nativeKernels();
  if (native == null || attrs.dataFormat !== 'NHWC' || x.dtype !== 'float32') {
    return callOriginal(FusedConv2D, backend, { ...inputs }, { ...attrs });
  }
  const info = conv2DInfo(x, filter, attrs);
  // a bias of one value per output channel goes into the convolution's own pass; any other shape broadcasts
  const perChannel =
    bias != null && bias.dtype === 'float32' && util.sizeFromShape(bias.shape) === info.outChannels;
  const { biased, ...out } = nativeConv(native, backend, x, filter, info, perChannel ? bias : undefined);
  return epilogue(backend, out, { ...inputs, ...attrs, bias: biased ? undefined : bias });
}

export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: 'wasm',
  kernelFunc: fusedConv2D as unknown as KernelFunc,
};
