// The native kernels, each working in place on float arrays (the wasm heap, seen from C++).
#pragma once

namespace vaekit {

// C[m×n] = op(A)·op(B); A is stored [m,k] (or [k,m] when transA), B [k,n] (or [n,k] when transB).
void gemm(const float* a, const float* b, float* c, int m, int n, int k, bool transA, bool transB);
// The same on the calling thread alone (inside a parallelFor job), C = or (accumulate) C += op(A)·op(B).
void gemmSerial(const float* a, const float* b, float* c, int m, int n, int k, bool transA, bool transB,
                bool accumulate);

// Geometry of a 2-D convolution in NHWC layout (padding before the first row/column).
struct ConvGeometry {
  int batch, inH, inW, inC, outH, outW, filterH, filterW, strideH, strideW, dilationH, dilationW, padTop,
      padLeft;
};

// The output columns ox whose input column ix = ox·stride + offset lies in [0, inW): [lo, hi).
inline void validColumns(int outW, int stride, int offset, int inW, int& lo, int& hi) {
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const int last = inW - 1 - offset;  // ox·stride ≤ last
  hi = last < 0 ? 0 : (last / stride + 1 < outW ? last / stride + 1 : outW);
  if (hi < lo) hi = lo;
}

// cols[r, (ky·kw + kx)·inC + ci] = x[b, iy, ix, ci] (0 outside the image), r = (b·outH + oy)·outW + ox,
// iy = oy·strideH + ky·dilationH − padTop, ix likewise.
void im2col(const float* x, float* cols, const ConvGeometry& g);

// dx = the adjoint of im2col applied to cols: every tap scatter-added back to its input pixel.
void col2im(const float* cols, float* dx, const ConvGeometry& g);

// A convolution and its two gradients with the filter w stored [kh·kw·inC, outC], the im2col matrix X
// built a block of rows at a time (a block fits in the core's cache, never the whole matrix in memory):
//   y = X·w (+ bias per output channel, when bias is not null),   dx = col2im(dy·wᵀ),   dw = Xᵀ·dy
// (x, y, dx, dy NHWC). For inC ≥ 8, or a pointwise filter (1×1, stride 1, no padding: X is x itself).
void convForward(const float* x, const float* w, const float* bias, float* y, int outC, const ConvGeometry& g);
void convBackpropInput(const float* dy, const float* w, float* dx, int outC, const ConvGeometry& g);
void convBackpropFilter(const float* x, const float* dy, float* dw, int outC, const ConvGeometry& g);

// One Adam step in place over n values (Kingma & Ba 2015, with tfjs's bias correction):
//   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  θ ← θ − lr·m̂ / (√v̂ + ε),  m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
// Returns how many of the new θ, m, v are not finite (0 for a healthy step).
int adam(float* theta, const float* g, float* m, float* v, int n, double lr, double beta1, double beta2,
         double epsilon, double correction1, double correction2);

}  // namespace vaekit

namespace vaekit {

// out[c] = Σ_r x[r, c] for x stored [rows, cols] (a bias gradient), accumulated in double precision.
void sumRows(const float* x, float* out, int rows, int cols);

// Σ_i x_i² in double precision (NaN or ∞ if any x_i is).
double sumSquares(const float* x, int n);

// out = x repeated reps[d] times along each axis d: out[i_0, …] = x[i_0 mod shape[0], …]; rank ≤ 8.
void tile(const float* x, float* out, const int* shape, const int* reps, int rank);

}  // namespace vaekit

namespace vaekit {

// The VAE's elementwise chains, fused (elementwise.cc); x, l, μ, log σ² = lv, ε stored row-major.
// Bernoulli log-likelihood from logits, per row: out[r] = Σ_c x·l − softplus(l),
//   softplus(l) = max(l, 0) + log1p(e^{−|l|}) (stable for any l).
void bernoulliLogProb(const float* l, const float* x, float* out, int rows, int cols);
// Its gradient for an upstream dy[r]: dl = dy[r]·(x − σ(l)), dx = dy[r]·l.
void bernoulliLogProbGrad(const float* l, const float* x, const float* dy, float* dl, float* dx, int rows,
                          int cols);
// KL(N(μ, σ²) ‖ N(0, 1)) per element: ½ (μ² + e^{lv} − 1 − lv); gradient dμ = dy·μ, dlv = ½ dy (e^{lv} − 1).
void gaussianKl(const float* mu, const float* lv, float* out, int n);
void gaussianKlGrad(const float* mu, const float* lv, const float* dy, float* dmu, float* dlv, int n);
// Reparameterised sample z = μ + e^{lv/2}·ε; gradient dμ = dy, dlv = ½ dy e^{lv/2} ε.
void reparameterise(const float* mu, const float* lv, const float* eps, float* z, int n);
void reparameteriseGrad(const float* lv, const float* eps, const float* dy, float* dlv, int n);
// A bias added to every row: out[r, c] = x[r, c] + b[c].
void addRows(const float* x, const float* b, float* out, int rows, int cols);
// The gradient of relu: dx = dy·step(x) (1 for x > 0, 0 otherwise, NaN for NaN x), one pass.
void reluGrad(const float* x, const float* dy, float* dx, int n);

}  // namespace vaekit

namespace vaekit {

// Depthwise convolution in NHWC (depthwise.cc): g.inC = C channels, filter w [kh, kw, C, M] (M the channel
// multiplier), output channel c·M + m; iy = oy·strideH + ky·dilationH − padTop, ix likewise.
//   y[b, oy, ox, c·M + m]  = Σ_{ky, kx} x[b, iy, ix, c] · w[ky, kx, c, m]
//   dx[b, iy, ix, c]       = Σ_{ky, kx, m} dy[b, oy, ox, c·M + m] · w[ky, kx, c, m]   (over the (oy, ox) reading iy, ix)
//   dw[ky, kx, c, m]       = Σ_{b, oy, ox} x[b, iy, ix, c] · dy[b, oy, ox, c·M + m]
// The first two are split over output (input) rows, each written by one thread; dw over rows with a partial
// sum per thread, in double precision, added in thread order.
void depthwiseConv(const float* x, const float* w, float* y, int multiplier, const ConvGeometry& g);
void depthwiseBackpropInput(const float* dy, const float* w, float* dx, int multiplier, const ConvGeometry& g);
void depthwiseBackpropFilter(const float* x, const float* dy, float* dw, int multiplier, const ConvGeometry& g);

}  // namespace vaekit

namespace vaekit {

// Swish (elementwise.cc): y = x·σ(x), σ(x) = 1/(1 + e^{−x}) (from e^{−|x|}, stable for any x);
// its gradient dx = dy·σ(x)·(1 + x·(1 − σ(x))). Split over the pool for large n.
void swish(const float* x, float* y, int n);
void swishGrad(const float* x, const float* dy, float* dx, int n);

// The end of an NVAE residual cell, squeeze-and-excitation's gate and the residual sum in one pass
// (elementwise.cc), for x, skip, y [B, P, C] (P = h·w pixels) and gate [B, C]:
//   y = skip + s·x·gate,   dskip = dy,   dx = s·dy·gate,   dgate[b, c] = s·Σ_p dy·x.   Split over the batch.
void gatedResidual(const float* skip, const float* x, const float* gate, float* y, int B, int P, int C, float s);
void gatedResidualGrad(const float* x, const float* gate, const float* dy, float* dx, float* dgate, int B, int P,
                       int C, float s);

// Batch normalisation in training mode over rows (norm.cc): x stored [rows, C] (NHWC with rows = B·h·w).
// Statistics: stats[c] = μ_c = mean over rows, stats[C + c] = v_c = the biased variance (shifted sums in
// double precision). Normalise: y = γ·x̂ + β, x̂ = (x − μ)/√(v + ε). Gradient, with μ and v functions of x:
//   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/√(v + ε)·(dy − dβ/N − x̂·dγ/N),  N = rows.
// Each pass is split over rows, with per-thread partial sums added in thread order. With `swish`, the norm is
// followed by swish in the same passes: y = swish(a), a = γ·x̂ + β, and the gradient takes g = dy·swish'(a)
// (a recomputed from x) in place of dy.
void batchNormStats(const float* x, float* stats, int rows, int C);
void batchNormApply(const float* x, const float* gamma, const float* beta, const float* stats, float* y, int rows,
                    int C, float epsilon, bool swish);
void batchNormGrad(const float* x, const float* gamma, const float* beta, const float* stats, const float* dy,
                   float* dx, float* dgamma, float* dbeta, int rows, int C, float epsilon, bool swish);

}  // namespace vaekit

namespace vaekit {

// The discretised logistic mixture's log-likelihood of 8-bit data (logistic-mixture.cc), as
// src/distributions/logistic-mixture.ts defines it. Element i has params[i, 0..3K) = (a_k logits, b_k
// pre-tanh locations, c_k pre-clamp log scales) and x[i] in [0, 1]; with h = 1/255, x' = 2x − 1,
// μ_k = tanh b_k, ls_k = max(c_k, −7), p, m, t = e^{−ls_k}·(x' − μ_k + h, − h, + 0):
//   L_k = log σ(p) if x' < −0.999;  −softplus(m) if x' > 0.999;  else log δ if δ = σ(p) − σ(m) > 1e−5,
//         else t − ls_k − 2·softplus(t) − log 127.5 (the density at the bin centre times the bin width);
//   out[i] = log Σ_k π_k e^{L_k},  π = softmax(a).
// The gradient for an upstream dy[i], with w_k = π_k e^{L_k} / Σ_j π_j e^{L_j}: ∂/∂a_k = dy·(w_k − π_k),
// ∂/∂b_k = dy·w_k·∂L_k/∂μ_k·(1 − μ_k²), ∂/∂c_k = dy·w_k·∂L_k/∂ls_k where c_k ≥ −7 (else 0), and for x
// (which enters L_k as x' − μ_k, x' = 2x − 1) dx[i] = −2·Σ_k dy·w_k·∂L_k/∂μ_k (the branch masks held constant).
// Split over the pool for large n·K.
void logisticMixtureLogProb(const float* params, const float* x, float* out, int n, int K);
void logisticMixtureLogProbGrad(const float* params, const float* x, const float* dy, float* dparams, float* dx, int n,
                                int K);

}  // namespace vaekit
