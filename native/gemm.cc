// Multi-threaded single-precision matrix product:
//   C[m×n] = op(A)·op(B),  op(A) = A or Aᵀ (A stored [m,k] or [k,m]), likewise B ([k,n] or [n,k]).
//
// BLIS-style: B is packed into KC×NR column panels and A into MR×KC row panels (zero-padded), and
// an MR×NR register-tile micro-kernel accumulates C. The kernel is written with GCC vector
// extensions and compiled for AVX-512, AVX2+FMA and baseline x86-64 (target_clones picks one at
// load time), so the addon runs on any x86-64 machine it was built on or copied to.
// Work is split into column (or row) strips on a small persistent thread pool.
#include <algorithm>
#include <cstring>
#include <vector>

#include "clones.h"
#include "kernels.h"
#include "pool.h"

namespace vaekit {
namespace {

constexpr int MR = 6;  // rows of the register tile
// Columns of the register tile: 32 (two 512-bit vectors a row, 12 accumulators) where AVX-512 runs, else
// 16 (one 512-bit vector, as two 256-bit halves with AVX2: 12 ymm accumulators, within its 16 registers).
// With 6 accumulators the multiply-adds waited on each other: 120 GFLOP/s on one Zen 5 core, 160 with 12.
constexpr int MAX_NR = 32;
#ifndef VAEKIT_NR  // -DVAEKIT_NR=16 or 32 fixes it (to test both widths on any machine)
#if defined(__x86_64__) || defined(__i386__)
#define VAEKIT_NR (__builtin_cpu_supports("avx512f") ? 32 : 16)
#else
// aarch64: a 16-float vector is four 128-bit NEON registers; the 6×16 tile's 24 accumulators fit its 32
#define VAEKIT_NR 16
#endif
#endif
const int NR = VAEKIT_NR;
// A product of at most 16 columns (a convolution's 8 or 16 output channels) runs on the 16-column tile:
// on the 32-column one, half or more of every multiply-add would fall on padding.
int nrFor(int n) { return n <= 16 ? 16 : NR; }
constexpr int KC = 256;  // depth of one packed block
constexpr int MC = 120;  // rows of A packed at a time (a multiple of MR)

typedef float v16 __attribute__((vector_size(64), aligned(4)));

struct Operands {
  const float* a;
  const float* b;
  float* c;
  int m, n, k;
  bool transA, transB;
  bool accumulate;  // C += op(A)·op(B) instead of C =
  int nr;           // columns of the register tile for this product (nrFor)
  // element (i, p) of op(A) and (p, j) of op(B)
  float A(int i, int p) const { return transA ? a[(size_t)p * m + i] : a[(size_t)i * k + p]; }
  float B(int p, int j) const { return transB ? b[(size_t)j * k + p] : b[(size_t)p * n + j]; }
};

// Packs op(B)[p0:p0+kc, j0:j0+nc] into panels of NR columns: panel q holds rows p at q*kc*NR + p*NR.
void packB(const Operands& o, int p0, int kc, int j0, int nc, float* out) {
  for (int jp = 0; jp < nc; jp += o.nr) {
    float* panel = out + (size_t)(jp / o.nr) * kc * o.nr;
    const int cols = std::min(o.nr, nc - jp);
    if (!o.transB && cols == o.nr) {
      for (int p = 0; p < kc; p++) std::memcpy(panel + p * o.nr, o.b + (size_t)(p0 + p) * o.n + j0 + jp, o.nr * 4);
      continue;
    }
    if (cols == o.nr) {
      // B stored [n, k]: walk each of the o.nr columns' rows of k contiguously
      for (int j = 0; j < o.nr; j++) {
        const float* col = o.b + (size_t)(j0 + jp + j) * o.k + p0;
        for (int p = 0; p < kc; p++) panel[p * o.nr + j] = col[p];
      }
      continue;
    }
    for (int p = 0; p < kc; p++) {
      for (int j = 0; j < cols; j++) panel[p * o.nr + j] = o.B(p0 + p, j0 + jp + j);
      for (int j = cols; j < o.nr; j++) panel[p * o.nr + j] = 0.f;
    }
  }
}

// Packs op(A)[i0:i0+mc, p0:p0+kc] into panels of MR rows: panel r holds column p at r*kc*MR + p*MR.
// Full panels read MR row (or column) pointers directly: the generic element loop (a branch on the
// transpose and an index product per element) cost as much as the multiply-adds when n is small
// (a convolution's 64 output channels).
void packA(const Operands& o, int i0, int mc, int p0, int kc, float* out) {
  for (int ip = 0; ip < mc; ip += MR) {
    float* panel = out + (size_t)(ip / MR) * kc * MR;
    const int rows = std::min(MR, mc - ip);
    if (rows == MR && o.transA) {
      // A stored [k, m]: the MR values of column p are contiguous
      for (int p = 0; p < kc; p++) std::memcpy(panel + p * MR, o.a + (size_t)(p0 + p) * o.m + i0 + ip, MR * 4);
      continue;
    }
    if (rows == MR) {
      const float* row[MR];
      for (int i = 0; i < MR; i++) row[i] = o.a + (size_t)(i0 + ip + i) * o.k + p0;
      for (int p = 0; p < kc; p++) {
        for (int i = 0; i < MR; i++) panel[p * MR + i] = row[i][p];
      }
      continue;
    }
    for (int p = 0; p < kc; p++) {
      for (int i = 0; i < rows; i++) panel[p * MR + i] = o.A(i0 + ip + i, p0 + p);
      for (int i = rows; i < MR; i++) panel[p * MR + i] = 0.f;
    }
  }
}

// tile[MR][16] = Σ_p a[p][r]·b[p][:], a and b packed panels of depth kc (NR = 16).
VAEKIT_CLONES void microKernel16(
    int kc, const float* __restrict a, const float* __restrict b, float* __restrict tile) {
  v16 acc[MR];
  for (int r = 0; r < MR; r++) acc[r] = v16{};
  for (int p = 0; p < kc; p++) {
    v16 bv;
    std::memcpy(&bv, b + p * 16, sizeof bv);
    for (int r = 0; r < MR; r++) acc[r] += a[p * MR + r] * bv;
  }
  std::memcpy(tile, acc, sizeof acc);
}

// The same for two consecutive row panels (2·MR rows) against one 16-column panel: 2·MR independent
// accumulators, as the 32-column tile has. Used where AVX-512 runs (32 vector registers) for products of at
// most 16 columns: with MR accumulators the multiply-adds wait on each other (94 against 190 GFLOP/s for a
// 16-channel convolution on Zen 5).
VAEKIT_CLONES void microKernel16Pair(
    int kc, const float* __restrict a, const float* __restrict a2, const float* __restrict b, float* __restrict tile) {
  v16 acc[2 * MR];
  for (int r = 0; r < 2 * MR; r++) acc[r] = v16{};
  for (int p = 0; p < kc; p++) {
    v16 bv;
    std::memcpy(&bv, b + p * 16, sizeof bv);
    for (int r = 0; r < MR; r++) {
      acc[r] += a[p * MR + r] * bv;
      acc[MR + r] += a2[p * MR + r] * bv;
    }
  }
  std::memcpy(tile, acc, sizeof acc);
}

// The same for NR = 32: two 16-float halves per row, 2·MR independent accumulators.
VAEKIT_CLONES void microKernel32(
    int kc, const float* __restrict a, const float* __restrict b, float* __restrict tile) {
  v16 lo[MR], hi[MR];
  for (int r = 0; r < MR; r++) lo[r] = hi[r] = v16{};
  for (int p = 0; p < kc; p++) {
    v16 bl, bh;
    std::memcpy(&bl, b + p * 32, sizeof bl);
    std::memcpy(&bh, b + p * 32 + 16, sizeof bh);
    for (int r = 0; r < MR; r++) {
      lo[r] += a[p * MR + r] * bl;
      hi[r] += a[p * MR + r] * bh;
    }
  }
  for (int r = 0; r < MR; r++) {
    std::memcpy(tile + r * 32, &lo[r], sizeof lo[r]);
    std::memcpy(tile + r * 32 + 16, &hi[r], sizeof hi[r]);
  }
}

// C strip [i0:i1) × [j0:j1) for this thread; packing buffers are the thread's own.
void strip(const Operands& o, int i0, int i1, int j0, int j1) {
  thread_local std::vector<float> bufA, bufB;
  const int nc = j1 - j0;
  const int ncPadded = (nc + o.nr - 1) / o.nr * o.nr;
  bufB.resize((size_t)KC * ncPadded);
  bufA.resize((size_t)KC * MC);
  alignas(64) float tile[MR * MAX_NR];
  for (int p0 = 0; p0 < o.k; p0 += KC) {
    const int kc = std::min(KC, o.k - p0);
    packB(o, p0, kc, j0, nc, bufB.data());
    for (int ic = i0; ic < i1; ic += MC) {
      const int mc = std::min(MC, i1 - ic);
      packA(o, ic, mc, p0, kc, bufA.data());
      for (int jr = 0; jr < nc; jr += o.nr) {
        const int cols = std::min(o.nr, nc - jr);
        const float* bp = bufB.data() + (size_t)(jr / o.nr) * kc * o.nr;
        for (int ir = 0; ir < mc; ir += MR) {
          const float* ap = bufA.data() + (size_t)(ir / MR) * kc * MR;
          const bool pair = NR == 32 && o.nr == 16 && ir + MR < mc;  // two row panels at once
          const int rows = std::min(pair ? 2 * MR : MR, mc - ir);
          if (o.nr == 32) {
            microKernel32(kc, ap, bp, tile);
          } else if (pair) {
            microKernel16Pair(kc, ap, ap + (size_t)kc * MR, bp, tile);
          } else {
            microKernel16(kc, ap, bp, tile);
          }
          for (int r = 0; r < rows; r++) {
            float* c = o.c + (size_t)(ic + ir + r) * o.n + j0 + jr;
            const float* t = tile + r * o.nr;
            if (p0 == 0 && !o.accumulate) {
              std::memcpy(c, t, cols * 4);
            } else {
              for (int j = 0; j < cols; j++) c[j] += t[j];
            }
          }
          if (pair) ir += MR;
        }
      }
    }
  }
  if (o.k == 0 && !o.accumulate) {
    for (int i = i0; i < i1; i++) std::fill(o.c + (size_t)i * o.n + j0, o.c + (size_t)i * o.n + j1, 0.f);
  }
}

// Work below this many multiply-adds per thread is not worth waking another thread for.
constexpr double MIN_WORK_PER_THREAD = 1 << 18;

}  // namespace

void gemm(const float* a, const float* b, float* c, int m, int n, int k, bool transA, bool transB) {
  const Operands o{a, b, c, m, n, k, transA, transB, false, nrFor(n)};
  const double work = (double)o.m * o.n * std::max(o.k, 1);
  const bool byColumns = o.n >= o.m;  // split the longer side into strips
  const int units = byColumns ? (o.n + o.nr - 1) / o.nr : (o.m + MR - 1) / MR;
  parallelFor(units, std::max(1, (int)(work / MIN_WORK_PER_THREAD)), [&](int, int u0, int u1) {
    if (byColumns) {
      strip(o, 0, o.m, u0 * o.nr, std::min(o.n, u1 * o.nr));
    } else {
      strip(o, u0 * MR, std::min(o.m, u1 * MR), 0, o.n);
    }
  });
}

void gemmSerial(const float* a, const float* b, float* c, int m, int n, int k, bool transA, bool transB,
                bool accumulate) {
  strip(Operands{a, b, c, m, n, k, transA, transB, accumulate, nrFor(n)}, 0, m, 0, n);
}

}  // namespace vaekit
