// Checks the native kernels against their definitions, computed here in double precision, on any compiler and
// architecture the kernels are built for (g++ or clang++, x86-64 or aarch64 under qemu-user): GEMM (every
// transpose, ragged and blocked shapes), im2col and col2im (strides, dilation, padding, 1 and 16 channels),
// the depthwise convolution (its vector path and the scalar one), the reductions, tile, Adam, the Bernoulli
// log-likelihood (the vector exp/log), and the discretised logistic mixture's log-likelihood and its gradient
// (the vector log and tanh). Prints one line per kernel, "<kernel> mismatches <n>", then
// "mismatches <total>"; exit status 1 if any.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "../../../native/kernels.h"

namespace {

std::mt19937 rng(1);

std::vector<float> randoms(size_t n, float lo = -1, float hi = 1) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

bool close(double want, double got, double tol = 1e-4) { return std::fabs(want - got) <= tol * (1 + std::fabs(want)); }

int total = 0;

void report(const char* kernel, int bad) {
  std::printf("%s mismatches %d\n", kernel, bad);
  total += bad;
}

int checkGemm() {
  // the last three have at most 16 columns: the 16-column tile, row panels in pairs where AVX-512 runs
  const int shapes[][3] = {{1, 1, 1},   {7, 5, 3},    {13, 33, 300}, {130, 47, 257},
                           {64, 400, 784}, {130, 16, 257}, {125, 9, 40}, {12, 16, 5}};
  int bad = 0;
  for (const auto& s : shapes) {
    const int m = s[0], n = s[1], k = s[2];
    for (int ta = 0; ta < 2; ta++) {
      for (int tb = 0; tb < 2; tb++) {
        auto a = randoms((size_t)m * k), b = randoms((size_t)k * n);
        std::vector<float> c((size_t)m * n);
        vaekit::gemm(a.data(), b.data(), c.data(), m, n, k, ta, tb);
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double sum = 0;
            for (int p = 0; p < k; p++)
              sum += (double)(ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
            bad += !close(sum, c[i * n + j], 1e-3);
          }
        }
      }
    }
  }
  return bad;
}

// The geometries a VAE's convolutions use, and odd ones: {batch, inH, inW, inC, kernel, stride, dilation, pad}.
std::vector<vaekit::ConvGeometry> geometries() {
  const int cases[][8] = {{2, 28, 28, 1, 4, 2, 1, 1}, {3, 7, 5, 16, 3, 1, 1, 1}, {2, 9, 9, 3, 3, 2, 2, 2},
                          {1, 6, 6, 16, 5, 1, 1, 2}, {2, 8, 8, 40, 3, 1, 1, 1}, {2, 9, 7, 48, 5, 1, 1, 2}};
  std::vector<vaekit::ConvGeometry> out;
  for (const auto& c : cases) {
    const int b = c[0], h = c[1], w = c[2], ch = c[3], k = c[4], s = c[5], d = c[6], pad = c[7];
    const int span = (k - 1) * d + 1;
    out.push_back({b, h, w, ch, (h + 2 * pad - span) / s + 1, (w + 2 * pad - span) / s + 1, k, k, s, s, d, d, pad, pad});
  }
  return out;
}

// The input pixel tap (ky, kx) of output pixel (oy, ox) reads, or -1 outside the image.
long pixel(const vaekit::ConvGeometry& g, int b, int oy, int ox, int ky, int kx) {
  const int iy = oy * g.strideH + ky * g.dilationH - g.padTop, ix = ox * g.strideW + kx * g.dilationW - g.padLeft;
  return iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW ? -1 : (((long)b * g.inH + iy) * g.inW + ix);
}

int checkIm2colCol2im() {
  int bad = 0;
  for (const auto& g : geometries()) {
    const size_t rows = (size_t)g.batch * g.outH * g.outW, taps = (size_t)g.filterH * g.filterW * g.inC;
    auto x = randoms((size_t)g.batch * g.inH * g.inW * g.inC), dcols = randoms(rows * taps);
    std::vector<float> cols(rows * taps), dx(x.size());
    vaekit::im2col(x.data(), cols.data(), g);
    vaekit::col2im(dcols.data(), dx.data(), g);
    std::vector<double> wantDx(x.size(), 0.0);
    for (int b = 0; b < g.batch; b++)
      for (int oy = 0; oy < g.outH; oy++)
        for (int ox = 0; ox < g.outW; ox++)
          for (int ky = 0; ky < g.filterH; ky++)
            for (int kx = 0; kx < g.filterW; kx++)
              for (int c = 0; c < g.inC; c++) {
                const size_t r = ((size_t)b * g.outH + oy) * g.outW + ox;
                const size_t at = r * taps + (size_t)(ky * g.filterW + kx) * g.inC + c;
                const long p = pixel(g, b, oy, ox, ky, kx);
                bad += cols[at] != (p < 0 ? 0.f : x[p * g.inC + c]);
                if (p >= 0) wantDx[p * g.inC + c] += dcols[at];
              }
    for (size_t i = 0; i < dx.size(); i++) bad += !close(wantDx[i], dx[i]);
  }
  return bad;
}

// The blocked convolution (with a bias) and its gradients (convForward, …) against im2col and col2im with products
// in double.
int checkBlockedConv() {
  int bad = 0;
  for (const auto& g : geometries()) {
    if (g.inC < 8) continue;  // the blocked kernels' domain
    const int outC = 7;
    const size_t rows = (size_t)g.batch * g.outH * g.outW, taps = (size_t)g.filterH * g.filterW * g.inC;
    auto x = randoms((size_t)g.batch * g.inH * g.inW * g.inC), w = randoms(taps * outC), dy = randoms(rows * outC);
    std::vector<float> cols(rows * taps), y(rows * outC), dx(x.size()), dw(taps * outC), dcols(rows * taps), wantDx(x.size());
    vaekit::im2col(x.data(), cols.data(), g);
    std::vector<float> bias(outC);  // not from randoms(): the later checks keep the draws they were written for
    for (int o = 0; o < outC; o++) bias[o] = 0.25f * (o - 3);
    vaekit::convForward(x.data(), w.data(), bias.data(), y.data(), outC, g);
    vaekit::convBackpropInput(dy.data(), w.data(), dx.data(), outC, g);
    vaekit::convBackpropFilter(x.data(), dy.data(), dw.data(), outC, g);
    for (size_t r = 0; r < rows; r++) {
      for (int o = 0; o < outC; o++) {
        double sum = 0;
        for (size_t t = 0; t < taps; t++) sum += (double)cols[r * taps + t] * w[t * outC + o];
        bad += !close(sum + bias[o], y[r * outC + o], 1e-3);
      }
      for (size_t t = 0; t < taps; t++) {
        double sum = 0;
        for (int o = 0; o < outC; o++) sum += (double)dy[r * outC + o] * w[t * outC + o];
        dcols[r * taps + t] = (float)sum;
      }
    }
    vaekit::col2im(dcols.data(), wantDx.data(), g);
    for (size_t i = 0; i < dx.size(); i++) bad += !close(wantDx[i], dx[i], 1e-3);
    for (size_t t = 0; t < taps; t++)
      for (int o = 0; o < outC; o++) {
        double sum = 0;
        for (size_t r = 0; r < rows; r++) sum += (double)cols[r * taps + t] * dy[r * outC + o];
        bad += !close(sum, dw[t * outC + o], 1e-3);
      }
  }
  return bad;
}

int checkDepthwise() {
  int bad = 0;
  for (const auto& g : geometries()) {
    for (int mult : {1, 2}) {
      const int outC = g.inC * mult;
      auto x = randoms((size_t)g.batch * g.inH * g.inW * g.inC);
      auto w = randoms((size_t)g.filterH * g.filterW * g.inC * mult);
      std::vector<float> y((size_t)g.batch * g.outH * g.outW * outC);
      vaekit::depthwiseConv(x.data(), w.data(), y.data(), mult, g);
      for (int b = 0; b < g.batch; b++)
        for (int oy = 0; oy < g.outH; oy++)
          for (int ox = 0; ox < g.outW; ox++)
            for (int c = 0; c < g.inC; c++)
              for (int m = 0; m < mult; m++) {
                double sum = 0;
                for (int ky = 0; ky < g.filterH; ky++)
                  for (int kx = 0; kx < g.filterW; kx++) {
                    const long p = pixel(g, b, oy, ox, ky, kx);
                    if (p >= 0) sum += (double)x[p * g.inC + c] * w[((ky * g.filterW + kx) * g.inC + c) * mult + m];
                  }
                bad += !close(sum, y[(((size_t)b * g.outH + oy) * g.outW + ox) * outC + c * mult + m]);
              }
    }
  }
  return bad;
}

int checkReductions() {
  int bad = 0;
  for (const auto& [rows, cols] : std::vector<std::pair<int, int>>{{1, 1}, {3, 7}, {1000, 33}, {4096, 400}}) {
    auto x = randoms((size_t)rows * cols);
    std::vector<float> out(cols);
    vaekit::sumRows(x.data(), out.data(), rows, cols);
    double squares = 0;
    for (int c = 0; c < cols; c++) {
      double sum = 0;
      for (int r = 0; r < rows; r++) sum += x[(size_t)r * cols + c];
      bad += !close(sum, out[c]);
    }
    for (float v : x) squares += (double)v * v;
    bad += !close(squares, vaekit::sumSquares(x.data(), rows * cols), 1e-6);
  }
  std::vector<float> inf = {1, INFINITY, 2};
  bad += !std::isinf(vaekit::sumSquares(inf.data(), 3));
  return bad;
}

int checkTile() {
  int bad = 0;
  const int shape[] = {2, 3, 4}, reps[] = {3, 1, 2};
  auto x = randoms(24);
  std::vector<float> out(24 * 6);
  vaekit::tile(x.data(), out.data(), shape, reps, 3);
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 3; j++)
      for (int k = 0; k < 8; k++) bad += out[(i * 3 + j) * 8 + k] != x[((i % 2) * 3 + j) * 4 + k % 4];
  return bad;
}

int checkAdam() {
  int bad = 0;
  for (int n : {5, 100000}) {  // one thread, and split over the pool
    auto theta = randoms(n), g = randoms(n), m = randoms(n, 0, 0.1f), v = randoms(n, 0, 0.1f);
    auto t0 = theta, m0 = m, v0 = v;
    const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7, c1 = 1 - std::pow(b1, 3), c2 = 1 - std::pow(b2, 3);
    bad += vaekit::adam(theta.data(), g.data(), m.data(), v.data(), n, lr, b1, b2, eps, c1, c2) != 0;
    for (int i = 0; i < n; i++) {
      const double mi = b1 * m0[i] + (1 - b1) * g[i], vi = b2 * v0[i] + (1 - b2) * g[i] * g[i];
      bad += !close(mi, m[i]) + !close(vi, v[i]) + !close(t0[i] - lr * (mi / c1) / (std::sqrt(vi / c2) + eps), theta[i]);
    }
  }
  std::vector<float> theta = {1}, g = {INFINITY}, m = {0}, v = {0};
  bad += vaekit::adam(theta.data(), g.data(), m.data(), v.data(), 1, 0.01, 0.9, 0.999, 1e-7, 0.1, 0.001) == 0;
  return bad;
}

int checkBernoulli() {
  const int rows = 7, cols = 301;
  auto l = randoms((size_t)rows * cols, -30, 30), x = randoms((size_t)rows * cols, 0, 1);
  std::vector<float> out(rows);
  vaekit::bernoulliLogProb(l.data(), x.data(), out.data(), rows, cols);
  int bad = 0;
  for (int r = 0; r < rows; r++) {
    double sum = 0;
    for (int c = 0; c < cols; c++) {
      const double li = l[(size_t)r * cols + c];
      sum += x[(size_t)r * cols + c] * li - (std::max(li, 0.0) + std::log1p(std::exp(-std::fabs(li))));
    }
    bad += !close(sum, out[r]);
  }
  return bad;
}

double sigmoid(double v) { return 1 / (1 + std::exp(-v)); }
double softplus(double v) { return std::max(v, 0.0) + std::log1p(std::exp(-std::fabs(v))); }

// The discretised logistic mixture (kernels.h) in double precision, but for the two sigmoids whose difference
// is the bin mass: rounded to float first, as the kernel (and the tf ops it stands for) round them. Value and
// gradient of element i for dy = 1: out, then dparams [3K], dx and the size of dx's terms Σ_k |2·w_k·∂L_k/∂μ_k|
// (dx is a sum over the components that can cancel: it is compared on that scale).
double logisticMixtureReference(const float* params, float x, int K, double* grad) {
  const float* a = params;
  const float* b = params + K;
  const float* c = params + 2 * K;
  double top = -INFINITY, sum = 0;
  for (int k = 0; k < K; k++) top = std::max(top, (double)a[k]);
  for (int k = 0; k < K; k++) sum += std::exp(a[k] - top);
  const double lseA = std::log(sum) + top, xs = 2.0 * x - 1, h = 1.0 / 255;
  std::vector<double> t(K), dmu(K), dls(K), mus(K);
  for (int k = 0; k < K; k++) {
    const double mu = std::tanh((double)b[k]), ls = std::max((double)c[k], -7.0), invS = std::exp(-ls);
    const double p = invS * (xs - mu + h), m = invS * (xs - mu - h), mid = invS * (xs - mu);
    const double yp = (float)sigmoid(p), ym = (float)sigmoid(m), delta = yp - ym;
    double L, dp = 0, dm = 0, dt = 0, direct = 0;
    if (xs < -0.999f) {
      L = p - softplus(p);
      dp = sigmoid(-p);
    } else if (xs > 0.999f) {
      L = -softplus(m);
      dm = -sigmoid(m);
    } else if (delta > 1e-5f) {
      L = std::log(delta);
      dp = yp * (1 - yp) / delta;
      dm = -ym * (1 - ym) / delta;
    } else {
      L = mid - ls - 2 * softplus(mid) - std::log(127.5);
      dt = 1 - 2 * sigmoid(mid);
      direct = -1;
    }
    t[k] = L + a[k] - lseA;
    mus[k] = mu;
    dmu[k] = -invS * (dp + dm + dt);
    dls[k] = c[k] >= -7 ? direct - (dp * p + dm * m + dt * mid) : 0;
  }
  double tTop = -INFINITY, tSum = 0;
  for (int k = 0; k < K; k++) tTop = std::max(tTop, t[k]);
  for (int k = 0; k < K; k++) tSum += std::exp(t[k] - tTop);
  const double out = std::log(tSum) + tTop;
  grad[3 * K] = grad[3 * K + 1] = 0;
  for (int k = 0; k < K; k++) {
    const double w = std::exp(t[k] - out);
    grad[k] = w - std::exp(a[k] - lseA);
    grad[K + k] = w * dmu[k] * (1 - mus[k] * mus[k]);
    grad[2 * K + k] = w * dls[k];
    grad[3 * K] -= 2 * w * dmu[k];  // x' = 2x − 1 enters as μ_k does, with the other sign
    grad[3 * K + 1] += std::fabs(2 * w * dmu[k]);
  }
  return out;
}

// Every branch: x at every level (the edge bins 0 and 1 among them), sharp components far from x (bin mass
// below 1e−5), log scales below the clamp; a ragged last chunk, and enough elements to split over the pool.
int checkLogisticMixture() {
  int bad = 0;
  const int cases[][2] = {{301, 3}, {77, 1}, {5000, 5}, {130, 10}};
  for (const auto& cs : cases) {
    const int n = cs[0], K = cs[1];
    std::vector<float> params((size_t)n * 3 * K), x(n), out(n), dy = randoms(n), dparams(params.size()), dx(n);
    auto u = randoms(params.size());
    for (int i = 0; i < n; i++) {
      x[i] = (float)((i * 37) % 256) / 255.f;
      for (int k = 0; k < K; k++) {
        const size_t at = (size_t)i * 3 * K;
        params[at + k] = 4 * u[at + k];
        params[at + K + k] = 3 * u[at + K + k];
        params[at + 2 * K + k] = -4 + 5 * u[at + 2 * K + k];  // [−9, 1]
      }
    }
    vaekit::logisticMixtureLogProb(params.data(), x.data(), out.data(), n, K);
    vaekit::logisticMixtureLogProbGrad(params.data(), x.data(), dy.data(), dparams.data(), dx.data(), n, K);
    std::vector<double> grad(3 * K + 2);
    for (int i = 0; i < n; i++) {
      const size_t at = (size_t)i * 3 * K;
      bad += !close(logisticMixtureReference(&params[at], x[i], K, grad.data()), out[i]);
      for (int j = 0; j < 3 * K; j++) bad += !close(dy[i] * grad[j], dparams[at + j], 1e-3);
      bad += std::fabs(dy[i] * grad[3 * K] - dx[i]) > 1e-3 * (1 + std::fabs(dy[i]) * grad[3 * K + 1]);
    }
  }
  return bad;
}

}  // namespace

int main() {
  report("gemm", checkGemm());
  report("blocked convolution", checkBlockedConv());
  report("im2col/col2im", checkIm2colCol2im());
  report("depthwise", checkDepthwise());
  report("reductions", checkReductions());
  report("tile", checkTile());
  report("adam", checkAdam());
  report("bernoulli", checkBernoulli());
  report("logistic mixture", checkLogisticMixture());
  std::printf("mismatches %d\n", total);
  return total != 0;
}
