// Patch gathering for convolutions in NHWC layout (see kernels.h), split over the batch.
#include <algorithm>
#include <cstring>

#include "kernels.h"
#include "pool.h"

namespace vaekit {

void im2col(const float* x, float* cols, const ConvGeometry& g) {
  const int C = g.inC, taps = g.filterH * g.filterW;
  const size_t rowLength = (size_t)taps * C;
  parallelFor(g.batch, pool().size(), [&](int, int b0, int b1) {
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
