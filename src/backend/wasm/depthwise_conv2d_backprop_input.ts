/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend (which has none, so no model with a depthwise
 * convolution trains there): dx[b, iy, ix, c] = Σ_{ky, kx, m} dy[b, oy, ox, c·M + m]·w[ky, kx, c, m] over
 * the outputs (oy, ox) that read input pixel (iy, ix). Native with the addon (on every core). Without it, for
 * stride 1 and multiplier 1 (the NVAE's case) dx is XNNPACK's depthwise forward of dy with the filter turned by
 * 180° and the padding mirrored (kh − 1 − top above, …), ten times faster than JS loops; else JS loops on the heap.
 */
import type {
  DepthwiseConv2dNativeBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import {
  type backend_util,
  DepthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropInput,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeKernels } from '../native.js';
import {
  depthwiseBackpropInputJs,
  depthwiseInfo,
  depthwiseNative,
  multiplierOf,
  refuseDilation,
} from './depthwise.js';
import { alloc, f32, free } from './heap.js';
import { callOriginal } from './originals.js';

interface Args {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}

export function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: Args): TensorInfo {
  const { dy, filter } = inputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const info = depthwiseInfo(inputShape, filter.shape, strides, dilations, pad, dimRoundingMode);
  refuseDilation('DepthwiseConv2dNativeBackpropInput', info);
  const native = nativeKernels();
  if (native == null) {
    const viaForward = asForward(backend, dy, filter, info);
    if (viaForward != null) return viaForward;
  }
  const dx = alloc(backend, [...inputShape]);
  if (native != null) depthwiseNative(native, 'depthwiseBackpropInput', backend, dy, filter, dx, info);
  else depthwiseBackpropInputJs(f32(backend, dy), f32(backend, filter), info, f32(backend, dx));
  return dx;
}

/**
 * dx as a depthwise forward (stride 1, multiplier 1, dilation 1): dx[iy, ix, c] = Σ dy[iy + top − ky,
 * ix + left − kx, c]·w[ky, kx, c] is dy correlated with w turned by 180°, padded kh − 1 − top above and
 * kh − 1 − bottom below (likewise for columns). Null where that does not apply.
 */
function asForward(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | null {
  const { filterHeight: KH, filterWidth: KW, padInfo: p } = info;
  const pads = [KH - 1 - p.top, KH - 1 - p.bottom, KW - 1 - p.left, KW - 1 - p.right];
  const unit = [
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    multiplierOf(info),
  ];
  if (unit.some((v) => v !== 1) || pads.some((v) => v < 0)) return null;
  const turned = alloc(backend, [...filter.shape]);
  const w = f32(backend, filter);
  const t = f32(backend, turned);
  const C = info.inChannels;
  for (let ky = 0; ky < KH; ky++)
    for (let kx = 0; kx < KW; kx++)
      t.set(w.subarray((ky * KW + kx) * C, (ky * KW + kx + 1) * C), ((KH - 1 - ky) * KW + (KW - 1 - kx)) * C);
  const dx = callOriginal(
    DepthwiseConv2dNative,
    backend,
    { x: dy, filter: turned },
    {
      strides: 1,
      pad: [
        [0, 0],
        [pads[0], pads[1]],
        [pads[2], pads[3]],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: 1,
    },
  );
  free(backend, turned);
  return dx;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
