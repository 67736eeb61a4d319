// exp, log, log1p and tanh for float32 written without branches or library calls, so the loops that use
// them vectorise (AVX-512 / AVX2 under VAEKIT_CLONES). Cephes's polynomials (S. Moshier), about 1 ulp on the
// reduced range; ∞ and NaN behave as std::exp and std::log1p do.
#pragma once
#include <cstdint>
#include <cstring>

namespace vaekit {

inline float bitsToFloat(int32_t i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}

// e^x = 2^n · e^r, n = round(x / ln 2), r = x − n·ln 2 (ln 2 split in two for exactness), |r| ≤ ½ ln 2;
// 0 below −87.33 (where float32 results turn subnormal), ∞ above 88.7228.
inline float vexp(float x) {
  const float c = x < -87.33f ? -87.33f : (x > 88.7228f ? 88.7228f : x);
  const float round = 12582912.f;  // 1.5·2²³: adding and subtracting it rounds to an integer
  const float n = (c * 1.44269504089f + round) - round;
  const float r = c - n * 0.693359375f - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  // 2^n as two factors 2^⌊n/2⌋·2^⌈n/2⌉: n runs from −126 to 128, past what one float's exponent holds
  const int32_t k = (int32_t)n, h = k >> 1;
  const float e = (p * (r * r) + r + 1.f) * bitsToFloat((h + 127) << 23) * bitsToFloat((k - h + 127) << 23);
  const float big = x > 88.7228f ? __builtin_inff() : e;
  const float out = x < -87.33f ? 0.f : big;
  return x != x ? x : out;
}

// log(2^k·(1 + f)) = k·ln 2 + f − f²/2 + f³·P(f), for f in [√½ − 1, √2 − 1) (Cephes's logf).
inline float logReduced(float f, float k) {
  const float f2 = f * f;
  float p = 7.0376836292e-2f;
  p = p * f - 1.1514610310e-1f;
  p = p * f + 1.1676998740e-1f;
  p = p * f - 1.2420140846e-1f;
  p = p * f + 1.4249322787e-1f;
  p = p * f - 1.6668057665e-1f;
  p = p * f + 2.0000714765e-1f;
  p = p * f - 2.4999993993e-1f;
  p = p * f + 3.3333331174e-1f;
  float y = f * f2 * p + k * -2.12194440e-4f - 0.5f * f2;
  return f + y + k * 0.693359375f;
}

// log w for w in [1, 2] (and NaN for NaN): w = 2^k·m with m in [√½, √2), log m = f − f²/2 + f³·P(f), f = m − 1.
inline float logOneToTwo(float w) {
  const bool halve = w > 1.41421356f;
  return logReduced((halve ? w * 0.5f : w) - 1.f, halve ? 1.f : 0.f);
}

// log x for any float: x = 2^k·m from its bits, m in [√½, √2); NaN, ∞, 0 and negative x as std::log does.
// Subnormal x (below 1.2e−38) is not reduced and comes out wrong: callers keep x ≥ FLT_MIN.
inline float vlog(float x) {
  int32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const int32_t mantissa = bits & 0x7fffff;
  const int32_t halve = mantissa > 0x3504f3;  // m ≥ √2: take m/2 and one more power of two
  // k = the exponent (+ 1 if halved) as a float, without an int-to-float conversion, which GCC takes as
  // a possible trap and then keeps the loop scalar: 2²³ + j has the bits 0x4b000000 + j for j < 2²³
  const float k = bitsToFloat(0x4b000000 + ((bits >> 23) & 0xff) + halve) - (8388608.f + 127.f);
  const float m = bitsToFloat(mantissa | (0x3f800000 - (halve << 23)));
  const float y = logReduced(m - 1.f, k);
  const float special = x == 0.f ? -__builtin_inff() : (x < 0.f ? __builtin_nanf("") : x);  // x: ∞ or NaN
  return x > 0.f && x < __builtin_inff() ? y : special;
}

// tanh x (Cephes's tanhf): x + x³·P(x²) for |x| ≤ 0.625, else sign(x)·(1 − 2/(e^{2|x|} + 1)); ±1 beyond
// ±44 (e^{2|x|} = ∞), NaN for NaN. About 1 ulp; near ±1 the subtraction from 1 rounds as a correctly
// rounded tanh would, but for ties.
inline float vtanh(float x) {
  const float a = x < 0.f ? -x : x;
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * x + x;
  const float big = 1.f - 2.f / (vexp(a + a) + 1.f);
  const float out = a > 0.625f ? (x < 0.f ? -big : big) : small;
  return x != x ? x : out;
}

// log(1 + u) for u in [0, 1], accurate for small u too: with w = fl(1 + u), log1p(u) = log w · u / (w − 1)
// (the rounding of 1 + u cancels; Goldberg 1991, "What every computer scientist should know…", thm. 4).
inline float vlog1pUnit(float u) {
  const float w = 1.f + u;
  return w == 1.f ? u : logOneToTwo(w) * (u / (w - 1.f));
}

}  // namespace vaekit
