// Elementary functions of the ensemble draws that give the same bits on every host and device: e^x, log x and the
// standard normal quantile Φ^{-1}(p), built only from IEEE-754 operations that are correctly rounded everywhere
// (+, −, ×, ÷, sqrt, floor, and exact scalings by powers of two). The C library's and CUDA's exp/log agree only to
// an ulp or so, which is harmless for the market math but not for random draws that must be identical on both
// backends: the lognormal and log-uniform variates of ensemble_math.hpp use these functions. (The population stage
// brings a general portable_math.hpp and distributions.hpp; once both are on main the ensemble draws move to them
// and this header goes.)
//
// Accuracy: within 2 ulp of the correctly rounded result for normal arguments (tests/unit/portable_draws_test.cpp);
// normal_quantile is Wichura's AS241 (relative error about 1e-16). The build turns off floating-point contraction
// (-ffp-contract=off on the host, --fmad=false on the device), which these functions need. C++17, no std::
// containers.
#pragma once

#include <cmath>

#include "ttcgames/hd.hpp"

namespace ttcg {

namespace portable_detail {
constexpr double LN2_HI = 6.93147180369123816490e-01;  // ln 2 with 21 trailing zero bits: k·LN2_HI is exact
constexpr double LN2_LO = 1.90821492927058770002e-10;  // ln 2 − LN2_HI
constexpr double INV_LN2 = 1.44269504088896338700e+00;
constexpr double EXP_OVERFLOW = 709.782712893383973096;    // above: +inf
constexpr double EXP_UNDERFLOW = -745.133219101941108420;  // below: 0
constexpr double SQRT_HALF = 0.70710678118654752440;
}  // namespace portable_detail

//! e^x, the same bits on every platform.
TTCG_HD inline double portable_exp(double x) {
  using namespace portable_detail;
  if (!(x == x)) return x;  // NaN
  if (x > EXP_OVERFLOW) return INFINITY;
  if (x < EXP_UNDERFLOW) return 0.0;
  const double k = floor(x * INV_LN2 + 0.5);
  const double r = (x - k * LN2_HI) - k * LN2_LO;  // |r| ≤ ln2/2 (+ rounding)
  // Taylor series of e^r to degree 13 (truncation below 1e-17 relative), Horner from the highest term.
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const int e = static_cast<int>(k);
  // Two exact scalings, so that 2^e never overflows on its own near the ends of the range.
  return ldexp(ldexp(p, e / 2), e - e / 2);
}

//! log x (natural), the same bits on every platform; −inf at 0, NaN below 0.
TTCG_HD inline double portable_log(double x) {
  using namespace portable_detail;
  if (!(x > 0.0)) return x == 0.0 ? -INFINITY : NAN;
  if (x == INFINITY) return INFINITY;
  int e = 0;
  double m = frexp(x, &e);  // x = m·2^e, m ∈ [0.5, 1), exact
  if (m < SQRT_HALF) {
    m *= 2.0;
    --e;
  }
  // log m = 2 atanh(s) = 2 (s + s³/3 + s⁵/5 + …), s = (m − 1)/(m + 1), |s| ≤ 0.172.
  const double s = (m - 1.0) / (m + 1.0);
  const double z = s * s;
  double q = 1.0 / 27.0;
  q = q * z + 1.0 / 25.0;
  q = q * z + 1.0 / 23.0;
  q = q * z + 1.0 / 21.0;
  q = q * z + 1.0 / 19.0;
  q = q * z + 1.0 / 17.0;
  q = q * z + 1.0 / 15.0;
  q = q * z + 1.0 / 13.0;
  q = q * z + 1.0 / 11.0;
  q = q * z + 1.0 / 9.0;
  q = q * z + 1.0 / 7.0;
  q = q * z + 1.0 / 5.0;
  q = q * z + 1.0 / 3.0;
  const double log_m = 2.0 * s + 2.0 * s * (z * q);
  const double de = static_cast<double>(e);
  return de * LN2_HI + (de * LN2_LO + log_m);
}

//! The standard normal quantile Φ^{-1}(p) for p ∈ (0, 1) (Wichura, AS241, 1988); ∓inf at 0 and 1, NaN outside.
TTCG_HD inline double normal_quantile(double p) {
  if (!(p >= 0.0 && p <= 1.0)) return NAN;
  if (p == 0.0) return -INFINITY;
  if (p == 1.0) return INFINITY;
  const double q = p - 0.5;
  if (fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    const double num =
        (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r + 6.7265770927008700853e+4) * r +
             4.5921953931549871457e+4) *
                r +
            1.3731693765509461125e+4) *
               r +
           1.9715909503065514427e+3) *
              r +
          1.3314166789178437745e+2) *
             r +
         3.3871328727963666080e+0);
    const double den =
        (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r + 3.9307895800092710610e+4) * r +
             2.1213794301586595867e+4) *
                r +
            5.3941960214247511077e+3) *
               r +
           6.8718700749205790830e+2) *
              r +
          4.2313330701600911252e+1) *
             r +
         1.0);
    return q * num / den;
  }
  double r = sqrt(-portable_log(q < 0.0 ? p : 1.0 - p));
  double value;
  if (r <= 5.0) {
    r -= 1.6;
    const double num =
        (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1) * r +
             1.27045825245236838258e+0) *
                r +
            3.64784832476320460504e+0) *
               r +
           5.76949722146069140550e+0) *
              r +
          4.63033784615654529590e+0) *
             r +
         1.42343711074968357734e+0);
    const double den =
        (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2) * r +
             1.48103976427480074590e-1) *
                r +
            6.89767334985100004550e-1) *
               r +
           1.67638483018380384940e+0) *
              r +
          2.05319162663775882187e+0) *
             r +
         1.0);
    value = num / den;
  } else {
    r -= 5.0;
    const double num =
        (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r +
             2.65321895265761230930e-2) *
                r +
            2.96560571828504891230e-1) *
               r +
           1.78482653991729133580e+0) *
              r +
          5.46378491116411436990e+0) *
             r +
         6.65790464350110377720e+0);
    const double den =
        (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r +
             7.86869131145613259100e-4) *
                r +
            1.48753612908506148525e-2) *
               r +
           1.36929880922735805310e-1) *
              r +
          5.99832206555887937690e-1) *
             r +
         1.0);
    value = num / den;
  }
  return q < 0.0 ? -value : value;
}

}  // namespace ttcg
