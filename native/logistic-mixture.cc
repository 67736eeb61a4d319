// The discretised logistic mixture's log-likelihood (see kernels.h), forward and gradient, each one pass
// over the elements in place of the ~100 tensor ops over [K, N] (transpose, slices, tanh, exp, softplus,
// sigmoid, where, log-sum-exp, …) that src/distributions/logistic-mixture.ts runs without the addon.
//
// The elements are taken in chunks of CHUNK: a chunk's parameters are transposed into rows of CHUNK floats
// (one row per parameter), so that every loop below runs over contiguous floats and vectorises, the
// branches becoming selects. A value a branch does not take is computed but never used, and never
// multiplied by anything: an ∞ or NaN there cannot leak into the result or the gradient.
//
// The float32 roundings follow the tf ops where the result is ill-conditioned: σ is rounded to float before
// the bin mass δ = σ(p) − σ(m) and the sigmoid's derivative y·(1 − y) are formed from it (σ near 1 as
// 1 − σ(−v), which rounds as a correctly rounded σ does), so that both paths agree to float precision
// where the difference of two sigmoids loses digits.
#include <algorithm>
#include <vector>

#include "clones.h"
#include "kernels.h"
#include "pool.h"
#include "vmath.h"

namespace vaekit {
namespace {

constexpr int CHUNK = 64;                 // elements per chunk: its rows stay in L1 for any sensible K
constexpr float HALF_BIN = 1.f / 255.f;   // half an 8-bit bin on the [−1, 1] scale
constexpr float MIN_LOG_SCALE = -7.f;     // log scales are clamped from below
constexpr float MIN_BIN_MASS = 1e-5f;     // below it, the density at the bin centre times its width
constexpr float LOG_HALF_LEVELS = 4.84811638f;  // log 127.5: log of 1 / the bin width 2/255
constexpr float EDGE = 0.999f;            // x' = 2x − 1 beyond ±EDGE: the edge bins

// σ(v) from e = e^{−|v|}: e/(1 + e) for v ≤ 0, 1 − e/(1 + e) for v > 0 (rounded once, near 1).
inline float sigmoidFrom(float v, float e) {
  const float s = e / (1.f + e);
  return v > 0.f ? 1.f - s : s;
}

// softplus(v) = max(v, 0) + log1p(e^{−|v|}), from e = e^{−|v|}.
inline float softplusFrom(float v, float e) { return (v > 0.f ? v : 0.f) + vlog1pUnit(e); }

// The scratch rows of one part: the chunk's 3K parameter rows, then K rows each of T_k = L_k + log π_k,
// ∂L_k/∂b_k, ∂L_k/∂c_k and ∂L_k/∂x (the gradient only), then x' = 2x − 1, log Σ_j e^{a_j} and the output.
struct Rows {
  float* params;  // [3K][CHUNK]: a_k, b_k, c_k
  float* t;       // [K][CHUNK]
  float* db;      // [K][CHUNK]
  float* dc;      // [K][CHUNK]
  float* dx;      // [K][CHUNK]
  float* xs;
  float* lseA;
  float* out;
  std::vector<float> store;
  explicit Rows(int K) : store((size_t)CHUNK * (7 * K + 3)) {
    params = store.data();
    t = params + (size_t)3 * K * CHUNK;
    db = t + (size_t)K * CHUNK;
    dc = db + (size_t)K * CHUNK;
    dx = dc + (size_t)K * CHUNK;
    xs = dx + (size_t)K * CHUNK;
    lseA = xs + CHUNK;
    out = lseA + CHUNK;
  }
};

// The chunk's parameters transposed into rows, x' = 2x − 1 and log Σ_j e^{a_j} (shifted by the largest a_j).
VAEKIT_CLONES void loadChunk(const float* params, const float* x, int len, int K, Rows& r) {
  const int k3 = 3 * K;
  for (int i = 0; i < len; i++)
    for (int j = 0; j < k3; j++) r.params[(size_t)j * CHUNK + i] = params[(size_t)i * k3 + j];
  for (int i = 0; i < len; i++) r.xs[i] = 2.f * x[i] - 1.f;
  float* lse = r.lseA;
  for (int i = 0; i < len; i++) lse[i] = r.params[i];
  for (int k = 1; k < K; k++) {
    const float* a = r.params + (size_t)k * CHUNK;
    for (int i = 0; i < len; i++) lse[i] = a[i] > lse[i] ? a[i] : lse[i];
  }
  float sum[CHUNK];
  for (int i = 0; i < len; i++) sum[i] = 0.f;
  for (int k = 0; k < K; k++) {
    const float* a = r.params + (size_t)k * CHUNK;
    for (int i = 0; i < len; i++) sum[i] += vexp(a[i] - lse[i]);
  }
  for (int i = 0; i < len; i++) lse[i] = vlog(sum[i]) + lse[i];
}

// One component over a chunk: t = L + log π, and with Grad ∂L/∂b, ∂L/∂c and ∂L/∂x (per unit ∂L). Inlined into each
// clone below, so that it is compiled for the clone's instruction set; the rows do not overlap (restrict), so
// that the loop vectorises without run-time alias checks.
template <bool Grad>
__attribute__((always_inline)) inline void component(int len, const float* __restrict xs,
                                                     const float* __restrict lseA, const float* __restrict a,
                                                     const float* __restrict b, const float* __restrict c,
                                                     float* __restrict t, float* __restrict db,
                                                     float* __restrict dc, float* __restrict dx) {
    for (int i = 0; i < len; i++) {
      const float xv = xs[i];
      const float mu = vtanh(b[i]);
      const float ls = c[i] < MIN_LOG_SCALE ? MIN_LOG_SCALE : c[i];  // NaN stays NaN, as in tf.maximum
      const float invS = vexp(-ls);
      const float centred = xv - mu;
      const float p = invS * (centred + HALF_BIN);
      const float m = invS * (centred - HALF_BIN);
      const float mid = invS * centred;
      const float ep = vexp(p > 0.f ? -p : p), em = vexp(m > 0.f ? -m : m), et = vexp(mid > 0.f ? -mid : mid);
      const float sigP = sigmoidFrom(p, ep), sigM = sigmoidFrom(m, em), sigT = sigmoidFrom(mid, et);
      const float spP = softplusFrom(p, ep), spM = softplusFrom(m, em), spT = softplusFrom(mid, et);
      const float delta = sigP - sigM;
      // quiet comparisons (no trap on NaN): GCC keeps a loop with a signalling one that it must sink scalar
      const bool low = __builtin_isless(xv, -EDGE), high = __builtin_isgreater(xv, EDGE);
      const bool binMass = __builtin_isgreater(delta, MIN_BIN_MASS);
      const float logDelta = vlog(delta > 1e-12f ? delta : 1e-12f);
      const float logPdf = mid - ls - 2.f * spT - LOG_HALF_LEVELS;
      const float inner = binMass ? logDelta : logPdf;
      const float L = low ? p - spP : (high ? -spM : inner);
      t[i] = L + (a[i] - lseA[i]);
      if constexpr (Grad) {
        // ∂L/∂p, ∂L/∂m, ∂L/∂t of the branch taken, and ∂L/∂ls held directly (the density's −ls)
        const bool edge = low | high, density = !(edge | binMass);
        const float safeDelta = binMass ? delta : 1.f;
        const float sigNegP = p > 0.f ? ep / (1.f + ep) : 1.f - ep / (1.f + ep);  // σ(−p) = 1 − σ(p)
        const float massP = binMass ? sigP * (1.f - sigP) / safeDelta : 0.f;
        const float massM = binMass ? -(sigM * (1.f - sigM)) / safeDelta : 0.f;
        const float dp = low ? sigNegP : (high ? 0.f : massP);
        const float dm = low ? 0.f : (high ? -sigM : massM);
        const float dt = density ? 1.f - 2.f * sigT : 0.f;
        const float direct = density ? -1.f : 0.f;
        // p, m, t = invS·(x' − μ ± h, or 0): ∂/∂μ = −invS, ∂/∂ls = −p, −m, −t
        const float dmu = -invS * (dp + dm + dt);
        const float dls = direct - (dp * p + dm * m + dt * mid);
        db[i] = dmu * (1.f - mu * mu);
        dc[i] = c[i] >= MIN_LOG_SCALE ? dls : 0.f;  // tf.maximum's gradient passes at equality
        dx[i] = -2.f * dmu;                         // x' = 2x − 1 enters as μ does, with the other sign
      }
    }
}

// T_k = L_k + log π_k for each component, and with Grad ∂L_k/∂b_k, ∂L_k/∂c_k and ∂L_k/∂x.
template <bool Grad>
__attribute__((always_inline)) inline void components(int len, int K, Rows& r) {
  for (int k = 0; k < K; k++) {
    const size_t at = (size_t)k * CHUNK;
    component<Grad>(len, r.xs, r.lseA, r.params + at, r.params + (size_t)K * CHUNK + at,
                    r.params + (size_t)2 * K * CHUNK + at, r.t + at, r.db + at, r.dc + at, r.dx + at);
  }
}

VAEKIT_CLONES void componentValues(int len, int K, Rows& r) { components<false>(len, K, r); }
VAEKIT_CLONES void componentGradients(int len, int K, Rows& r) { components<true>(len, K, r); }

// out = log Σ_k e^{T_k} (shifted by the largest T_k); with dy, the gradient of the chunk's parameters and x.
VAEKIT_CLONES void finish(int len, int K, const float* dy, float* dparams, float* dxOut, Rows& r) {
  float top[CHUNK], sum[CHUNK];
  for (int i = 0; i < len; i++) {
    top[i] = r.t[i];
    sum[i] = 0.f;
  }
  for (int k = 1; k < K; k++) {
    const float* t = r.t + (size_t)k * CHUNK;
    for (int i = 0; i < len; i++) top[i] = t[i] > top[i] ? t[i] : top[i];
  }
  for (int k = 0; k < K; k++) {
    float* t = r.t + (size_t)k * CHUNK;
    for (int i = 0; i < len; i++) {
      const float e = vexp(t[i] - top[i]);
      sum[i] += e;
      if (dy != nullptr) t[i] = e;  // kept for the weights w_k = e_k / Σ e
    }
  }
  for (int i = 0; i < len; i++) r.out[i] = vlog(sum[i]) + top[i];
  if (dy == nullptr) return;
  // ∂out/∂T_k = w_k; ∂/∂a_k = dy·(w_k − π_k), π_k = e^{a_k − log Σ e^{a_j}};
  // ∂/∂b_k = dy·w_k·∂L_k/∂b_k, ∂/∂c_k likewise; ∂/∂x = Σ_k dy·w_k·∂L_k/∂x
  const int k3 = 3 * K;
  float dxSum[CHUNK];
  for (int i = 0; i < len; i++) dxSum[i] = 0.f;
  for (int k = 0; k < K; k++) {
    const float* e = r.t + (size_t)k * CHUNK;
    const float* a = r.params + (size_t)k * CHUNK;
    float* da = r.params + (size_t)k * CHUNK;
    float* db = r.db + (size_t)k * CHUNK;
    float* dc = r.dc + (size_t)k * CHUNK;
    const float* dxk = r.dx + (size_t)k * CHUNK;
    for (int i = 0; i < len; i++) {
      const float g = dy[i] * (e[i] / sum[i]);
      da[i] = g - dy[i] * vexp(a[i] - r.lseA[i]);
      db[i] *= g;
      dc[i] *= g;
      dxSum[i] += g * dxk[i];
    }
  }
  std::copy(dxSum, dxSum + len, dxOut);
  for (int i = 0; i < len; i++) {
    float* row = dparams + (size_t)i * k3;
    for (int k = 0; k < K; k++) {
      row[k] = r.params[(size_t)k * CHUNK + i];
      row[K + k] = r.db[(size_t)k * CHUNK + i];
      row[2 * K + k] = r.dc[(size_t)k * CHUNK + i];
    }
  }
}

// Elements [i0, i1), chunk by chunk; dy null for the forward pass (writes out), else the gradient (dparams, dx).
void runRange(const float* params, const float* x, const float* dy, float* out, float* dparams, float* dx, int i0,
              int i1, int K) {
  Rows r(K);
  const size_t k3 = 3 * (size_t)K;
  for (int at = i0; at < i1; at += CHUNK) {
    const int len = std::min(CHUNK, i1 - at);
    loadChunk(params + at * k3, x + at, len, K, r);
    if (dy == nullptr)
      componentValues(len, K, r);
    else
      componentGradients(len, K, r);
    finish(len, K, dy != nullptr ? dy + at : nullptr, dparams != nullptr ? dparams + at * k3 : nullptr,
           dx != nullptr ? dx + at : nullptr, r);
    if (dy == nullptr) std::copy(r.out, r.out + len, out + at);
  }
}

// Parts: at least about 2¹² component evaluations (about ten exps and logs each) per thread.
int partsFor(int n, int K) { return std::max(1, std::min(pool().size(), (int)((double)n * K / (1 << 12)))); }

}  // namespace

void logisticMixtureLogProb(const float* params, const float* x, float* out, int n, int K) {
  if (K < 1) return;
  parallelFor(n, partsFor(n, K),
              [&](int, int i0, int i1) { runRange(params, x, nullptr, out, nullptr, nullptr, i0, i1, K); });
}

void logisticMixtureLogProbGrad(const float* params, const float* x, const float* dy, float* dparams, float* dx, int n,
                                int K) {
  if (K < 1) return;
  parallelFor(n, partsFor(n, K),
              [&](int, int i0, int i1) { runRange(params, x, dy, nullptr, dparams, dx, i0, i1, K); });
}

}  // namespace vaekit
