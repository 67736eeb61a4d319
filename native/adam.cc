// One fused Adam step (see kernels.h): one pass over θ, g, m, v instead of a dozen tensor ops.
#include <cmath>

#include "kernels.h"
#include "pool.h"

namespace vaekit {

int adam(float* theta, const float* g, float* m, float* v, int n, double lr, double beta1, double beta2,
         double epsilon, double correction1, double correction2) {
  // The constants as tfjs makes them: formed in double precision (1 − β too), then rounded to float32.
  const float b1 = (float)beta1, b2 = (float)beta2, oneMinusBeta1 = (float)(1 - beta1),
              oneMinusBeta2 = (float)(1 - beta2), c1 = (float)correction1, c2 = (float)correction2,
              eps = (float)epsilon, minusLr = (float)-lr;
  const int parts = n >= (1 << 16) ? pool().size() : 1;
  int nonFinite[64] = {0};
  parallelFor(n, parts, [&](int part, int i0, int i1) {
    int bad = 0;
    for (int i = i0; i < i1; i++) {
      const float mi = m[i] * b1 + g[i] * oneMinusBeta1;
      const float vi = v[i] * b2 + (g[i] * g[i]) * oneMinusBeta2;
      const float ti = (mi / c1) / (std::sqrt(vi / c2) + eps) * minusLr + theta[i];
      m[i] = mi;
      v[i] = vi;
      theta[i] = ti;
      // the state must stay finite: an ∞ moment silently zeroes every later update (m / ∞)
      bad += int(!std::isfinite(mi)) | int(!std::isfinite(vi)) | int(!std::isfinite(ti));
    }
    nonFinite[part % 64] += bad;
  });
  int total = 0;
  for (int c : nonFinite) total += c;
  return total;
}

}  // namespace vaekit
