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

// The fast case, multiplier 1 and column stride 1: a tap adds the input row shifted by the tap's column
// offset, times the filter tiled along the row (wRow[ox·C + c] = w[tap, c]), to the whole output row at once,
// one long loop per tap instead of one loop of C per pixel (16 channels are a single AVX-512 vector, and the
// loop's set-up cost per pixel was most of the time).
VAEKIT_CLONES void rowFma(float* __restrict o, const float* __restrict a, const float* __restrict b, size_t n) {
  for (size_t i = 0; i < n; i++) o[i] += a[i] * b[i];
}

// The filter tiled along an output row, per tap: [kh·kw, outW·C].
std::vector<float> tiledFilter(const float* w, const ConvGeometry& g) {
  const size_t C = g.inC, row = (size_t)g.outW * C;
  std::vector<float> out((size_t)g.filterH * g.filterW * row);
  for (int t = 0; t < g.filterH * g.filterW; t++)
    for (int ox = 0; ox < g.outW; ox++) std::copy(w + t * C, w + (t + 1) * C, out.begin() + t * row + ox * C);
  return out;
}

// Calls tap(ky, kx, iy, lo, hi, off) for every tap of output row oy that reads inside the image: output
// columns [lo, hi) read input columns ox + off (column stride 1).
template <typename Tap>
[[gnu::always_inline]] inline void forTaps(const ConvGeometry& g, int oy, Tap tap) {
  for (int ky = 0; ky < g.filterH; ky++) {
    const int iy = oy * g.strideH + ky * g.dilationH - g.padTop;
    if (iy < 0 || iy >= g.inH) continue;
    for (int kx = 0; kx < g.filterW; kx++) {
      const int off = kx * g.dilationW - g.padLeft;
      int lo, hi;
      validColumns(g.outW, 1, off, g.inW, lo, hi);
      if (lo < hi) tap(ky, kx, iy, lo, hi, off);
    }
  }
}

void forwardRowsFast(const float* x, const float* wRow, float* y, const ConvGeometry& g, int r0, int r1) {
  const size_t C = g.inC, row = (size_t)g.outW * C;
  for (int r = r0; r < r1; r++) {
    const int b = r / g.outH, oy = r % g.outH;
    float* yr = y + (size_t)r * row;
    std::fill(yr, yr + row, 0.f);
    forTaps(g, oy, [&](int ky, int kx, int iy, int lo, int hi, int off) {
      const float* xr = x + ((size_t)b * g.inH + iy) * g.inW * C;
      rowFma(yr + lo * C, xr + (lo + off) * C, wRow + (ky * g.filterW + kx) * row + lo * C, (hi - lo) * C);
    });
  }
}

// dx by scattering each dy row (r = b·outH + oy) into the input rows it read: for rows [r0, r1) of dy,
// which the caller keeps to whole images so that no two threads write one dx row.
void backpropInputRowsFast(const float* dy, const float* wRow, float* dx, const ConvGeometry& g, int r0, int r1) {
  const size_t C = g.inC, row = (size_t)g.outW * C;
  for (int r = r0; r < r1; r++) {
    const int b = r / g.outH, oy = r % g.outH;
    const float* dyr = dy + (size_t)r * row;
    forTaps(g, oy, [&](int ky, int kx, int iy, int lo, int hi, int off) {
      float* dxr = dx + ((size_t)b * g.inH + iy) * g.inW * C;
      rowFma(dxr + (lo + off) * C, dyr + lo * C, wRow + (ky * g.filterW + kx) * row + lo * C, (hi - lo) * C);
    });
  }
}

// dw for rows [r0, r1) of dy into the double sums acc [kh·kw·C]: products summed in float along whole rows
// (rowAcc [kh·kw, outW·C]), folded over the columns into acc every FOLD rows.
void backpropFilterRowsFast(const float* x, const float* dy, double* acc, float* rowAcc, const ConvGeometry& g,
                            int r0, int r1) {
  constexpr int FOLD = 8;
  const size_t C = g.inC, row = (size_t)g.outW * C, taps = (size_t)g.filterH * g.filterW;
  std::fill(rowAcc, rowAcc + taps * row, 0.f);
  for (int r = r0; r < r1; r++) {
    const int b = r / g.outH, oy = r % g.outH;
    const float* dyr = dy + (size_t)r * row;
    forTaps(g, oy, [&](int ky, int kx, int iy, int lo, int hi, int off) {
      const float* xr = x + ((size_t)b * g.inH + iy) * g.inW * C;
      rowFma(rowAcc + (ky * g.filterW + kx) * row + lo * C, xr + (lo + off) * C, dyr + lo * C, (hi - lo) * C);
    });
    if ((r - r0) % FOLD == FOLD - 1 || r == r1 - 1) {
      for (size_t t = 0; t < taps; t++)
        for (int ox = 0; ox < g.outW; ox++)
          for (size_t c = 0; c < C; c++) acc[t * C + c] += rowAcc[t * row + ox * C + c];
      std::fill(rowAcc, rowAcc + taps * row, 0.f);
    }
  }
}


// Faster still for the forward with few channels: each image is first copied into a zero-padded one, so that
// every tap reads inside it, and an output row is computed 64 floats at a time, its sums kept in registers over
// all the taps (instead of each tap adding into the row in memory). On a Zen 4 core: [64,32,32,16] k5 2.0-2.5 ms
// against 2.8-3.1 row by row; but [64,8,8,192] 1.9-2.1 against 1.3-1.5 (the padded copy and the padding's taps
// cost more there), hence only up to BLOCKED_MAX_C channels.
constexpr int BLOCKED_MAX_C = 32;
// 16 floats at any float address: the vector extensions become NEON on aarch64, AVX on x86, plain floats elsewhere
typedef float Vec16 __attribute__((vector_size(64), aligned(4)));
#define LOAD16(p) (*reinterpret_cast<const Vec16*>(p))

// The padded image's extent: the rows and columns the taps of every output pixel read, from −padTop, −padLeft.
int paddedRows(const ConvGeometry& g) { return (g.outH - 1) * g.strideH + (g.filterH - 1) * g.dilationH + 1; }
int paddedCols(const ConvGeometry& g) { return (g.outW - 1) + (g.filterW - 1) * g.dilationW + 1; }

// padded[ip, jp, c] = x[b, ip − padTop, jp − padLeft, c], 0 outside the image (column stride 1)
void padImage(const float* x, float* padded, int b, const ConvGeometry& g) {
  const int Hp = paddedRows(g), Wp = paddedCols(g), C = g.inC;
  int lo, hi;  // padded columns that lie inside the image
  validColumns(Wp, 1, -g.padLeft, g.inW, lo, hi);
  for (int ip = 0; ip < Hp; ip++) {
    float* row = padded + (size_t)ip * Wp * C;
    const int iy = ip - g.padTop;
    if (iy < 0 || iy >= g.inH) {
      std::fill(row, row + (size_t)Wp * C, 0.f);
      continue;
    }
    std::fill(row, row + (size_t)lo * C, 0.f);
    const float* xr = x + (((size_t)b * g.inH + iy) * g.inW + (lo - g.padLeft)) * C;
    std::copy(xr, xr + (size_t)(hi - lo) * C, row + (size_t)lo * C);
    std::fill(row + (size_t)hi * C, row + (size_t)Wp * C, 0.f);
  }
}

VAEKIT_CLONES void forwardRowsBlocked(const float* x, const float* wRow, float* y, float* padded,
                                      const ConvGeometry& g, int r0, int r1) {
  const int C = g.inC, Wp = paddedCols(g);
  const size_t row = (size_t)g.outW * C;
  int current = -1;
  for (int r = r0; r < r1; r++) {
    const int b = r / g.outH, oy = r % g.outH;
    if (b != current) padImage(x, padded, current = b, g);
    float* yr = y + (size_t)r * row;
    size_t j0 = 0;
    for (; j0 + 64 <= row; j0 += 64) {
      // taps that read only padding (whole rows of it, or columns when the block spans few) are skipped
      const int ox0 = (int)(j0 / C), ox1 = (int)((j0 + 63) / C);
      Vec16 a0 = {}, a1 = {}, a2 = {}, a3 = {};
      for (int ky = 0; ky < g.filterH; ky++) {
        const int ip = oy * g.strideH + ky * g.dilationH;
        if (ip < g.padTop || ip >= g.padTop + g.inH) continue;
        const float* pr = padded + (size_t)ip * Wp * C + j0;
        const float* wr = wRow + (size_t)ky * g.filterW * row + j0;
        for (int kx = 0; kx < g.filterW; kx++) {
          const int jp = kx * g.dilationW;
          if (ox1 + jp < g.padLeft || ox0 + jp >= g.padLeft + g.inW) continue;
          const float* p = pr + (size_t)jp * C;
          const float* w = wr + kx * row;
          a0 += LOAD16(p) * LOAD16(w);
          a1 += LOAD16(p + 16) * LOAD16(w + 16);
          a2 += LOAD16(p + 32) * LOAD16(w + 32);
          a3 += LOAD16(p + 48) * LOAD16(w + 48);
        }
      }
      __builtin_memcpy(yr + j0, &a0, 64);
      __builtin_memcpy(yr + j0 + 16, &a1, 64);
      __builtin_memcpy(yr + j0 + 32, &a2, 64);
      __builtin_memcpy(yr + j0 + 48, &a3, 64);
    }
    if (j0 < row) {  // the rest of the row, under 64 floats
      std::fill(yr + j0, yr + row, 0.f);
      for (int ky = 0; ky < g.filterH; ky++) {
        const float* pr = padded + (size_t)(oy * g.strideH + ky * g.dilationH) * Wp * C;
        for (int kx = 0; kx < g.filterW; kx++) {
          const float* p = pr + (size_t)kx * g.dilationW * C;
          const float* w = wRow + (size_t)(ky * g.filterW + kx) * row;
          for (size_t j = j0; j < row; j++) yr[j] += p[j] * w[j];
        }
      }
    }
  }
}

// Forward for more channels, in multiples of 16: a tap's 16 weights are one vector for every pixel, so the filter
// is read as it is (not tiled), and the sums of four output pixels' 16-channel block stay in registers over
// all the taps, read from the zero-padded image (taps on padding rows skipped). The row-at-a-time loop
// (forwardRowsFast) loaded and stored the output row once per tap and read a tiled filter too large for L1.
VAEKIT_CLONES void forwardRowsChannels(const float* x, const float* w, float* y, float* padded, const ConvGeometry& g,
                                       int r0, int r1) {
  const int C = g.inC, Wp = paddedCols(g);
  int current = -1;
  for (int r = r0; r < r1; r++) {
    const int b = r / g.outH, oy = r % g.outH;
    if (b != current) padImage(x, padded, current = b, g);
    float* yr = y + (size_t)r * g.outW * C;
    for (int c0 = 0; c0 < C; c0 += 16) {
      int ox = 0;
      for (; ox < g.outW; ox += 4) {
        const int n = std::min(4, g.outW - ox);  // pixels in this block; a short block reads only its own
        Vec16 a0 = {}, a1 = {}, a2 = {}, a3 = {};
        for (int ky = 0; ky < g.filterH; ky++) {
          const int ip = oy * g.strideH + ky * g.dilationH;
          if (ip < g.padTop || ip >= g.padTop + g.inH) continue;
          const float* pr = padded + ((size_t)ip * Wp + ox) * C + c0;
          for (int kx = 0; kx < g.filterW; kx++) {
            const Vec16 wv = LOAD16(w + (size_t)(ky * g.filterW + kx) * C + c0);
            const float* p = pr + (size_t)kx * g.dilationW * C;
            a0 += LOAD16(p) * wv;
            if (n == 4) {
              a1 += LOAD16(p + C) * wv;
              a2 += LOAD16(p + 2 * C) * wv;
              a3 += LOAD16(p + 3 * C) * wv;
            } else {
              if (n > 1) a1 += LOAD16(p + C) * wv;
              if (n > 2) a2 += LOAD16(p + 2 * C) * wv;
            }
          }
        }
        float* out = yr + (size_t)ox * C + c0;
        __builtin_memcpy(out, &a0, 64);
        if (n > 1) __builtin_memcpy(out + C, &a1, 64);
        if (n > 2) __builtin_memcpy(out + 2 * C, &a2, 64);
        if (n > 3) __builtin_memcpy(out + 3 * C, &a3, 64);
      }
    }
  }
}

// dw likewise for channels a multiple of 16 above 32 and K = filterW columns: for each output row and filter
// row, the K taps' 16-channel sums stay in registers over the row's pixels (dy read once per filter row, not
// once per tap), then are added into `part` [kh·kw·C], which is folded into the double sums acc every FOLD rows.
template <int K>
[[gnu::always_inline]] inline void backpropFilterRowsChannelsOf(const float* x, const float* dy, double* acc, float* part,
                                                                float* padded, const ConvGeometry& g, int r0, int r1) {
  const int C = g.inC, Wp = paddedCols(g);
  const size_t size = (size_t)g.filterH * K * C;
  constexpr int FOLD = 8;
  int current = -1;
  std::fill(part, part + size, 0.f);
  for (int r = r0; r < r1; r++) {
    const int b = r / g.outH, oy = r % g.outH;
    if (b != current) padImage(x, padded, current = b, g);
    const float* dyr = dy + (size_t)r * g.outW * C;
    for (int ky = 0; ky < g.filterH; ky++) {
      const int ip = oy * g.strideH + ky * g.dilationH;
      if (ip < g.padTop || ip >= g.padTop + g.inH) continue;
      const float* pr = padded + (size_t)ip * Wp * C;
      for (int c0 = 0; c0 < C; c0 += 16) {
        Vec16 sum[K] = {};
        for (int ox = 0; ox < g.outW; ox++) {
          const Vec16 d = LOAD16(dyr + (size_t)ox * C + c0);
          const float* p = pr + (size_t)ox * C + c0;
          for (int kx = 0; kx < K; kx++) sum[kx] += LOAD16(p + (size_t)kx * g.dilationW * C) * d;
        }
        for (int kx = 0; kx < K; kx++) {
          float* t = part + (size_t)(ky * K + kx) * C + c0;
          const Vec16 add = LOAD16(t) + sum[kx];
          __builtin_memcpy(t, &add, 64);
        }
      }
    }
    if ((r - r0) % FOLD == FOLD - 1 || r == r1 - 1) {
      for (size_t i = 0; i < size; i++) acc[i] += part[i];
      std::fill(part, part + size, 0.f);
    }
  }
}

VAEKIT_CLONES void backpropFilterRowsChannels(const float* x, const float* dy, double* acc, float* part, float* padded,
                                              const ConvGeometry& g, int r0, int r1) {
  if (g.filterW == 3) {
    backpropFilterRowsChannelsOf<3>(x, dy, acc, part, padded, g, r0, r1);
  } else {
    backpropFilterRowsChannelsOf<5>(x, dy, acc, part, padded, g, r0, r1);
  }
}

}  // namespace

void depthwiseConv(const float* x, const float* w, float* y, int multiplier, const ConvGeometry& g) {
  const int rows = g.batch * g.outH;
  const double work = (double)rows * g.outW * g.inC * multiplier * g.filterH * g.filterW;
  if (multiplier == 1 && g.strideW == 1) {
    const int parts = partsFor(rows, work);
    if (g.inC > BLOCKED_MAX_C && g.inC % 16 == 0) {
      std::vector<std::vector<float>> padded(parts, std::vector<float>((size_t)paddedRows(g) * paddedCols(g) * g.inC));
      parallelFor(rows, parts, [&](int t, int r0, int r1) {
        forwardRowsChannels(x, w, y, padded[t].data(), g, r0, r1);
      });
      return;
    }
    const std::vector<float> wRow = tiledFilter(w, g);
    if (g.inC > BLOCKED_MAX_C) {
      parallelFor(rows, parts, [&](int, int r0, int r1) { forwardRowsFast(x, wRow.data(), y, g, r0, r1); });
      return;
    }
    std::vector<std::vector<float>> padded(parts, std::vector<float>((size_t)paddedRows(g) * paddedCols(g) * g.inC));
    parallelFor(rows, parts, [&](int t, int r0, int r1) {
      forwardRowsBlocked(x, wRow.data(), y, padded[t].data(), g, r0, r1);
    });
    return;
  }
  parallelFor(rows, partsFor(rows, work), [&](int, int r0, int r1) { forwardRows(x, w, y, multiplier, g, r0, r1); });
}

void depthwiseBackpropInput(const float* dy, const float* w, float* dx, int multiplier, const ConvGeometry& g) {
  const int rows = g.batch * g.inH;
  const double work = (double)g.batch * g.outH * g.outW * g.inC * multiplier * g.filterH * g.filterW;
  const int top = g.filterH - 1 - g.padTop, left = g.filterW - 1 - g.padLeft;
  if (multiplier == 1 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 && g.dilationW == 1 && top >= 0 &&
      left >= 0) {
    // dx[iy, ix, c] = Σ dy[iy + padTop − ky, ix + padLeft − kx, c]·w[ky, kx, c]: the forward of dy with the
    // filter turned by 180° and the padding mirrored (kh − 1 − padTop above, …), which gathers row by row
    std::vector<float> turned((size_t)g.filterH * g.filterW * g.inC);
    for (int ky = 0; ky < g.filterH; ky++)
      for (int kx = 0; kx < g.filterW; kx++)
        std::copy(w + (size_t)(ky * g.filterW + kx) * g.inC, w + (size_t)(ky * g.filterW + kx + 1) * g.inC,
                  turned.begin() + (size_t)((g.filterH - 1 - ky) * g.filterW + (g.filterW - 1 - kx)) * g.inC);
    const ConvGeometry t{g.batch, g.outH, g.outW, g.inC, g.inH, g.inW, g.filterH, g.filterW, 1, 1, 1, 1, top, left};
    depthwiseConv(dy, turned.data(), dx, 1, t);
    return;
  }
  if (multiplier == 1 && g.strideW == 1) {
    // scattered from dy one image per part, so that no two threads write one row of dx
    const std::vector<float> wRow = tiledFilter(w, g);
    const size_t image = (size_t)g.inH * g.inW * g.inC;
    parallelFor(g.batch, partsFor(g.batch, work), [&](int, int b0, int b1) {
      std::fill(dx + b0 * image, dx + b1 * image, 0.f);
      backpropInputRowsFast(dy, wRow.data(), dx, g, b0 * g.outH, b1 * g.outH);
    });
    return;
  }
  parallelFor(rows, partsFor(rows, work),
              [&](int, int r0, int r1) { backpropInputRows(dy, w, dx, multiplier, g, r0, r1); });
}

void depthwiseBackpropFilter(const float* x, const float* dy, float* dw, int multiplier, const ConvGeometry& g) {
  const int rows = g.batch * g.outH;
  const size_t size = (size_t)g.filterH * g.filterW * g.inC * multiplier;
  const double work = (double)rows * g.outW * size;
  const int parts = partsFor(rows, work);
  std::vector<std::vector<double>> partial(parts, std::vector<double>(size, 0.0));
  const bool fast = multiplier == 1 && g.strideW == 1;
  // the register-held sums: channels a multiple of 16 above 32, filters 3 or 5 columns wide
  const bool channels = fast && g.inC > BLOCKED_MAX_C && g.inC % 16 == 0 && (g.filterW == 3 || g.filterW == 5);
  std::vector<std::vector<float>> scratch(parts, std::vector<float>(fast && !channels ? size * g.outW : size));
  std::vector<std::vector<float>> padded(channels ? parts : 0,
                                         std::vector<float>((size_t)paddedRows(g) * paddedCols(g) * g.inC));
  parallelFor(rows, parts, [&](int t, int r0, int r1) {
    if (channels) {
      backpropFilterRowsChannels(x, dy, partial[t].data(), scratch[t].data(), padded[t].data(), g, r0, r1);
    } else if (fast) {
      backpropFilterRowsFast(x, dy, partial[t].data(), scratch[t].data(), g, r0, r1);
    } else {
      backpropFilterRows(x, dy, partial[t].data(), scratch[t].data(), multiplier, g, r0, r1);
    }
  });
  for (size_t i = 0; i < size; i++) {
    double s = 0;
    for (int t = 0; t < parts; t++) s += partial[t][i];
    dw[i] = (float)s;
  }
}

}  // namespace vaekit
