// Depthwise convolution and its two gradients in NHWC (formulas in kernels.h). Channels are the innermost,
// contiguous axis, so every inner loop runs over channels and vectorises; the loops over taps and columns
// around it skip the padding instead of testing each pixel.
#include <algorithm>
#include <vector>

#include "clones.h"
#include "kernels.h"
#include "pool.h"

namespace vaekit {
namespace {

// Parts to split `work` multiply-adds into: enough per thread to pay for waking it.
int partsFor(int rows, double work) {
  return std::max(1, std::min({pool().size(), rows, (int)(work / (1 << 16))}));
}

// o[j] += a[j]·b[j] for M = 1, and o[c·M + m] += a[c]·b[c·M + m] otherwise (y += x·w, dw += x·dy).
template <bool Single>
[[gnu::always_inline]] inline void spread(float* __restrict o, const float* __restrict a, const float* __restrict b, int C, int M) {
  if (Single) {
    for (int c = 0; c < C; c++) o[c] += a[c] * b[c];
  } else {
    for (int c = 0; c < C; c++)
      for (int m = 0; m < M; m++) o[c * M + m] += a[c] * b[c * M + m];
  }
}

// rows [r0, r1) of y, r = b·outH + oy
template <bool Single>
[[gnu::always_inline]] inline void forwardRowsOf(const float* x, const float* w, float* y, int M, const ConvGeometry& g, int r0,
                               int r1) {
  const int C = g.inC, CM = C * M;
  for (int r = r0; r < r1; r++) {
    const int b = r / g.outH, oy = r % g.outH;
    float* yr = y + (size_t)r * g.outW * CM;
    std::fill(yr, yr + (size_t)g.outW * CM, 0.f);
    for (int ky = 0; ky < g.filterH; ky++) {
      const int iy = oy * g.strideH + ky * g.dilationH - g.padTop;
      if (iy < 0 || iy >= g.inH) continue;
      const float* xr = x + ((size_t)b * g.inH + iy) * g.inW * C;
      for (int kx = 0; kx < g.filterW; kx++) {
        const int offset = kx * g.dilationW - g.padLeft;
        int lo, hi;
        validColumns(g.outW, g.strideW, offset, g.inW, lo, hi);
        const float* wt = w + (size_t)(ky * g.filterW + kx) * CM;
        for (int ox = lo; ox < hi; ox++)
          spread<Single>(yr + (size_t)ox * CM, xr + (size_t)(ox * g.strideW + offset) * C, wt, C, M);
      }
    }
  }
}

// rows [r0, r1) of dx, r = b·inH + iy: each input pixel gathers from the outputs that read it
template <bool Single>
[[gnu::always_inline]] inline void backpropInputRowsOf(const float* dy, const float* w, float* dx, int M, const ConvGeometry& g,
                                     int r0, int r1) {
  const int C = g.inC, CM = C * M;
  for (int r = r0; r < r1; r++) {
    const int b = r / g.inH, iy = r % g.inH;
    float* __restrict dxr = dx + (size_t)r * g.inW * C;
    std::fill(dxr, dxr + (size_t)g.inW * C, 0.f);
    for (int ky = 0; ky < g.filterH; ky++) {
      const int ty = iy + g.padTop - ky * g.dilationH;  // oy·strideH
      if (ty < 0 || ty % g.strideH != 0 || ty / g.strideH >= g.outH) continue;
      const float* dyr = dy + ((size_t)b * g.outH + ty / g.strideH) * g.outW * CM;
      for (int kx = 0; kx < g.filterW; kx++) {
        const int offset = kx * g.dilationW - g.padLeft;  // ix = ox·strideW + offset
        const float* __restrict wt = w + (size_t)(ky * g.filterW + kx) * CM;
        int lo, hi;
        validColumns(g.outW, g.strideW, offset, g.inW, lo, hi);
        for (int ox = lo; ox < hi; ox++) {
          float* __restrict d = dxr + (size_t)(ox * g.strideW + offset) * C;
          const float* __restrict e = dyr + (size_t)ox * CM;
          if (Single) {
            for (int c = 0; c < C; c++) d[c] += e[c] * wt[c];
          } else {
            for (int c = 0; c < C; c++) {
              float s = 0.f;
              for (int m = 0; m < M; m++) s += e[c * M + m] * wt[c * M + m];
              d[c] += s;
            }
          }
        }
      }
    }
  }
}

// rows [r0, r1) of dy (r = b·outH + oy) into the double sums acc [kh·kw·C·M], one row at a time in float
template <bool Single>
[[gnu::always_inline]] inline void backpropFilterRowsOf(const float* x, const float* dy, double* acc, float* row, int M,
                                      const ConvGeometry& g, int r0, int r1) {
  const int C = g.inC, CM = C * M;
  const size_t size = (size_t)g.filterH * g.filterW * CM;
  for (int r = r0; r < r1; r++) {
    const int b = r / g.outH, oy = r % g.outH;
    const float* dyr = dy + (size_t)r * g.outW * CM;
    std::fill(row, row + size, 0.f);
    for (int ky = 0; ky < g.filterH; ky++) {
      const int iy = oy * g.strideH + ky * g.dilationH - g.padTop;
      if (iy < 0 || iy >= g.inH) continue;
      const float* xr = x + ((size_t)b * g.inH + iy) * g.inW * C;
      for (int kx = 0; kx < g.filterW; kx++) {
        const int offset = kx * g.dilationW - g.padLeft;
        int lo, hi;
        validColumns(g.outW, g.strideW, offset, g.inW, lo, hi);
        float* t = row + (size_t)(ky * g.filterW + kx) * CM;
        for (int ox = lo; ox < hi; ox++)
          spread<Single>(t, xr + (size_t)(ox * g.strideW + offset) * C, dyr + (size_t)ox * CM, C, M);
      }
    }
    for (size_t i = 0; i < size; i++) acc[i] += row[i];
  }
}

// The instruction-set clones, each with the multiplier-1 loops (the fast case) and the general ones inlined.
VAEKIT_CLONES void forwardRows(const float* x, const float* w, float* y, int M, const ConvGeometry& g, int r0,
                               int r1) {
  if (M == 1) {
    forwardRowsOf<true>(x, w, y, 1, g, r0, r1);
  } else {
    forwardRowsOf<false>(x, w, y, M, g, r0, r1);
  }
}

VAEKIT_CLONES void backpropInputRows(const float* dy, const float* w, float* dx, int M, const ConvGeometry& g,
                                     int r0, int r1) {
  if (M == 1) {
    backpropInputRowsOf<true>(dy, w, dx, 1, g, r0, r1);
  } else {
    backpropInputRowsOf<false>(dy, w, dx, M, g, r0, r1);
  }
}

VAEKIT_CLONES void backpropFilterRows(const float* x, const float* dy, double* acc, float* row, int M,
                                      const ConvGeometry& g, int r0, int r1) {
  if (M == 1) {
    backpropFilterRowsOf<true>(x, dy, acc, row, 1, g, r0, r1);
  } else {
    backpropFilterRowsOf<false>(x, dy, acc, row, M, g, r0, r1);
  }
}

}  // namespace

void depthwiseConv(const float* x, const float* w, float* y, int multiplier, const ConvGeometry& g) {
  const int rows = g.batch * g.outH;
  const double work = (double)rows * g.outW * g.inC * multiplier * g.filterH * g.filterW;
  parallelFor(rows, partsFor(rows, work), [&](int, int r0, int r1) { forwardRows(x, w, y, multiplier, g, r0, r1); });
}

void depthwiseBackpropInput(const float* dy, const float* w, float* dx, int multiplier, const ConvGeometry& g) {
  const int rows = g.batch * g.inH;
  const double work = (double)g.batch * g.outH * g.outW * g.inC * multiplier * g.filterH * g.filterW;
  parallelFor(rows, partsFor(rows, work),
              [&](int, int r0, int r1) { backpropInputRows(dy, w, dx, multiplier, g, r0, r1); });
}

void depthwiseBackpropFilter(const float* x, const float* dy, float* dw, int multiplier, const ConvGeometry& g) {
  const int rows = g.batch * g.outH;
  const size_t size = (size_t)g.filterH * g.filterW * g.inC * multiplier;
  const double work = (double)rows * g.outW * size;
  const int parts = partsFor(rows, work);
  std::vector<std::vector<double>> partial(parts, std::vector<double>(size, 0.0));
  std::vector<std::vector<float>> scratch(parts, std::vector<float>(size));
  parallelFor(rows, parts, [&](int t, int r0, int r1) {
    backpropFilterRows(x, dy, partial[t].data(), scratch[t].data(), multiplier, g, r0, r1);
  });
  for (size_t i = 0; i < size; i++) {
    double s = 0;
    for (int t = 0; t < parts; t++) s += partial[t][i];
    dw[i] = (float)s;
  }
}

}  // namespace vaekit
