// Patch gathering for convolutions in NHWC layout (see kernels.h), split over the batch.
#include <algorithm>
#include <cstring>

#include "kernels.h"
#include "pool.h"

namespace vaekit {
namespace {

// Below this many channels a pixel's channels are too short to copy as a block: the small-channel paths
// run tap by tap, over every valid output column at once, with no per-pixel bounds checks or calls.
// (A 1-channel image's im2col or col2im took longer than the whole GEMM of its convolution.)
constexpr int SMALL_C = 8;

// im2col (Copy) or col2im (adding back) of image b, tap by tap, for C < SMALL_C channels (Channels: C
// known at compile time, or 0 to read it from g). The caller zeroes cols (im2col) or dx (col2im) first.
template <bool Copy, int Channels>
void gatherSmall(const float* xIn, float* xOut, float* colsOut, const float* colsIn, int b, const ConvGeometry& g) {
  const int C = Channels > 0 ? Channels : g.inC;
  const size_t rowLength = (size_t)g.filterH * g.filterW * C;
  const size_t image = (size_t)g.inH * g.inW * C;
  const size_t block = (size_t)g.outH * g.outW * rowLength;
  for (int ky = 0; ky < g.filterH; ky++) {
    for (int kx = 0; kx < g.filterW; kx++) {
      int lo, hi;
      validColumns(g.outW, g.strideW, kx * g.dilationW - g.padLeft, g.inW, lo, hi);
      const size_t tap = (size_t)(ky * g.filterW + kx) * C;
      for (int oy = 0; oy < g.outH; oy++) {
        const int iy = oy * g.strideH + ky * g.dilationH - g.padTop;
        if (iy < 0 || iy >= g.inH) continue;
        const size_t pixel0 = ((size_t)iy * g.inW + kx * g.dilationW - g.padLeft) * C;  // ix = ox·strideW + that
        const size_t row0 = (size_t)oy * g.outW * rowLength + tap;
        for (int ox = lo; ox < hi; ox++) {
          const size_t px = b * image + pixel0 + (size_t)ox * g.strideW * C;
          const size_t at = b * block + row0 + (size_t)ox * rowLength;
          for (int c = 0; c < C; c++) {
            if (Copy) {
              colsOut[at + c] = xIn[px + c];
            } else {
              xOut[px + c] += colsIn[at + c];
            }
          }
        }
      }
    }
  }
}

template <bool Copy>
void gatherSmall(const float* xIn, float* xOut, float* colsOut, const float* colsIn, int b, const ConvGeometry& g) {
  if (g.inC == 1) {
    gatherSmall<Copy, 1>(xIn, xOut, colsOut, colsIn, b, g);  // grey images
  } else {
    gatherSmall<Copy, 0>(xIn, xOut, colsOut, colsIn, b, g);
  }
}

}  // namespace

void im2col(const float* x, float* cols, const ConvGeometry& g) {
  const int C = g.inC, taps = g.filterH * g.filterW;
  const size_t rowLength = (size_t)taps * C;
  parallelFor(g.batch, pool().size(), [&](int, int b0, int b1) {
    if (C < SMALL_C) {
      const size_t block = (size_t)g.outH * g.outW * rowLength;
      std::fill(cols + b0 * block, cols + b1 * block, 0.f);
      for (int b = b0; b < b1; b++) gatherSmall<true>(x, nullptr, cols, nullptr, b, g);
      return;
    }
    for (int b = b0; b < b1; b++) {
      float* row = cols + (size_t)b * g.outH * g.outW * rowLength;
      for (int oy = 0; oy < g.outH; oy++) {
        for (int ox = 0; ox < g.outW; ox++, row += rowLength) {
          for (int ky = 0; ky < g.filterH; ky++) {
            const int iy = oy * g.strideH + ky * g.dilationH - g.padTop;
            for (int kx = 0; kx < g.filterW; kx++) {
              const int ix = ox * g.strideW + kx * g.dilationW - g.padLeft;
              float* dst = row + (size_t)(ky * g.filterW + kx) * C;
              if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) {
                std::fill(dst, dst + C, 0.f);
              } else {
                std::memcpy(dst, x + (((size_t)b * g.inH + iy) * g.inW + ix) * C, C * sizeof(float));
              }
            }
          }
        }
      }
    }
  });
}

void col2im(const float* cols, float* dx, const ConvGeometry& g) {
  const int C = g.inC, taps = g.filterH * g.filterW;
  const size_t rowLength = (size_t)taps * C;
  const size_t image = (size_t)g.inH * g.inW * C;
  parallelFor(g.batch, pool().size(), [&](int, int b0, int b1) {
    std::fill(dx + b0 * image, dx + b1 * image, 0.f);
    if (C < SMALL_C) {
      for (int b = b0; b < b1; b++) gatherSmall<false>(nullptr, dx, nullptr, cols, b, g);
      return;
    }
    for (int b = b0; b < b1; b++) {
      const float* row = cols + (size_t)b * g.outH * g.outW * rowLength;
      for (int oy = 0; oy < g.outH; oy++) {
        for (int ox = 0; ox < g.outW; ox++, row += rowLength) {
          for (int ky = 0; ky < g.filterH; ky++) {
            const int iy = oy * g.strideH + ky * g.dilationH - g.padTop;
            if (iy < 0 || iy >= g.inH) continue;
            for (int kx = 0; kx < g.filterW; kx++) {
              const int ix = ox * g.strideW + kx * g.dilationW - g.padLeft;
              if (ix < 0 || ix >= g.inW) continue;
              float* dst = dx + (((size_t)b * g.inH + iy) * g.inW + ix) * C;
              const float* src = row + (size_t)(ky * g.filterW + kx) * C;
              for (int c = 0; c < C; c++) dst[c] += src[c];
            }
          }
        }
      }
    }
  });
}

}  // namespace vaekit
