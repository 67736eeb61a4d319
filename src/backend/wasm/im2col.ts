/**
 * Patch gathering for convolutions in NHWC layout, on plain Float32Arrays.
 * A conv output pixel r = (b, oy, ox) reads input pixel (iy, ix) through filter tap (ky, kx) where
 *   iy = oy·strideH + ky·dilationH − padTop,   ix = ox·strideW + kx·dilationW − padLeft.
 * Rows r run over batch·outH·outW, columns c = (ky·kw + kx)·inC + ci over the filter's taps.
 */
import type { backend_util } from '@tensorflow/tfjs';
import type { ConvGeometry } from '../native.js';

type ConvInfo = backend_util.Conv2DInfo;

/**
 * colsT[c, r] = x[b, iy, ix, ci] (0 outside the image): the im2col matrix, transposed.
 * Reads x channel-major (xT = x as [inC, batch, H, W]) so the inner loop walks memory
 * with stride strideW instead of strideW·inC.
 */
export function im2colT(xT: Float32Array, info: ConvInfo, colsT: Float32Array): void {
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = info;
  const { dilationHeight: DH, dilationWidth: DW } = info;
  const { top, left } = info.padInfo;
  const rows = batchSize * OH * OW;
  for (let ky = 0; ky < KH; ky++) {
    for (let kx = 0; kx < KW; kx++) {
      // Output columns whose input column lies inside the image: ox in [oxLo, oxHi).
      const x0 = kx * DW - left;
      const oxLo = Math.min(OW, Math.max(0, Math.ceil(-x0 / SW)));
      const oxHi = Math.max(oxLo, Math.min(OW, Math.ceil((W - x0) / SW)));
      for (let ci = 0; ci < C; ci++) {
        let o = ((ky * KW + kx) * C + ci) * rows;
        for (let b = 0; b < batchSize; b++) {
          const plane = (ci * batchSize + b) * H;
          for (let oy = 0; oy < OH; oy++, o += OW) {
            const iy = oy * SH + ky * DH - top;
            if (iy < 0 || iy >= H) {
              colsT.fill(0, o, o + OW);
              continue;
            }
            const src = (plane + iy) * W + x0;
            for (let ox = 0; ox < oxLo; ox++) colsT[o + ox] = 0;
            for (let ox = oxLo; ox < oxHi; ox++) colsT[o + ox] = xT[src + ox * SW];
            for (let ox = oxHi; ox < OW; ox++) colsT[o + ox] = 0;
          }
        }
      }
    }
  }
}

/** dx[b, iy, ix, ci] = Σ over (r, c) reading that pixel of cols[r, c]: the adjoint of im2col. */
export function col2im(cols: Float32Array, info: ConvInfo, dx: Float32Array): void {
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = info;
  const { dilationHeight: DH, dilationWidth: DW } = info;
  const { top, left } = info.padInfo;
  dx.fill(0);
  let r = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++, r++) {
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * SH + ky * DH - top;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * SW + kx * DW - left;
            if (ix < 0 || ix >= W) continue;
            const d = ((b * H + iy) * W + ix) * C;
            const s = (r * KH * KW + ky * KW + kx) * C;
            for (let ci = 0; ci < C; ci++) dx[d + ci] += cols[s + ci];
          }
        }
      }
    }
  }
}

/** The geometry of `info` in the order the native im2col/col2im take it. */
export function convGeometry(info: ConvInfo): ConvGeometry {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}
