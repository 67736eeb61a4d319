// Batch normalisation in training mode over the rows of x [rows, C] (see kernels.h). Channels are the
// contiguous axis, so every pass walks rows and vectorises over channels; sums run in float over blocks of
// BLOCK rows and are folded into double per-thread partials, which are added in thread order (the result does
// not depend on timing).
#include <algorithm>
#include <cmath>
#include <vector>

#include "clones.h"
#include "kernels.h"
#include "pool.h"
#include "vmath.h"

namespace vaekit {
namespace {

constexpr int BLOCK = 16;

int partsFor(int rows, int C) {
  return std::max(1, std::min(pool().size(), (int)((double)rows * C / (1 << 15))));
}

// rows [r0, r1): acc[c] += Σ (x − K_c), acc[C + c] += Σ (x − K_c)² (the shift K = row 0 keeps the variance
// from cancelling when |μ| ≫ σ)
VAEKIT_CLONES void statsRows(const float* x, const float* shift, double* acc, float* block, int C, int r0, int r1) {
  for (int r = r0; r < r1; r += BLOCK) {
    const int end = std::min(r1, r + BLOCK);
    std::fill(block, block + 2 * C, 0.f);
    for (int i = r; i < end; i++) {
      const float* xr = x + (size_t)i * C;
      for (int c = 0; c < C; c++) {
        const float d = xr[c] - shift[c];
        block[c] += d;
        block[C + c] += d * d;
      }
    }
    for (int c = 0; c < 2 * C; c++) acc[c] += block[c];
  }
}

// σ(v) from e = e^{−|v|}, stable for any v
[[gnu::always_inline]] inline float sigmoidOf(float v) {
  const float e = vexp(v > 0.f ? -v : v);
  const float s = 1.f / (1.f + e);
  return v > 0.f ? s : e * s;
}

// rows [r0, r1): acc[c] += Σ g, acc[C + c] += Σ g·(x − μ), with g = dy; or with Swish (swish after the norm),
// g = dy·σ(a)·(1 + a·(1 − σ(a))) at the normalised a = A·(x − μ) + β (A = γ/√(v+ε)), written to out.
template <bool Swish>
[[gnu::always_inline]] inline void gradSumRowsOf(const float* __restrict x, const float* __restrict mean,
                                                 const float* __restrict scale, const float* __restrict beta,
                                                 const float* __restrict dy, float* __restrict out, double* acc,
                                                 float* __restrict block, int C, int r0, int r1) {
  for (int r = r0; r < r1; r += BLOCK) {
    const int end = std::min(r1, r + BLOCK);
    std::fill(block, block + 2 * C, 0.f);
    for (int i = r; i < end; i++) {
      const float* xr = x + (size_t)i * C;
      const float* dr = dy + (size_t)i * C;
      float* o = Swish ? out + (size_t)i * C : nullptr;
      for (int c = 0; c < C; c++) {
        const float d = xr[c] - mean[c];
        float g = dr[c];
        if (Swish) {
          const float a = scale[c] * d + beta[c];
          const float sig = sigmoidOf(a);
          g *= sig * (1.f + a * (1.f - sig));
          o[c] = g;
        }
        block[c] += g;
        block[C + c] += g * d;
      }
    }
    for (int c = 0; c < 2 * C; c++) acc[c] += block[c];
  }
}

VAEKIT_CLONES void gradSumRows(const float* x, const float* mean, const float* scale, const float* beta,
                               const float* dy, float* out, double* acc, float* block, int C, int r0, int r1,
                               bool swish) {
  if (swish) {
    gradSumRowsOf<true>(x, mean, scale, beta, dy, out, acc, block, C, r0, r1);
  } else {
    gradSumRowsOf<false>(x, mean, scale, beta, dy, out, acc, block, C, r0, r1);
  }
}

// rows [r0, r1): out = a·(p − q) + b·(s − t) per channel (normalise: a = γ/√(v+ε), p = x, q = μ, b = 0;
// gradient: out = k1·(dy − mean dy) + k2·(x − μ))
// (and with Swish, swish of that: v·σ(v), the batch norm and the activation after it in one pass)
template <bool Swish>
[[gnu::always_inline]] inline void affineRowsOf(const float* p, const float* q, const float* a, const float* s,
                                                const float* t, const float* b, const float* plus, float* out, int C,
                                                int r0, int r1) {
  for (int i = r0; i < r1; i++) {
    const float* pr = p + (size_t)i * C;
    const float* sr = s + (size_t)i * C;
    float* o = out + (size_t)i * C;
    for (int c = 0; c < C; c++) {
      const float v = a[c] * (pr[c] - q[c]) + b[c] * (sr[c] - t[c]) + plus[c];
      o[c] = Swish ? v * sigmoidOf(v) : v;
    }
  }
}

VAEKIT_CLONES void affineRows(const float* p, const float* q, const float* a, const float* s, const float* t,
                              const float* b, const float* plus, float* out, int C, int r0, int r1, bool swish) {
  if (swish) {
    affineRowsOf<true>(p, q, a, s, t, b, plus, out, C, r0, r1);
  } else {
    affineRowsOf<false>(p, q, a, s, t, b, plus, out, C, r0, r1);
  }
}

// Σ over rows of (f0, f1) per channel, as 2C doubles: each part sums its rows, then the parts are added.
template <typename Rows>
std::vector<double> columnSums(int rows, int C, Rows sumRows) {
  const int parts = partsFor(rows, C);
  std::vector<std::vector<double>> partial(parts, std::vector<double>(2 * C, 0.0));
  std::vector<std::vector<float>> block(parts, std::vector<float>(2 * C));
  parallelFor(rows, parts, [&](int t, int r0, int r1) { sumRows(partial[t].data(), block[t].data(), r0, r1); });
  std::vector<double> total(2 * C, 0.0);
  for (int t = 0; t < parts; t++)
    for (int c = 0; c < 2 * C; c++) total[c] += partial[t][c];
  return total;
}

// Few channels make a row too short to vectorise (C = 4: 4 floats), so k rows are taken as one wide row of
// k·C ≥ 64 floats (column j is channel j mod C) with the per-channel vectors tiled k times; the rows left over
// (fewer than k) run narrow.
struct Layout {
  int k, wideRows, rest;
};

Layout layoutFor(int rows, int C) {
  const int k = C >= 64 || rows == 0 ? 1 : std::max(1, std::min(rows, (64 + C - 1) / C));
  return {k, rows / k, rows % k};
}

std::vector<float> tiled(const float* v, int C, int k) {
  std::vector<float> out((size_t)k * C);
  for (int i = 0; i < k; i++) std::copy(v, v + C, out.begin() + (size_t)i * C);
  return out;
}

// Σ over all rows per channel, as 2C doubles: rowsSum(acc, block, width, per-channel vectors tiled to width,
// first row, r0, r1) sums rows [r0, r1) of a view `width` floats wide starting at float `first`.
template <typename Sum>
std::vector<double> channelSums(int rows, int C, const std::vector<const float*>& vectors, Sum rowsSum) {
  const Layout l = layoutFor(rows, C);
  const int wide = l.k * C;
  std::vector<std::vector<float>> tiles;
  std::vector<const float*> wideVectors;
  for (const float* v : vectors) {
    tiles.push_back(tiled(v, C, l.k));
    wideVectors.push_back(tiles.back().data());
  }
  const std::vector<double> w = columnSums(l.wideRows, wide, [&](double* acc, float* block, int r0, int r1) {
    rowsSum(acc, block, wide, wideVectors, (size_t)0, r0, r1);
  });
  std::vector<double> s(2 * C, 0.0);
  for (int j = 0; j < wide; j++) {
    s[j % C] += w[j];
    s[C + j % C] += w[wide + j];
  }
  if (l.rest > 0) {
    std::vector<double> acc(2 * C, 0.0);
    std::vector<float> block(2 * C);
    rowsSum(acc.data(), block.data(), C, vectors, (size_t)l.wideRows * wide, 0, l.rest);
    for (int c = 0; c < 2 * C; c++) s[c] += acc[c];
  }
  return s;
}

// out = a·(p − q) + b·(s − t) + plus per channel over all rows, split over the pool (see affineRows)
void affineAll(const float* p, const float* q, const float* a, const float* s, const float* t, const float* b,
               const float* plus, float* out, int rows, int C, bool swish) {
  const Layout l = layoutFor(rows, C);
  const int wide = l.k * C;
  const std::vector<float> qw = tiled(q, C, l.k), aw = tiled(a, C, l.k), tw = tiled(t, C, l.k),
                           bw = tiled(b, C, l.k), pw = tiled(plus, C, l.k);
  parallelFor(l.wideRows, partsFor(l.wideRows, wide), [&](int, int r0, int r1) {
    affineRows(p, qw.data(), aw.data(), s, tw.data(), bw.data(), pw.data(), out, wide, r0, r1, swish);
  });
  const size_t at = (size_t)l.wideRows * wide;
  if (l.rest > 0) affineRows(p + at, q, a, s + at, t, b, plus, out + at, C, 0, l.rest, swish);
}

}  // namespace

void batchNormStats(const float* x, float* stats, int rows, int C) {
  if (rows == 0) {
    std::fill(stats, stats + 2 * C, NAN);
    return;
  }
  const float* shift = x;  // row 0
  const std::vector<double> s =
      channelSums(rows, C, {shift}, [&](double* acc, float* block, int width, const std::vector<const float*>& v,
                                        size_t first, int r0, int r1) {
        statsRows(x + first, v[0], acc, block, width, r0, r1);
      });
  for (int c = 0; c < C; c++) {
    const double m = s[c] / rows;
    stats[c] = (float)(shift[c] + m);
    const double v = s[C + c] / rows - m * m;
    stats[C + c] = (float)(v < 0 ? 0.0 : v);  // rounding below 0 clamped; NaN kept (std::max would hide it)
  }
}

void batchNormApply(const float* x, const float* gamma, const float* beta, const float* stats, float* y, int rows,
                    int C, float epsilon, bool swish) {
  std::vector<float> a(C), zero(C, 0.f);
  for (int c = 0; c < C; c++) a[c] = gamma[c] / std::sqrt(stats[C + c] + epsilon);
  affineAll(x, stats, a.data(), x, zero.data(), zero.data(), beta, y, rows, C, swish);
}

void batchNormGrad(const float* x, const float* gamma, const float* beta, const float* stats, const float* dy,
                   float* dx, float* dgamma, float* dbeta, int rows, int C, float epsilon, bool swish) {
  const float* mean = stats;
  // with swish after the norm, g (the gradient reaching the norm) is made in the sums' pass and kept in dx,
  // which the last pass then rewrites in place
  std::vector<float> scale(C);
  for (int c = 0; c < C; c++) scale[c] = gamma[c] / std::sqrt(stats[C + c] + epsilon);
  const float* g = swish ? dx : dy;
  const std::vector<double> s = channelSums(
      rows, C, {mean, scale.data(), beta},
      [&](double* acc, float* block, int width, const std::vector<const float*>& v, size_t first, int r0, int r1) {
        gradSumRows(x + first, v[0], v[1], v[2], dy + first, dx + first, acc, block, width, r0, r1, swish);
      });
  // dx = k1·(g − Σg/N) + k2·(x − μ), k1 = γ/√(v+ε), k2 = −k1·dγ/(N·√(v+ε)), dγ = Σg·(x − μ)/√(v+ε)
  std::vector<float> k1(C), k2(C), meanG(C), zero(C, 0.f);
  for (int c = 0; c < C; c++) {
    const double inv = 1.0 / std::sqrt((double)stats[C + c] + epsilon);
    const double dg = s[C + c] * inv;
    dbeta[c] = (float)s[c];
    dgamma[c] = (float)dg;
    meanG[c] = rows > 0 ? (float)(s[c] / rows) : 0.f;
    k1[c] = (float)(gamma[c] * inv);
    k2[c] = rows > 0 ? (float)(-gamma[c] * inv * inv * dg / rows) : 0.f;
  }
  affineAll(g, meanG.data(), k1.data(), x, mean, k2.data(), zero.data(), dx, rows, C, false);
}

}  // namespace vaekit
