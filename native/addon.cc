// N-API entry points of the native kernels (kernels.h). JS passes the wasm heap as a Float32Array
// and tensor positions as offsets in floats, so every kernel works in place: no tensor is copied.
// Every argument is checked, and every range must lie inside the heap, before a kernel runs.
#include <node_api.h>

#include <string>

#include "kernels.h"
#include "pool.h"

namespace {

struct Args {
  napi_env env;
  static constexpr size_t MAX_ARGS = 20;
  napi_value argv[MAX_ARGS];
  size_t argc = MAX_ARGS;
  float* heap = nullptr;
  size_t length = 0;
  bool ok = true;

  Args(napi_env e, napi_callback_info info, size_t expected, const char* usage) : env(e) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc != expected || expected > MAX_ARGS) {
      fail(usage);
      return;
    }
    napi_typedarray_type type;
    void* data;
    if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, nullptr, nullptr) != napi_ok ||
        type != napi_float32_array) {
      fail("the heap must be a Float32Array");
      return;
    }
    heap = static_cast<float*>(data);
  }
  void fail(const char* message) {
    if (ok) napi_throw_type_error(env, nullptr, message);
    ok = false;
  }
  int integer(size_t i) {
    int v = 0;
    if (ok && (napi_get_value_int32(env, argv[i], &v) != napi_ok || v < 0)) fail("expected a non-negative integer");
    return v;
  }
  double number(size_t i) {
    double v = 0;
    if (ok && napi_get_value_double(env, argv[i], &v) != napi_ok) fail("expected a number");
    return v;
  }
  bool boolean(size_t i) {
    bool v = false;
    if (ok && napi_get_value_bool(env, argv[i], &v) != napi_ok) fail("expected a boolean");
    return v;
  }
  // heap + at, after checking that [at, at + size) lies inside the heap.
  float* range(int at, double size) {
    if (ok && (double)at + size > (double)length) fail("a range lies outside the heap");
    return ok ? heap + at : nullptr;
  }
};

// sgemm(heap, aAt, bAt, cAt, m, n, k, transposeA, transposeB)
napi_value Sgemm(napi_env env, napi_callback_info info) {
  Args a(env, info, 9, "sgemm(heap, aAt, bAt, cAt, m, n, k, transposeA, transposeB)");
  const int m = a.integer(4), n = a.integer(5), k = a.integer(6);
  const bool ta = a.boolean(7), tb = a.boolean(8);
  const float* A = a.range(a.integer(1), (double)m * k);
  const float* B = a.range(a.integer(2), (double)k * n);
  float* C = a.range(a.integer(3), (double)m * n);
  if (a.ok) vaekit::gemm(A, B, C, m, n, k, ta, tb);
  return nullptr;
}

// geometry(args, first): the 14 integers of a ConvGeometry, from argument `first` on.
vaekit::ConvGeometry geometry(Args& a, size_t first) {
  int v[14];
  for (size_t i = 0; i < 14; i++) v[i] = a.integer(first + i);
  return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]};
}

#define CONV_USAGE(name) \
  name "(heap, srcAt, dstAt, batch, inH, inW, inC, outH, outW, filterH, filterW, strideH, strideW, " \
       "dilationH, dilationW, padTop, padLeft)"

double imageSize(const vaekit::ConvGeometry& g) { return (double)g.batch * g.inH * g.inW * g.inC; }
double colsSize(const vaekit::ConvGeometry& g) {
  return (double)g.batch * g.outH * g.outW * g.filterH * g.filterW * g.inC;
}

// im2col(heap, xAt, colsAt, geometry…) and col2im(heap, colsAt, dxAt, geometry…): the source and the
// destination are the image and the im2col matrix, one way round or the other.
napi_value ConvGather(napi_env env, napi_callback_info info, bool toCols) {
  Args a(env, info, 17, toCols ? CONV_USAGE("im2col") : CONV_USAGE("col2im"));
  const vaekit::ConvGeometry g = geometry(a, 3);
  const float* src = a.range(a.integer(1), toCols ? imageSize(g) : colsSize(g));
  float* dst = a.range(a.integer(2), toCols ? colsSize(g) : imageSize(g));
  if (!a.ok) return nullptr;
  if (toCols) {
    vaekit::im2col(src, dst, g);
  } else {
    vaekit::col2im(src, dst, g);
  }
  return nullptr;
}

napi_value Im2col(napi_env env, napi_callback_info info) { return ConvGather(env, info, true); }
napi_value Col2im(napi_env env, napi_callback_info info) { return ConvGather(env, info, false); }

// convForward(heap, xAt, wAt, biasAt, yAt, outC, geometry…) (biasAt −1: no bias),
// convBackpropInput(heap, dyAt, wAt, dxAt, outC, geometry…), convBackpropFilter(heap, xAt, dyAt, dwAt, outC,
// geometry…): the blocked im2col convolution and its gradients.
enum class ConvPass { Forward, BackpropInput, BackpropFilter };

napi_value BlockedConv(napi_env env, napi_callback_info info, ConvPass pass) {
  const bool forward = pass == ConvPass::Forward;
  Args a(env, info, forward ? 20 : 19,
         forward                           ? "convForward(heap, xAt, wAt, biasAt, yAt, outC, geometry…)"
         : pass == ConvPass::BackpropInput ? "convBackpropInput(heap, dyAt, wAt, dxAt, outC, geometry…)"
                                           : "convBackpropFilter(heap, xAt, dyAt, dwAt, outC, geometry…)");
  const int outC = a.integer(forward ? 5 : 4);
  const vaekit::ConvGeometry g = geometry(a, forward ? 6 : 5);
  const double filter = (double)g.filterH * g.filterW * g.inC * outC;
  const double out = (double)g.batch * g.outH * g.outW * outC;
  if (forward) {
    const float* x = a.range(a.integer(1), imageSize(g));
    const float* w = a.range(a.integer(2), filter);
    const float* bias = a.number(3) < 0 ? nullptr : a.range(a.integer(3), outC);
    float* y = a.range(a.integer(4), out);
    if (a.ok) vaekit::convForward(x, w, bias, y, outC, g);
  } else if (pass == ConvPass::BackpropInput) {
    const float* dy = a.range(a.integer(1), out);
    const float* w = a.range(a.integer(2), filter);
    float* dx = a.range(a.integer(3), imageSize(g));
    if (a.ok) vaekit::convBackpropInput(dy, w, dx, outC, g);
  } else {
    const float* x = a.range(a.integer(1), imageSize(g));
    const float* dy = a.range(a.integer(2), out);
    float* dw = a.range(a.integer(3), filter);
    if (a.ok) vaekit::convBackpropFilter(x, dy, dw, outC, g);
  }
  return nullptr;
}

napi_value ConvForward(napi_env env, napi_callback_info info) { return BlockedConv(env, info, ConvPass::Forward); }
napi_value ConvBackpropInput(napi_env env, napi_callback_info info) {
  return BlockedConv(env, info, ConvPass::BackpropInput);
}
napi_value ConvBackpropFilter(napi_env env, napi_callback_info info) {
  return BlockedConv(env, info, ConvPass::BackpropFilter);
}

// depthwiseConv(heap, xAt, wAt, yAt, multiplier, geometry…), depthwiseBackpropInput(heap, dyAt, wAt, dxAt, …)
// and depthwiseBackpropFilter(heap, xAt, dyAt, dwAt, …): the first two arguments read, the third written; the
// geometry is the convolution's (inC = C), the filter [kh, kw, C, multiplier].
enum class Depthwise { Forward, Input, Filter };

napi_value DepthwiseKernel(napi_env env, napi_callback_info info, Depthwise kind) {
  static const char* const usage[] = {
      "depthwiseConv(heap, xAt, wAt, yAt, multiplier, batch, inH, inW, inC, outH, outW, filterH, filterW, "
      "strideH, strideW, dilationH, dilationW, padTop, padLeft)",
      "depthwiseBackpropInput(heap, dyAt, wAt, dxAt, multiplier, batch, inH, inW, inC, outH, outW, filterH, "
      "filterW, strideH, strideW, dilationH, dilationW, padTop, padLeft)",
      "depthwiseBackpropFilter(heap, xAt, dyAt, dwAt, multiplier, batch, inH, inW, inC, outH, outW, filterH, "
      "filterW, strideH, strideW, dilationH, dilationW, padTop, padLeft)"};
  Args a(env, info, 19, usage[(int)kind]);
  const int m = a.integer(4);
  const vaekit::ConvGeometry g = geometry(a, 5);
  if (a.ok && (m < 1 || g.strideH < 1 || g.strideW < 1 || g.dilationH < 1 || g.dilationW < 1))
    a.fail("depthwise: multiplier, strides and dilations must be at least 1");
  const double image = imageSize(g);
  const double out = (double)g.batch * g.outH * g.outW * g.inC * m;
  const double filter = (double)g.filterH * g.filterW * g.inC * m;
  const double sizes[3][3] = {{image, filter, out}, {out, filter, image}, {image, out, filter}};
  const double* s = sizes[(int)kind];
  const float* p = a.range(a.integer(1), s[0]);
  const float* q = a.range(a.integer(2), s[1]);
  float* o = a.range(a.integer(3), s[2]);
  if (!a.ok) return nullptr;
  switch (kind) {
    case Depthwise::Forward:
      vaekit::depthwiseConv(p, q, o, m, g);
      break;
    case Depthwise::Input:
      vaekit::depthwiseBackpropInput(p, q, o, m, g);
      break;
    case Depthwise::Filter:
      vaekit::depthwiseBackpropFilter(p, q, o, m, g);
      break;
  }
  return nullptr;
}

napi_value DepthwiseConv(napi_env env, napi_callback_info info) {
  return DepthwiseKernel(env, info, Depthwise::Forward);
}
napi_value DepthwiseBackpropInput(napi_env env, napi_callback_info info) {
  return DepthwiseKernel(env, info, Depthwise::Input);
}
napi_value DepthwiseBackpropFilter(napi_env env, napi_callback_info info) {
  return DepthwiseKernel(env, info, Depthwise::Filter);
}

// adam(heap, thetaAt, gAt, mAt, vAt, n, lr, beta1, beta2, epsilon, correction1, correction2) → non-finite count
napi_value Adam(napi_env env, napi_callback_info info) {
  Args a(env, info, 12, "adam(heap, thetaAt, gAt, mAt, vAt, n, lr, beta1, beta2, epsilon, correction1, correction2)");
  const int n = a.integer(5);
  float* theta = a.range(a.integer(1), n);
  const float* g = a.range(a.integer(2), n);
  float* m = a.range(a.integer(3), n);
  float* v = a.range(a.integer(4), n);
  const double lr = a.number(6), beta1 = a.number(7), beta2 = a.number(8), eps = a.number(9);
  const double c1 = a.number(10), c2 = a.number(11);
  if (!a.ok) return nullptr;
  napi_value nonFinite;
  napi_create_int32(env, vaekit::adam(theta, g, m, v, n, lr, beta1, beta2, eps, c1, c2), &nonFinite);
  return nonFinite;
}

// sumRows(heap, xAt, outAt, rows, cols)
napi_value SumRows(napi_env env, napi_callback_info info) {
  Args a(env, info, 5, "sumRows(heap, xAt, outAt, rows, cols)");
  const int rows = a.integer(3), cols = a.integer(4);
  const float* x = a.range(a.integer(1), (double)rows * cols);
  float* out = a.range(a.integer(2), cols);
  if (a.ok) vaekit::sumRows(x, out, rows, cols);
  return nullptr;
}

// sumSquares(heap, xAt, n) → Σ x²
napi_value SumSquares(napi_env env, napi_callback_info info) {
  Args a(env, info, 3, "sumSquares(heap, xAt, n)");
  const int n = a.integer(2);
  const float* x = a.range(a.integer(1), n);
  if (!a.ok) return nullptr;
  napi_value out;
  napi_create_double(env, vaekit::sumSquares(x, n), &out);
  return out;
}

// tile(heap, xAt, outAt, shape: Int32Array, reps: Int32Array)
napi_value Tile(napi_env env, napi_callback_info info) {
  Args a(env, info, 5, "tile(heap, xAt, outAt, shape, reps)");
  int dims[2][8];
  size_t rank[2] = {0, 0};
  for (int j = 0; j < 2 && a.ok; j++) {
    napi_typedarray_type type;
    void* data;
    if (napi_get_typedarray_info(env, a.argv[3 + j], &type, &rank[j], &data, nullptr, nullptr) != napi_ok ||
        type != napi_int32_array || rank[j] < 1 || rank[j] > 8) {
      a.fail("tile: shape and reps must be Int32Arrays of length 1 to 8");
      break;
    }
    for (size_t d = 0; d < rank[j]; d++) {
      dims[j][d] = static_cast<int*>(data)[d];
      if (dims[j][d] < 0) a.fail("tile: negative size");
    }
  }
  if (a.ok && rank[0] != rank[1]) a.fail("tile: shape and reps differ in length");
  if (!a.ok) return nullptr;
  double in = 1, out = 1;
  for (size_t d = 0; d < rank[0]; d++) {
    in *= dims[0][d];
    out *= (double)dims[0][d] * dims[1][d];
  }
  const float* x = a.range(a.integer(1), in);
  float* o = a.range(a.integer(2), out);
  if (a.ok) vaekit::tile(x, o, dims[0], dims[1], (int)rank[0]);
  return nullptr;
}

// bernoulliLogProb(heap, lAt, xAt, outAt, rows, cols)
napi_value BernoulliLogProb(napi_env env, napi_callback_info info) {
  Args a(env, info, 6, "bernoulliLogProb(heap, lAt, xAt, outAt, rows, cols)");
  const int rows = a.integer(4), cols = a.integer(5);
  const double size = (double)rows * cols;
  const float* l = a.range(a.integer(1), size);
  const float* x = a.range(a.integer(2), size);
  float* out = a.range(a.integer(3), rows);
  if (a.ok) vaekit::bernoulliLogProb(l, x, out, rows, cols);
  return nullptr;
}

// bernoulliLogProbGrad(heap, lAt, xAt, dyAt, dlAt, dxAt, rows, cols)
napi_value BernoulliLogProbGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, 8, "bernoulliLogProbGrad(heap, lAt, xAt, dyAt, dlAt, dxAt, rows, cols)");
  const int rows = a.integer(6), cols = a.integer(7);
  const double size = (double)rows * cols;
  const float* l = a.range(a.integer(1), size);
  const float* x = a.range(a.integer(2), size);
  const float* dy = a.range(a.integer(3), rows);
  float* dl = a.range(a.integer(4), size);
  float* dx = a.range(a.integer(5), size);
  if (a.ok) vaekit::bernoulliLogProbGrad(l, x, dy, dl, dx, rows, cols);
  return nullptr;
}

// An elementwise kernel over n floats of `arity` arrays: the first `arity` − outputs read, the rest written.
// gaussianKl(heap, muAt, lvAt, outAt, n), gaussianKlGrad(heap, muAt, lvAt, dyAt, dmuAt, dlvAt, n),
// reparameterise(heap, muAt, lvAt, epsAt, zAt, n), reparameteriseGrad(heap, lvAt, epsAt, dyAt, dlvAt, n),
// reluGrad(heap, xAt, dyAt, dxAt, n)
template <int Arity>
bool elementwise(Args& a, float* (&p)[Arity], int& n) {
  n = a.integer(Arity + 1);
  for (int i = 0; i < Arity; i++) p[i] = a.range(a.integer(i + 1), n);
  return a.ok;
}

napi_value GaussianKl(napi_env env, napi_callback_info info) {
  Args a(env, info, 5, "gaussianKl(heap, muAt, lvAt, outAt, n)");
  float* p[3];
  int n;
  if (elementwise(a, p, n)) vaekit::gaussianKl(p[0], p[1], p[2], n);
  return nullptr;
}

napi_value GaussianKlGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, 7, "gaussianKlGrad(heap, muAt, lvAt, dyAt, dmuAt, dlvAt, n)");
  float* p[5];
  int n;
  if (elementwise(a, p, n)) vaekit::gaussianKlGrad(p[0], p[1], p[2], p[3], p[4], n);
  return nullptr;
}

napi_value Reparameterise(napi_env env, napi_callback_info info) {
  Args a(env, info, 6, "reparameterise(heap, muAt, lvAt, epsAt, zAt, n)");
  float* p[4];
  int n;
  if (elementwise(a, p, n)) vaekit::reparameterise(p[0], p[1], p[2], p[3], n);
  return nullptr;
}

napi_value ReparameteriseGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, 6, "reparameteriseGrad(heap, lvAt, epsAt, dyAt, dlvAt, n)");
  float* p[4];
  int n;
  if (elementwise(a, p, n)) vaekit::reparameteriseGrad(p[0], p[1], p[2], p[3], n);
  return nullptr;
}

// addRows(heap, xAt, bAt, outAt, rows, cols)
napi_value AddRows(napi_env env, napi_callback_info info) {
  Args a(env, info, 6, "addRows(heap, xAt, bAt, outAt, rows, cols)");
  const int rows = a.integer(4), cols = a.integer(5);
  const float* x = a.range(a.integer(1), (double)rows * cols);
  const float* b = a.range(a.integer(2), cols);
  float* out = a.range(a.integer(3), (double)rows * cols);
  if (a.ok) vaekit::addRows(x, b, out, rows, cols);
  return nullptr;
}

napi_value ReluGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, 5, "reluGrad(heap, xAt, dyAt, dxAt, n)");
  float* p[3];
  int n;
  if (elementwise(a, p, n)) vaekit::reluGrad(p[0], p[1], p[2], n);
  return nullptr;
}

napi_value Swish(napi_env env, napi_callback_info info) {
  Args a(env, info, 4, "swish(heap, xAt, yAt, n)");
  float* p[2];
  int n;
  if (elementwise(a, p, n)) vaekit::swish(p[0], p[1], n);
  return nullptr;
}

napi_value SwishGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, 5, "swishGrad(heap, xAt, dyAt, dxAt, n)");
  float* p[3];
  int n;
  if (elementwise(a, p, n)) vaekit::swishGrad(p[0], p[1], p[2], n);
  return nullptr;
}

// gatedResidual(heap, skipAt, xAt, gateAt, yAt, B, P, C, s)
napi_value GatedResidual(napi_env env, napi_callback_info info) {
  Args a(env, info, 9, "gatedResidual(heap, skipAt, xAt, gateAt, yAt, B, P, C, s)");
  const int B = a.integer(5), P = a.integer(6), C = a.integer(7);
  const double n = (double)B * P * C;
  const float* skip = a.range(a.integer(1), n);
  const float* x = a.range(a.integer(2), n);
  const float* gate = a.range(a.integer(3), (double)B * C);
  float* y = a.range(a.integer(4), n);
  const float s = (float)a.number(8);
  if (a.ok) vaekit::gatedResidual(skip, x, gate, y, B, P, C, s);
  return nullptr;
}

// gatedResidualGrad(heap, xAt, gateAt, dyAt, dxAt, dgateAt, B, P, C, s)
napi_value GatedResidualGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, 10, "gatedResidualGrad(heap, xAt, gateAt, dyAt, dxAt, dgateAt, B, P, C, s)");
  const int B = a.integer(6), P = a.integer(7), C = a.integer(8);
  const double n = (double)B * P * C;
  const float* x = a.range(a.integer(1), n);
  const float* gate = a.range(a.integer(2), (double)B * C);
  const float* dy = a.range(a.integer(3), n);
  float* dx = a.range(a.integer(4), n);
  float* dgate = a.range(a.integer(5), (double)B * C);
  const float s = (float)a.number(9);
  if (a.ok) vaekit::gatedResidualGrad(x, gate, dy, dx, dgate, B, P, C, s);
  return nullptr;
}

// logisticMixtureLogProb(heap, paramsAt, xAt, outAt, n, K): params [n, 3K], x and out [n]
napi_value LogisticMixtureLogProb(napi_env env, napi_callback_info info) {
  Args a(env, info, 6, "logisticMixtureLogProb(heap, paramsAt, xAt, outAt, n, K)");
  const int n = a.integer(4), K = a.integer(5);
  if (a.ok && K < 1) a.fail("logisticMixtureLogProb: K must be at least 1");
  const float* params = a.range(a.integer(1), 3.0 * n * K);
  const float* x = a.range(a.integer(2), n);
  float* out = a.range(a.integer(3), n);
  if (a.ok) vaekit::logisticMixtureLogProb(params, x, out, n, K);
  return nullptr;
}

// logisticMixtureLogProbGrad(heap, paramsAt, xAt, dyAt, dparamsAt, dxAt, n, K): params and dparams [n, 3K]
napi_value LogisticMixtureLogProbGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, 8, "logisticMixtureLogProbGrad(heap, paramsAt, xAt, dyAt, dparamsAt, dxAt, n, K)");
  const int n = a.integer(6), K = a.integer(7);
  if (a.ok && K < 1) a.fail("logisticMixtureLogProbGrad: K must be at least 1");
  const float* params = a.range(a.integer(1), 3.0 * n * K);
  const float* x = a.range(a.integer(2), n);
  const float* dy = a.range(a.integer(3), n);
  float* dparams = a.range(a.integer(4), 3.0 * n * K);
  float* dx = a.range(a.integer(5), n);
  if (a.ok) vaekit::logisticMixtureLogProbGrad(params, x, dy, dparams, dx, n, K);
  return nullptr;
}

// batchNormStats(heap, xAt, statsAt, rows, C)
napi_value BatchNormStats(napi_env env, napi_callback_info info) {
  Args a(env, info, 5, "batchNormStats(heap, xAt, statsAt, rows, C)");
  const int rows = a.integer(3), C = a.integer(4);
  const float* x = a.range(a.integer(1), (double)rows * C);
  float* stats = a.range(a.integer(2), 2.0 * C);
  if (a.ok) vaekit::batchNormStats(x, stats, rows, C);
  return nullptr;
}

// batchNormApply(heap, xAt, gammaAt, betaAt, statsAt, yAt, rows, C, epsilon, swish)
napi_value BatchNormApply(napi_env env, napi_callback_info info) {
  Args a(env, info, 10, "batchNormApply(heap, xAt, gammaAt, betaAt, statsAt, yAt, rows, C, epsilon, swish)");
  const int rows = a.integer(6), C = a.integer(7);
  const double size = (double)rows * C;
  const float* x = a.range(a.integer(1), size);
  const float* gamma = a.range(a.integer(2), C);
  const float* beta = a.range(a.integer(3), C);
  const float* stats = a.range(a.integer(4), 2.0 * C);
  float* y = a.range(a.integer(5), size);
  const double eps = a.number(8);
  const bool swish = a.boolean(9);
  if (a.ok) vaekit::batchNormApply(x, gamma, beta, stats, y, rows, C, (float)eps, swish);
  return nullptr;
}

// batchNormGrad(heap, xAt, gammaAt, betaAt, statsAt, dyAt, dxAt, dgammaAt, dbetaAt, rows, C, epsilon, swish)
napi_value BatchNormGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, 13,
         "batchNormGrad(heap, xAt, gammaAt, betaAt, statsAt, dyAt, dxAt, dgammaAt, dbetaAt, rows, C, epsilon, swish)");
  const int rows = a.integer(9), C = a.integer(10);
  const double size = (double)rows * C;
  const float* x = a.range(a.integer(1), size);
  const float* gamma = a.range(a.integer(2), C);
  const float* beta = a.range(a.integer(3), C);
  const float* stats = a.range(a.integer(4), 2.0 * C);
  const float* dy = a.range(a.integer(5), size);
  float* dx = a.range(a.integer(6), size);
  float* dgamma = a.range(a.integer(7), C);
  float* dbeta = a.range(a.integer(8), C);
  const double eps = a.number(11);
  const bool swish = a.boolean(12);
  if (a.ok) vaekit::batchNormGrad(x, gamma, beta, stats, dy, dx, dgamma, dbeta, rows, C, (float)eps, swish);
  return nullptr;
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_int32(env, vaekit::pool().size(), &out);
  return out;
}

// The compiler and architecture the addon was built with, e.g. "clang 14.0.6, aarch64" (for the tests of each build).
napi_value Compiler(napi_env env, napi_callback_info) {
#if defined(__clang__)
  const char* compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  const char* compiler = "gcc " __VERSION__;
#else
  const char* compiler = "unknown compiler";
#endif
#if defined(__x86_64__)
  const char* arch = "x86-64";
#elif defined(__aarch64__)
  const char* arch = "aarch64";
#else
  const char* arch = "other";
#endif
  std::string text = compiler;
  while (!text.empty() && text.back() == ' ') text.pop_back();  // __clang_version__ ends in a space
  text += std::string(", ") + arch;
  napi_value out;
  napi_create_string_utf8(env, text.c_str(), text.size(), &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"im2col", nullptr, Im2col, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convForward", nullptr, ConvForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convBackpropInput", nullptr, ConvBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convBackpropFilter", nullptr, ConvBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"col2im", nullptr, Col2im, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumRows", nullptr, SumRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumSquares", nullptr, SumSquares, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tile", nullptr, Tile, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bernoulliLogProb", nullptr, BernoulliLogProb, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bernoulliLogProbGrad", nullptr, BernoulliLogProbGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gaussianKl", nullptr, GaussianKl, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gaussianKlGrad", nullptr, GaussianKlGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reparameterise", nullptr, Reparameterise, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reparameteriseGrad", nullptr, ReparameteriseGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"addRows", nullptr, AddRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluGrad", nullptr, ReluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseConv", nullptr, DepthwiseConv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseBackpropInput", nullptr, DepthwiseBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseBackpropFilter", nullptr, DepthwiseBackpropFilter, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"swish", nullptr, Swish, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"swishGrad", nullptr, SwishGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gatedResidual", nullptr, GatedResidual, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gatedResidualGrad", nullptr, GatedResidualGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"logisticMixtureLogProb", nullptr, LogisticMixtureLogProb, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"logisticMixtureLogProbGrad", nullptr, LogisticMixtureLogProbGrad, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"batchNormStats", nullptr, BatchNormStats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormApply", nullptr, BatchNormApply, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormGrad", nullptr, BatchNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"compiler", nullptr, Compiler, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
