// Tile (see kernels.h): the innermost axis is copied as a block, the outer axes walk the output once.
#include <cstring>

#include "kernels.h"

namespace vaekit {
namespace {

struct Tiling {
  const float* x;
  float* out;
  const int* shape;
  const int* reps;
  int rank;
  size_t xStride[8], outStride[8];

  // Writes the output block at outAt (all axes ≥ d) from the input block at xAt.
  void block(int d, size_t xAt, size_t outAt) const {
    const int n = shape[d];
    if (d == rank - 1) {
      for (int r = 0; r < reps[d]; r++) std::memcpy(out + outAt + (size_t)r * n, x + xAt, n * sizeof(float));
      return;
    }
    const int total = n * reps[d];
    for (int i = 0; i < total; i++) block(d + 1, xAt + (i % n) * xStride[d], outAt + i * outStride[d]);
  }
};

}  // namespace

void tile(const float* x, float* out, const int* shape, const int* reps, int rank) {
  Tiling t{x, out, shape, reps, rank, {}, {}};
  size_t xs = 1, os = 1;
  for (int d = rank - 1; d >= 0; d--) {
    t.xStride[d] = xs;
    t.outStride[d] = os;
    xs *= shape[d];
    os *= (size_t)shape[d] * reps[d];
  }
  if (xs == 0 || os == 0) return;
  t.block(0, 0, 0);
}

}  // namespace vaekit
