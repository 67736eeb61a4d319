// Patch gathering for convolutions in NHWC layout (see kernels.h), split over the batch.
#include <algorithm>
#include <cstring>
#include <vector>

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

// Rows [r0, r1) of the im2col matrix into cols (row r0 first), r = (b·outH + oy)·outW + ox; channels
// copied as blocks (C ≥ SMALL_C). Channels: C known at compile time (the copy is then a few vector moves, not
// a call to memcpy, which cost more than the product itself for 16 channels), or 0 to read it from g.
template <int Channels>
void im2colRowsOf(const float* x, float* cols, const ConvGeometry& g, size_t r0, size_t r1) {
  const int C = Channels > 0 ? Channels : g.inC;
  const size_t rowLength = (size_t)g.filterH * g.filterW * C;
  const size_t pixels = (size_t)g.outH * g.outW;
  float* row = cols;
  for (size_t r = r0; r < r1; r++, row += rowLength) {
    const size_t b = r / pixels;
    const int oy = (int)(r % pixels) / g.outW, ox = (int)(r % pixels) % g.outW;
    for (int ky = 0; ky < g.filterH; ky++) {
      const int iy = oy * g.strideH + ky * g.dilationH - g.padTop;
      for (int kx = 0; kx < g.filterW; kx++) {
        const int ix = ox * g.strideW + kx * g.dilationW - g.padLeft;
        float* dst = row + (size_t)(ky * g.filterW + kx) * C;
        if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) {
          std::fill(dst, dst + C, 0.f);
        } else {
          std::memcpy(dst, x + ((b * g.inH + iy) * g.inW + ix) * C, C * sizeof(float));
        }
      }
    }
  }
}

// The adjoint of im2colRows: rows [r0, r1) of cols (row r0 first) added back into dx. (With C fixed at 16
// at compile time this loop ran 40 % slower under GCC, so C stays a run-time value here.)
void col2imRows(const float* cols, float* dx, const ConvGeometry& g, size_t r0, size_t r1) {
  const int C = g.inC;
  const size_t rowLength = (size_t)g.filterH * g.filterW * C;
  const size_t pixels = (size_t)g.outH * g.outW;
  const float* row = cols;
  for (size_t r = r0; r < r1; r++, row += rowLength) {
    const size_t b = r / pixels;
    const int oy = (int)(r % pixels) / g.outW, ox = (int)(r % pixels) % g.outW;
    for (int ky = 0; ky < g.filterH; ky++) {
      const int iy = oy * g.strideH + ky * g.dilationH - g.padTop;
      if (iy < 0 || iy >= g.inH) continue;
      for (int kx = 0; kx < g.filterW; kx++) {
        const int ix = ox * g.strideW + kx * g.dilationW - g.padLeft;
        if (ix < 0 || ix >= g.inW) continue;
        float* dst = dx + ((b * g.inH + iy) * g.inW + ix) * C;
        const float* src = row + (size_t)(ky * g.filterW + kx) * C;
        for (int c = 0; c < C; c++) dst[c] += src[c];
      }
    }
  }
}

// The channel counts of common layers get their own copy loops.
void im2colRows(const float* x, float* cols, const ConvGeometry& g, size_t r0, size_t r1) {
  switch (g.inC) {
    case 16: return im2colRowsOf<16>(x, cols, g, r0, r1);
    case 32: return im2colRowsOf<32>(x, cols, g, r0, r1);
    case 64: return im2colRowsOf<64>(x, cols, g, r0, r1);
    default: return im2colRowsOf<0>(x, cols, g, r0, r1);
  }
}

// Rows of the im2col matrix per block: about 64k floats (256 KB, within a core's L2), at least 64 rows.
size_t blockRows(size_t rowLength) { return std::max<size_t>(64, (1 << 16) / std::max<size_t>(rowLength, 1)); }

// A thread's block buffer of `n` floats.
float* blockBuffer(size_t n) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

}  // namespace

void im2col(const float* x, float* cols, const ConvGeometry& g) {
  const int C = g.inC, taps = g.filterH * g.filterW;
  const size_t rowLength = (size_t)taps * C;
  const size_t block = (size_t)g.outH * g.outW * rowLength;
  parallelFor(g.batch, pool().size(), [&](int, int b0, int b1) {
    if (C < SMALL_C) {
      std::fill(cols + b0 * block, cols + b1 * block, 0.f);
      for (int b = b0; b < b1; b++) gatherSmall<true>(x, nullptr, cols, nullptr, b, g);
      return;
    }
    const size_t pixels = (size_t)g.outH * g.outW;
    im2colRows(x, cols + b0 * block, g, b0 * pixels, b1 * pixels);
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
    const size_t pixels = (size_t)g.outH * g.outW;
    col2imRows(cols + b0 * pixels * rowLength, dx, g, b0 * pixels, b1 * pixels);
  });
}

void convForward(const float* x, const float* w, const float* bias, float* y, int outC, const ConvGeometry& g) {
  const int K = g.filterH * g.filterW * g.inC;
  const size_t rows = (size_t)g.batch * g.outH * g.outW, R = blockRows(K);
  const int blocks = (int)((rows + R - 1) / R);
  const bool pointwise = g.filterH == 1 && g.filterW == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 &&
                         g.padLeft == 0 && g.outH == g.inH && g.outW == g.inW;
  parallelFor(blocks, pool().size(), [&](int, int k0, int k1) {
    float* cols = pointwise ? nullptr : blockBuffer(R * K);
    for (int kb = k0; kb < k1; kb++) {
      const size_t r0 = kb * R, r1 = std::min(rows, r0 + R);
      if (!pointwise) im2colRows(x, cols, g, r0, r1);
      float* out = y + r0 * outC;
      gemmSerial(pointwise ? x + r0 * K : cols, w, out, (int)(r1 - r0), outC, K, false, false, false);
      if (bias != nullptr) {  // while the block's output is in cache
        for (size_t r = 0; r < r1 - r0; r++)
          for (int o = 0; o < outC; o++) out[r * outC + o] += bias[o];
      }
    }
  });
}

void convBackpropInput(const float* dy, const float* w, float* dx, int outC, const ConvGeometry& g) {
  const int K = g.filterH * g.filterW * g.inC;
  const size_t pixels = (size_t)g.outH * g.outW, R = blockRows(K);
  const size_t image = (size_t)g.inH * g.inW * g.inC;
  // by whole images: blocks of one image scatter into its pixels alone
  parallelFor(g.batch, pool().size(), [&](int, int b0, int b1) {
    float* cols = blockBuffer(R * K);
    std::fill(dx + b0 * image, dx + b1 * image, 0.f);
    for (size_t r0 = b0 * pixels; r0 < b1 * pixels; r0 += R) {
      const size_t r1 = std::min(b1 * pixels, r0 + R);
      gemmSerial(dy + r0 * outC, w, cols, (int)(r1 - r0), K, outC, false, true, false);  // dy·wᵀ
      col2imRows(cols, dx, g, r0, r1);
    }
  });
}

void convBackpropFilter(const float* x, const float* dy, float* dw, int outC, const ConvGeometry& g) {
  const int K = g.filterH * g.filterW * g.inC;
  const size_t rows = (size_t)g.batch * g.outH * g.outW, R = blockRows(K);
  const int blocks = (int)((rows + R - 1) / R);
  const int parts = std::max(1, std::min(pool().size(), blocks));
  const size_t size = (size_t)K * outC;
  std::vector<float> partial(parts * size, 0.f);  // each part's Σ Xᵀ·dy over its blocks
  parallelFor(blocks, parts, [&](int t, int k0, int k1) {
    float* cols = blockBuffer(R * K);
    for (int kb = k0; kb < k1; kb++) {
      const size_t r0 = kb * R, r1 = std::min(rows, r0 + R);
      im2colRows(x, cols, g, r0, r1);
      gemmSerial(cols, dy + r0 * outC, partial.data() + t * size, K, outC, (int)(r1 - r0), true, false, true);
    }
  });
  for (size_t i = 0; i < size; i++) {
    float s = 0.f;
    for (int t = 0; t < parts; t++) s += partial[t * size + i];
    dw[i] = s;
  }
}

}  // namespace vaekit
