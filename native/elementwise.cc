// Fused elementwise kernels of the VAE loss (see kernels.h): one pass each, forward and gradient, in
// place of the chains of tensor ops (exp, log1p, abs, max, …) that tfjs would run and record.
#include <algorithm>
#include <vector>

#include "clones.h"
#include "kernels.h"
#include "pool.h"
#include "vmath.h"

namespace vaekit {
namespace {

constexpr int LANES = 16;  // partial sums kept apart so that a row's sum vectorises without -ffast-math

// rows [r0, r1) of bernoulliLogProb
VAEKIT_CLONES void bernoulliRows(const float* l, const float* x, float* out, int r0, int r1, int cols) {
  for (int r = r0; r < r1; r++) {
    const float* lr = l + (size_t)r * cols;
    const float* xr = x + (size_t)r * cols;
    float acc[LANES] = {};
    int c = 0;
    for (; c + LANES <= cols; c += LANES) {
      for (int j = 0; j < LANES; j++) {
        const float v = lr[c + j];
        const float softplus = (v > 0.f ? v : 0.f) + vlog1pUnit(vexp(v > 0.f ? -v : v));
        acc[j] += xr[c + j] * v - softplus;
      }
    }
    double sum = 0;
    for (; c < cols; c++) {
      const float v = lr[c];
      sum += xr[c] * v - ((v > 0.f ? v : 0.f) + vlog1pUnit(vexp(v > 0.f ? -v : v)));
    }
    for (int j = 0; j < LANES; j++) sum += acc[j];
    out[r] = (float)sum;
  }
}

// rows [r0, r1) of bernoulliLogProbGrad
VAEKIT_CLONES void bernoulliGradRows(const float* l, const float* x, const float* dy, float* dl, float* dx, int r0,
                                     int r1, int cols) {
  for (int r = r0; r < r1; r++) {
    const size_t at = (size_t)r * cols;
    const float g = dy[r];
    for (int c = 0; c < cols; c++) {
      const float v = l[at + c];
      const float e = vexp(v > 0.f ? -v : v);
      const float s = 1.f / (1.f + e);
      const float sigmoid = v > 0.f ? s : e * s;
      dl[at + c] = g * (x[at + c] - sigmoid);
      dx[at + c] = g * v;
    }
  }
}

// Rows per part: enough elements per thread to pay for waking it.
int partsFor(int rows, int cols) {
  return std::max(1, std::min(pool().size(), (int)((double)rows * cols / (1 << 15))));
}

}  // namespace

void bernoulliLogProb(const float* l, const float* x, float* out, int rows, int cols) {
  parallelFor(rows, partsFor(rows, cols), [&](int, int r0, int r1) { bernoulliRows(l, x, out, r0, r1, cols); });
}

void bernoulliLogProbGrad(const float* l, const float* x, const float* dy, float* dl, float* dx, int rows,
                          int cols) {
  parallelFor(rows, partsFor(rows, cols),
              [&](int, int r0, int r1) { bernoulliGradRows(l, x, dy, dl, dx, r0, r1, cols); });
}

VAEKIT_CLONES void gaussianKl(const float* mu, const float* lv, float* out, int n) {
  for (int i = 0; i < n; i++) out[i] = 0.5f * (mu[i] * mu[i] + vexp(lv[i]) - 1.f - lv[i]);
}

VAEKIT_CLONES void gaussianKlGrad(const float* mu, const float* lv, const float* dy, float* dmu, float* dlv, int n) {
  for (int i = 0; i < n; i++) {
    dmu[i] = dy[i] * mu[i];
    dlv[i] = 0.5f * dy[i] * (vexp(lv[i]) - 1.f);
  }
}

VAEKIT_CLONES void reparameterise(const float* mu, const float* lv, const float* eps, float* z, int n) {
  for (int i = 0; i < n; i++) z[i] = mu[i] + vexp(0.5f * lv[i]) * eps[i];
}

VAEKIT_CLONES void reparameteriseGrad(const float* lv, const float* eps, const float* dy, float* dlv, int n) {
  for (int i = 0; i < n; i++) dlv[i] = 0.5f * dy[i] * vexp(0.5f * lv[i]) * eps[i];
}

// rows [r0, r1) of addRows
VAEKIT_CLONES static void addRowsRange(const float* x, const float* b, float* out, int r0, int r1, int cols) {
  for (int r = r0; r < r1; r++) {
    const float* xr = x + (size_t)r * cols;
    float* o = out + (size_t)r * cols;
    for (int c = 0; c < cols; c++) o[c] = xr[c] + b[c];
  }
}

void addRows(const float* x, const float* b, float* out, int rows, int cols) {
  parallelFor(rows, partsFor(rows, cols), [&](int, int r0, int r1) { addRowsRange(x, b, out, r0, r1, cols); });
}

VAEKIT_CLONES void reluGrad(const float* x, const float* dy, float* dx, int n) {
  // tfjs's dy·step(x), step(x) = 1 for x > 0, 0 otherwise, NaN for NaN (so 0·∞ and NaN propagate alike)
  for (int i = 0; i < n; i++) dx[i] = dy[i] * (x[i] > 0.f ? 1.f : (x[i] != x[i] ? x[i] : 0.f));
}

// blocks [i0, i1) of swish and its gradient; σ from e = e^{−|x|}: 1/(1 + e) for x > 0, e/(1 + e) otherwise
VAEKIT_CLONES static void swishRange(const float* x, float* y, int i0, int i1) {
  for (int i = i0; i < i1; i++) {
    const float v = x[i];
    const float e = vexp(v > 0.f ? -v : v);
    const float s = 1.f / (1.f + e);
    y[i] = v * (v > 0.f ? s : e * s);
  }
}

VAEKIT_CLONES static void swishGradRange(const float* x, const float* dy, float* dx, int i0, int i1) {
  for (int i = i0; i < i1; i++) {
    const float v = x[i];
    const float e = vexp(v > 0.f ? -v : v);
    const float s = 1.f / (1.f + e);
    const float sigmoid = v > 0.f ? s : e * s;
    dx[i] = dy[i] * sigmoid * (1.f + v * (1.f - sigmoid));
  }
}

void swish(const float* x, float* y, int n) {
  parallelFor(n, partsFor(n, 1), [&](int, int i0, int i1) { swishRange(x, y, i0, i1); });
}

void swishGrad(const float* x, const float* dy, float* dx, int n) {
  parallelFor(n, partsFor(n, 1), [&](int, int i0, int i1) { swishGradRange(x, dy, dx, i0, i1); });
}

VAEKIT_CLONES static void gatedResidualImages(const float* skip, const float* x, const float* gate, float* y, int b0,
                                              int b1, int P, int C, float s) {
  for (int b = b0; b < b1; b++) {
    const float* g = gate + (size_t)b * C;
    const size_t at = (size_t)b * P * C;
    for (int p = 0; p < P; p++) {
      const size_t row = at + (size_t)p * C;
      for (int c = 0; c < C; c++) y[row + c] = skip[row + c] + s * x[row + c] * g[c];
    }
  }
}

VAEKIT_CLONES static void gatedResidualGradImages(const float* x, const float* gate, const float* dy, float* dx,
                                                  float* dgate, int b0, int b1, int P, int C, float s) {
  std::vector<float> acc(C);
  for (int b = b0; b < b1; b++) {
    const float* g = gate + (size_t)b * C;
    const size_t at = (size_t)b * P * C;
    std::fill(acc.begin(), acc.end(), 0.f);
    for (int p = 0; p < P; p++) {
      const size_t row = at + (size_t)p * C;
      for (int c = 0; c < C; c++) {
        dx[row + c] = s * dy[row + c] * g[c];
        acc[c] += dy[row + c] * x[row + c];
      }
    }
    for (int c = 0; c < C; c++) dgate[(size_t)b * C + c] = s * acc[c];
  }
}

void gatedResidual(const float* skip, const float* x, const float* gate, float* y, int B, int P, int C, float s) {
  parallelFor(B, partsFor(B, P * C), [&](int, int b0, int b1) { gatedResidualImages(skip, x, gate, y, b0, b1, P, C, s); });
}

void gatedResidualGrad(const float* x, const float* gate, const float* dy, float* dx, float* dgate, int B, int P,
                       int C, float s) {
  parallelFor(B, partsFor(B, P * C),
              [&](int, int b0, int b1) { gatedResidualGradImages(x, gate, dy, dx, dgate, b0, b1, P, C, s); });
}

}  // namespace vaekit
