/**
 * Depthwise convolution in NHWC, shared by its kernels: the geometry, the native calls, and the two
 * gradients in plain JS on the heap for when the addon is absent. x [B, H, W, C], filter w [kh, kw, C, M]
 * (M the channel multiplier), output channel c·M + m, iy = oy·strideH + ky·dilationH − padTop, ix likewise:
 *   y[b, oy, ox, c·M + m] = Σ_{ky, kx} x[b, iy, ix, c]·w[ky, kx, c, m]
 *   dx[b, iy, ix, c]      = Σ_{ky, kx, m} dy[b, oy, ox, c·M + m]·w[ky, kx, c, m]   (the (oy, ox) reading iy, ix)
 *   dw[ky, kx, c, m]      = Σ_{b, oy, ox} x[b, iy, ix, c]·dy[b, oy, ox, c·M + m]
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { backend_util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeKernels } from '../native.js';
import { heapF32, offset } from './heap.js';
import { convGeometry } from './im2col.js';

type ConvInfo = backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];
type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** The geometry of a depthwise convolution (inChannels C, outChannels C·M). */
export function depthwiseInfo(
  xShape: number[],
  filterShape: number[],
  strides: [number, number] | number,
  dilations: [number, number] | number,
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): ConvInfo {
  return backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
}

/**
 * The gradients are for dilation 1, as tfjs's own gradient of depthwiseConv2d asserts (and as the cpu backend's
 * kernels assume); anything else is refused here rather than computed untested.
 */
export function refuseDilation(kernel: string, info: ConvInfo): void {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1)
    throw new Error(
      `${kernel} on wasm supports dilation 1 only (as tfjs's depthwise gradient does), got ${info.dilationHeight}×${info.dilationWidth}`,
    );
}

/** The channel multiplier M. */
export function multiplierOf(info: ConvInfo): number {
  return info.outChannels / info.inChannels;
}

/** Which native kernel: y from (x, w), dx from (dy, w), dw from (x, dy). */
export type DepthwiseKernel = 'depthwiseConv' | 'depthwiseBackpropInput' | 'depthwiseBackpropFilter';

/** Runs the native kernel `kind` on tensors of the heap: `a` and `b` read, `out` written. */
export function depthwiseNative(
  native: NativeKernels,
  kind: DepthwiseKernel,
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  out: TensorInfo,
  info: ConvInfo,
): void {
  const [p, q, o] = [a, b, out].map((t) => offset(backend, t));
  native[kind](heapF32(backend), p, q, o, multiplierOf(info), ...convGeometry(info));
}

/** The output columns ox whose input column ox·stride + offset lies in [0, inW): [lo, hi). */
function validColumns(outW: number, stride: number, off: number, inW: number): [number, number] {
  const lo = Math.min(outW, off >= 0 ? 0 : Math.ceil(-off / stride));
  const last = inW - 1 - off;
  const hi = last < 0 ? lo : Math.max(lo, Math.min(outW, Math.floor(last / stride) + 1));
  return [lo, hi];
}

/** dx from dy and w, gathered per input pixel (dx is overwritten). */
export function depthwiseBackpropInputJs(
  dy: Float32Array,
  w: Float32Array,
  info: ConvInfo,
  dx: Float32Array,
): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = info;
  const { dilationHeight: DH, dilationWidth: DW } = info;
  const { top, left } = info.padInfo;
  const M = multiplierOf(info);
  const CM = C * M;
  dx.fill(0);
  for (let b = 0; b < B; b++) {
    for (let iy = 0; iy < H; iy++) {
      const dxRow = (b * H + iy) * W * C;
      for (let ky = 0; ky < KH; ky++) {
        const ty = iy + top - ky * DH; // oy·strideH
        if (ty < 0 || ty % SH !== 0 || ty / SH >= OH) continue;
        const dyRow = (b * OH + ty / SH) * OW * CM;
        for (let kx = 0; kx < KW; kx++) {
          const off = kx * DW - left;
          const tap = (ky * KW + kx) * CM;
          const [lo, hi] = validColumns(OW, SW, off, W);
          for (let ox = lo; ox < hi; ox++) {
            const d = dxRow + (ox * SW + off) * C;
            const e = dyRow + ox * CM;
            for (let c = 0; c < C; c++) {
              let s = 0;
              for (let m = 0; m < M; m++) s += dy[e + c * M + m] * w[tap + c * M + m];
              dx[d + c] += s;
            }
          }
        }
      }
    }
  }
}

/** acc[a0 + j] += x[x0 + j]·dy[d0 + j] for j in [j0, j1). */
function rowProducts(
  acc: Float64Array,
  a0: number,
  x: Float32Array,
  x0: number,
  dy: Float32Array,
  d0: number,
  j0: number,
  j1: number,
): void {
  const a = acc.subarray(a0 + j0, a0 + j1);
  const p = x.subarray(x0 + j0, x0 + j1);
  const q = dy.subarray(d0 + j0, d0 + j1);
  for (let j = 0; j < a.length; j++) a[j] += p[j] * q[j];
}

/** dw from x and dy, summed in double precision (dw is overwritten). */
export function depthwiseBackpropFilterJs(
  x: Float32Array,
  dy: Float32Array,
  info: ConvInfo,
  dw: Float32Array,
): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = info;
  const { dilationHeight: DH, dilationWidth: DW } = info;
  const { top, left } = info.padInfo;
  const M = multiplierOf(info);
  const CM = C * M;
  // multiplier 1, column stride 1: each tap's products along a whole row in one loop, summed per (tap, column,
  // channel) and folded over the columns at the end
  const rows = M === 1 && SW === 1;
  const row = OW * C;
  const acc = new Float64Array(rows ? KH * KW * row : KH * KW * CM);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const dyRow = (b * OH + oy) * OW * CM;
      for (let ky = 0; ky < KH; ky++) {
        const iy = oy * SH + ky * DH - top;
        if (iy < 0 || iy >= H) continue;
        const xRow = (b * H + iy) * W * C;
        for (let kx = 0; kx < KW; kx++) {
          const off = kx * DW - left;
          const [lo, hi] = validColumns(OW, SW, off, W);
          if (rows) {
            rowProducts(acc, (ky * KW + kx) * row, x, xRow + off * C, dy, dyRow, lo * C, hi * C);
            continue;
          }
          const tap = (ky * KW + kx) * CM;
          for (let ox = lo; ox < hi; ox++) {
            const p = xRow + (ox * SW + off) * C;
            const e = dyRow + ox * CM;
            for (let c = 0; c < C; c++)
              for (let m = 0; m < M; m++) acc[tap + c * M + m] += x[p + c] * dy[e + c * M + m];
          }
        }
      }
    }
  }
  if (!rows) {
    dw.set(acc);
    return;
  }
  for (let t = 0; t < KH * KW; t++) {
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let ox = 0; ox < OW; ox++) sum += acc[t * row + ox * C + c];
      dw[t * C + c] = sum;
    }
  }
}
