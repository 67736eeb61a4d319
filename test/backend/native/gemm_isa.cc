// Checks native/gemm.cc against the definition when built for one instruction set only
// (-DVAEKIT_CLONES= -march=…): the machine running the tests picks one clone at load time, and this
// exercises the others. Prints the number of mismatching elements; exit status 1 if any.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "../../../native/kernels.h"

int main() {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  const int shapes[][3] = {{1, 1, 1}, {7, 5, 3}, {13, 33, 300}, {130, 47, 257}, {128, 400, 784}, {784, 400, 128}};
  int bad = 0;
  for (const auto& s : shapes) {
    const int m = s[0], n = s[1], k = s[2];
    for (int ta = 0; ta < 2; ta++) {
      for (int tb = 0; tb < 2; tb++) {
        std::vector<float> a(m * k), b(k * n), c(m * n);
        for (auto& v : a) v = u(rng);
        for (auto& v : b) v = u(rng);
        vaekit::gemm(a.data(), b.data(), c.data(), m, n, k, ta, tb);
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double sum = 0;
            for (int p = 0; p < k; p++)
              sum += (double)(ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
            if (std::fabs(sum - c[i * n + j]) > 1e-3 * (1 + std::fabs(sum))) bad++;
          }
        }
      }
    }
  }
  std::printf("mismatches %d\n", bad);
  return bad != 0;
}
