// Elementary functions that give the same bits on the host and on the device (TTCG_HD).
//
// libm's exp and log (glibc on the host, CUDA's on the device) are each accurate to about an ulp but do not agree
// bit for bit, so a number drawn or computed through them could differ between the backends in its last bit. The
// functions here use only IEEE-754 additions, multiplications, divisions and square roots, which both sides round
// correctly, in a fixed order (the build disables FMA contraction on both sides: -ffp-contract=off, --fmad=false),
// so they are bitwise identical everywhere. They are branch-free in the common path and vectorize in OpenMP simd
// loops. Accuracy: within 2 ulp of the correctly rounded result on the whole double range (tests/unit/
// portable_math_test.cpp checks it against glibc over 10^6 arguments per function).
//
// Used by the Monte Carlo kernels (population, samplers) where host/device parity of per-user values is required;
// the single-market engine keeps libm. This header is C++17 and free of std:: containers so that kernels include it.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "ttcgames/core/hd.hpp"

namespace ttcg::portable {

namespace detail {

TTCG_HD inline std::uint64_t to_bits(double x) {
#if defined(__CUDA_ARCH__)
  return static_cast<std::uint64_t>(__double_as_longlong(x));
#else
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
#endif
}

TTCG_HD inline double from_bits(std::uint64_t b) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(b));
#else
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
#endif
}

constexpr double LOG2E = 1.4426950408889634074;
//! ln 2 split into a head with 32 significant bits (so n·LN2_HI is exact for |n| < 2^20) and the rest.
constexpr double LN2_HI = 0x1.62e42feep-1;
constexpr double LN2_LO = 0x1.a39ef35793c76p-33;
//! 1.5·2^52: adding it rounds a double of magnitude < 2^51 to the nearest integer, held in the low mantissa bits.
constexpr double ROUND_MAGIC = 6755399441055744.0;
constexpr std::uint64_t ROUND_MAGIC_BITS = 0x4338000000000000ull;
constexpr double EXP_OVERFLOW = 709.782712893384;     //!< above: e^x = inf
constexpr double EXP_UNDERFLOW = -745.1332191019412;  //!< below: e^x rounds to 0
constexpr double INF = INFINITY;
constexpr double QNAN = NAN;

//! 2^n for −1022 ≤ n ≤ 1023, from its bits.
TTCG_HD inline double pow2(std::int64_t n) {
  return from_bits(static_cast<std::uint64_t>(n + 1023) << 52);
}

//! e^r for |r| ≤ ln2/2 + a little: the Taylor polynomial to degree 13 (truncation below 5e-18 relative), Horner.
TTCG_HD inline double exp_reduced(double r) {
  double p = 1.0 / 6227020800.0;
  p = fma(p, r, 1.0 / 479001600.0);
  p = fma(p, r, 1.0 / 39916800.0);
  p = fma(p, r, 1.0 / 3628800.0);
  p = fma(p, r, 1.0 / 362880.0);
  p = fma(p, r, 1.0 / 40320.0);
  p = fma(p, r, 1.0 / 5040.0);
  p = fma(p, r, 1.0 / 720.0);
  p = fma(p, r, 1.0 / 120.0);
  p = fma(p, r, 1.0 / 24.0);
  p = fma(p, r, 1.0 / 6.0);
  p = fma(p, r, 0.5);
  p = fma(p, r, 1.0);
  return fma(p, r, 1.0);
}

}  // namespace detail

//! c ? a : b with both sides evaluated, as a bit mask on the host: GCC if-converts a ternary whose arms can trap
//! only under -fno-trapping-math, and a loop with a branch does not vectorize.
TTCG_HD inline double select(bool c, double a, double b) {
#if defined(__CUDA_ARCH__)
  return c ? a : b;
#else
  const std::uint64_t m = std::uint64_t{0} - static_cast<std::uint64_t>(c);
  return detail::from_bits((detail::to_bits(a) & m) | (detail::to_bits(b) & ~m));
#endif
}

//! e^x on the whole double range: 0 below −745.13, +inf above 709.78, NaN for NaN; subnormal results are rounded
//! once.
TTCG_HD inline double exp(double x) {
  using namespace detail;
  // No clamping (GCC would specialize the clamped case into a branch): outside [EXP_UNDERFLOW, EXP_OVERFLOW] the
  // scale bits are meaningless and the result is selected away.
  const double xc = x;
  const double t = xc * LOG2E + ROUND_MAGIC;
  const double nd = t - ROUND_MAGIC;
  const std::int64_t n = static_cast<std::int64_t>(to_bits(t) - ROUND_MAGIC_BITS);
  const double r = fma(-nd, LN2_LO, fma(-nd, LN2_HI, xc));
  const std::int64_t n1 = n / 2;  // both halves stay normal, so only the last product can round
  const double y = exp_reduced(r) * pow2(n1) * pow2(n - n1);
  return select(x > EXP_OVERFLOW, INF, select(x < EXP_UNDERFLOW, 0.0, select(x != x, x, y)));
}

//! e^x for x ≤ 0, flushing results below 2^−1022 (x < −708.39) to 0 instead of rounding them to a subnormal: the
//! fast path of the logit kernels, where e^{x − max} only enters sums that are ≥ 1. NaN for NaN.
TTCG_HD inline double exp_nonpositive(double x) {
  using namespace detail;
  constexpr double SMALLEST_NORMAL_ARG = -708.3964185322641;  // ln 2^−1022
  const double xc = x;  // as in exp: below SMALLEST_NORMAL_ARG the result is selected away
  const double t = xc * LOG2E + ROUND_MAGIC;
  const double nd = t - ROUND_MAGIC;
  const std::int64_t n = static_cast<std::int64_t>(to_bits(t) - ROUND_MAGIC_BITS);
  const double r = fma(-nd, LN2_LO, fma(-nd, LN2_HI, xc));
  const double y = exp_reduced(r) * pow2(n);  // n ≥ −1022 here; a NaN x propagates through r
  return select(x < SMALLEST_NORMAL_ARG, 0.0, y);
}

//! Natural logarithm: −inf at ±0, NaN below 0 and for NaN, +inf at +inf; subnormal arguments are exact.
//! x = m·2^k with m in [√½, √2); log m = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.1716, by its series to s^23.
TTCG_HD inline double log(double x) {
  using namespace detail;
  const bool subnormal = x < 0x1p-1022;
  const double xs = select(subnormal, x * 0x1p54, x);
  const std::uint64_t b = to_bits(xs);
  const double m1 = from_bits((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull);  // in [1, 2)
  const bool high = m1 > 1.4142135623730951;
  const double m = select(high, m1 * 0.5, m1);
  const std::int64_t k = static_cast<std::int64_t>((b >> 52) & 0x7ff) - 1023 - (subnormal ? 54 : 0) + (high ? 1 : 0);
  const double f = m - 1.0;  // exact (Sterbenz)
  const double s = f / (2.0 + f);
  const double z = s * s;
  // 2 atanh(s) = 2s + s·R with R = Σ_{j≥1} 2 z^j/(2j + 1), and 2s = f − hfsq·(1 − s) with hfsq = f²/2, so
  // log m = f − (hfsq − s·(hfsq + R)): f is exact and the correction is O(f²), hence about 1 ulp.
  double p = 2.0 / 23.0;
  p = fma(p, z, 2.0 / 21.0);
  p = fma(p, z, 2.0 / 19.0);
  p = fma(p, z, 2.0 / 17.0);
  p = fma(p, z, 2.0 / 15.0);
  p = fma(p, z, 2.0 / 13.0);
  p = fma(p, z, 2.0 / 11.0);
  p = fma(p, z, 2.0 / 9.0);
  p = fma(p, z, 2.0 / 7.0);
  p = fma(p, z, 2.0 / 5.0);
  p = fma(p, z, 2.0 / 3.0);
  const double R = z * p;
  const double hfsq = 0.5 * f * f;
  const double log_m = f - (hfsq - s * (hfsq + R));
  const double kd = from_bits(static_cast<std::uint64_t>(k) + ROUND_MAGIC_BITS) - ROUND_MAGIC;  // exact, vectorizes
  const double y = kd * LN2_HI + (log_m + kd * LN2_LO);
  return select(x > 0.0, select(x == INF, INF, y), select(x == 0.0, -INF, QNAN));  // NaN and x < 0 give NaN
}

//! log(1 + y) for y > −1, accurate also for tiny |y| (Goldberg's correction); +inf for +inf. Branch-free: the
//! correction's 0/0 at u = 1 is selected away.
TTCG_HD inline double log1p(double y) {
  const double u = 1.0 + y;
  const double corrected = log(u) * (y / (u - 1.0));
  return select(u == 1.0, y, select(u == detail::INF, u, corrected));
}

//! log(1 + e^t) without overflow.
TTCG_HD inline double softplus(double t) {
  const double a = t > 0.0 ? -t : t;  // −|t|
  return (t > 0.0 ? t : 0.0) + log1p(exp(a));
}

//! log σ(z) = −log(1 + e^{−z}).
TTCG_HD inline double log_sigmoid(double z) {
  return -softplus(-z);
}

}  // namespace ttcg::portable
