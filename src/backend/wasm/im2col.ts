/**
 * Patch gathering for convolutions in NHWC layout, on plain Float32Arrays.
 * A conv output pixel r = (b, oy, ox) reads input pixel (iy, ix) through filter tap (ky, kx) where
 *   iy = oy·strideH + ky·dilationH − padTop,   ix = ox·strideW + kx·dilationW − padLeft.
 * Rows r run over batch·outH·outW, columns c = (ky·kw + kx)·inC + ci over the filter's taps.
 */
import type { backend_util } from '@tensorflow/tfjs';

type ConvInfo = backend_util.Conv2DInfo;

/** colsT[c, r] = x[b, iy, ix, ci] (0 outside the image): the im2col matrix, transposed. */
export function im2colT(x: Float32Array, info: ConvInfo, colsT: Float32Array): void {
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = info;
  const { dilationHeight: DH, dilationWidth: DW } = info;
  const { top, left } = info.padInfo;
  const rows = batchSize * OH * OW;
  for (let ky = 0; ky < KH; ky++) {
    for (let kx = 0; kx < KW; kx++) {
      for (let ci = 0; ci < C; ci++) {
        let o = ((ky * KW + kx) * C + ci) * rows;
        for (let b = 0; b < batchSize; b++) {
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy * SH + ky * DH - top;
            if (iy < 0 || iy >= H) {
              colsT.fill(0, o, o + OW);
              o += OW;
              continue;
            }
            const rowBase = (b * H + iy) * W;
            for (let ox = 0; ox < OW; ox++) {
              const ix = ox * SW + kx * DW - left;
              colsT[o++] = ix >= 0 && ix < W ? x[(rowBase + ix) * C + ci] : 0;
            }
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
