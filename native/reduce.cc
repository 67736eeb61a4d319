// Column sums over the leading axes and sums of squares (see kernels.h): each thread sums a block of rows in double
// precision, then the partial sums are added in thread order, so the result does not depend on timing.
#include <algorithm>
#include <vector>

#include "kernels.h"
#include "pool.h"

namespace vaekit {

void sumRows(const float* x, float* out, int rows, int cols) {
  const int parts = std::max(1, std::min(pool().size(), (int)((double)rows * cols / (1 << 16))));
  std::vector<std::vector<double>> partial(parts, std::vector<double>(cols, 0.0));
  parallelFor(rows, parts, [&](int t, int r0, int r1) {
    double* acc = partial[t].data();
    for (int r = r0; r < r1; r++) {
      const float* row = x + (size_t)r * cols;
      for (int c = 0; c < cols; c++) acc[c] += row[c];
    }
  });
  for (int c = 0; c < cols; c++) {
    double s = 0;
    for (int t = 0; t < parts; t++) s += partial[t][c];
    out[c] = (float)s;
  }
}

double sumSquares(const float* x, int n) {
  const int parts = std::max(1, std::min(pool().size(), n / (1 << 16)));
  std::vector<double> partial(parts, 0.0);
  parallelFor(n, parts, [&](int t, int i0, int i1) {
    double s = 0;
    for (int i = i0; i < i1; i++) s += (double)x[i] * x[i];
    partial[t] = s;
  });
  double s = 0;
  for (double p : partial) s += p;
  return s;
}

}  // namespace vaekit
