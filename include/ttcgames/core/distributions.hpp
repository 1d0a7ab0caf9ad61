// Probability distributions for the Monte Carlo stages: the per-draw samplers (TTCG_HD, shared by the OpenMP loops
// and the CUDA kernels) and the host-side description of a distribution as a scenario gives it.
//
// A sampler turns the four 32-bit words of one Philox draw (rng.hpp) into a value; it uses only the portable
// elementary functions (portable_math.hpp) and IEEE-754 arithmetic, so the same words give the same bits on the
// host and on the device. Samplers:
//   uniform [lo, hi)                    lo + (hi − lo)·u, u with 53 random bits
//   log-uniform [lo, hi), 0 < lo        exp(log lo + (log hi − log lo)·u): uniform in the logarithm
//   standard normal                     inverse CDF (Wichura's AS 241, relative error ~1e-16) of u in (0, 1)
//   lognormal (mu, sigma)               exp(mu + sigma·z): median e^mu, E = e^{mu + sigma²/2}
//   categorical (weights)               Walker's alias method: one bounded integer and one coin per draw
// Distributions (what a scenario names): fixed, lognormal, uniform, log-uniform, empirical (a list of values,
// optionally weighted). It is the one type of every random parameter: a population's per-user quantities, an
// ensemble's per-market β, markup, α, v0 and price jitter. Units are those of the quantity it describes.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ttcgames/core/hd.hpp"
#include "ttcgames/core/portable_math.hpp"
#include "ttcgames/core/rng.hpp"

namespace ttcg {

namespace rng {

//! A double in the open interval (0, 1) with 52 random bits: (k + ½)·2^−52, k in [0, 2^52). Never 0 or 1, so
//! its logarithm and inverse-CDF transforms are finite.
TTCG_HD inline double to_open_unit_double(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t bits = ((static_cast<std::uint64_t>(hi) << 32) | lo) >> 12;
  return (static_cast<double>(bits) + 0.5) * 0x1.0p-52;
}

}  // namespace rng

namespace dist {

//! c7·r^7 + c6·r^6 + … + c0 by Horner's rule (no FMA: the same bits on host and device).
TTCG_HD inline double horner7(double r, double c7, double c6, double c5, double c4, double c3, double c2, double c1,
                              double c0) {
  return ((((((c7 * r + c6) * r + c5) * r + c4) * r + c3) * r + c2) * r + c1) * r + c0;
}

//! The standard normal quantile Φ^{-1}(p) for 0 < p < 1 (Wichura, AS 241 "PPND16", Applied Statistics 37, 1988:
//! three rational approximations, relative error about 1e-16); ±inf at p = 0 or 1, NaN outside [0, 1].
TTCG_HD inline double standard_normal_quantile(double p) {
  const double q = p - 0.5;
  if (fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q *
           horner7(r, 2.5090809287301226727e3, 3.3430575583588128105e4, 6.7265770927008700853e4,
                   4.5921953931549871457e4, 1.3731693765509461125e4, 1.9715909503065514427e3, 1.3314166789178437745e2,
                   3.3871328727963666080e0) /
           horner7(r, 5.2264952788528545610e3, 2.8729085735721942674e4, 3.9307895800092710610e4,
                   2.1213794301586595867e4, 5.3941960214247511077e3, 6.8718700749205790830e2, 4.2313330701600911252e1,
                   1.0);
  }
  if (!(p > 0.0 && p < 1.0)) return p == 0.0 ? -INFINITY : (p == 1.0 ? INFINITY : NAN);
  double r = sqrt(-portable::log(q < 0.0 ? p : 1.0 - p));
  double z;
  if (r <= 5.0) {
    r -= 1.6;
    z = horner7(r, 7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1,
                1.27045825245236838258e0, 3.64784832476320460504e0, 5.76949722146069140550e0, 4.63033784615654529590e0,
                1.42343711074968357734e0) /
        horner7(r, 1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2,
                1.48103976427480074590e-1, 6.89767334985100004550e-1, 1.67638483018380384940e0,
                2.05319162663775882187e0, 1.0);
  } else {
    r -= 5.0;
    z = horner7(r, 2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3,
                2.65321895265761230930e-2, 2.96560571828504891230e-1, 1.78482653991729133580e0,
                5.46378491116411436990e0, 6.65790464350110377720e0) /
        horner7(r, 2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5,
                7.86869131145613259100e-4, 1.48753612908506148525e-2, 1.36929880922735805310e-1,
                5.99832206555887937690e-1, 1.0);
  }
  return q < 0.0 ? -z : z;
}

//! Uniform on [lo, hi) from 53 random bits.
TTCG_HD inline double uniform(std::uint32_t hi_word, std::uint32_t lo_word, double lo, double hi) {
  return lo + (hi - lo) * rng::to_unit_double(hi_word, lo_word);
}

//! Log-uniform on [lo, hi) (0 < lo) from 53 random bits: uniform in log space.
TTCG_HD inline double log_uniform(std::uint32_t hi_word, std::uint32_t lo_word, double lo, double hi) {
  const double a = portable::log(lo);
  return portable::exp(a + (portable::log(hi) - a) * rng::to_unit_double(hi_word, lo_word));
}

//! A standard normal deviate by inversion of one open-interval uniform.
TTCG_HD inline double standard_normal(std::uint32_t hi_word, std::uint32_t lo_word) {
  return standard_normal_quantile(rng::to_open_unit_double(hi_word, lo_word));
}

//! exp(mu + sigma·z), z standard normal.
TTCG_HD inline double lognormal(std::uint32_t hi_word, std::uint32_t lo_word, double mu, double sigma) {
  return portable::exp(mu + sigma * standard_normal(hi_word, lo_word));
}

//! Read-only view of an alias table (Walker/Vose) over n outcomes: keep column c with probability prob[c],
//! otherwise take alias[c].
struct AliasView {
  int n = 0;
  const double* prob = nullptr;  //!< [n] in [0, 1]
  const int* alias = nullptr;    //!< [n]
};

//! One categorical draw from the four words of a Philox draw: words 0-1 pick the column, words 2-3 the coin.
TTCG_HD inline int sample_alias(const AliasView& a, const rng::Philox4x32Ctr& w) {
  const int column = static_cast<int>(rng::to_bounded(w.v[0], w.v[1], static_cast<std::uint32_t>(a.n)));
  return rng::to_unit_double(w.v[2], w.v[3]) < a.prob[column] ? column : a.alias[column];
}

//! The alias table of non-negative weights (not all zero), built by Vose's method in a fixed order so that it is
//! the same on every run. The probability of outcome j is weights[j]/Σ weights up to rounding (~1e-16).
struct AliasTable {
  std::vector<double> prob;
  std::vector<int> alias;
  AliasView view() const { return AliasView{static_cast<int>(prob.size()), prob.data(), alias.data()}; }
};

//! std::invalid_argument for an empty list, a negative or non-finite weight, or weights summing to 0.
AliasTable build_alias_table(const std::vector<double>& weights);

enum class DistributionKind { fixed, lognormal, uniform, log_uniform, empirical };
const char* to_string(DistributionKind kind);

//! A distribution of a per-user quantity, as a scenario describes it.
struct Distribution {
  DistributionKind kind = DistributionKind::fixed;
  double value = 0.0;            //!< fixed
  double mu = 0.0, sigma = 0.0;  //!< lognormal: log-scale location and scale (median e^mu)
  double low = 0.0, high = 0.0;  //!< uniform and log-uniform [low, high)
  std::vector<double> values;    //!< empirical
  std::vector<double> weights;   //!< empirical; empty means equal weights

  static Distribution fixed_value(double v);
  //! Uniform (or, with `log`, log-uniform) on [low, high).
  static Distribution range(double low, double high, bool log = false);
  //! Whether every draw gives the same value (fixed, a zero-width range, lognormal with sigma 0).
  bool constant() const;
  double mean() const;
  double variance() const;
  //! The p-quantile (0 ≤ p ≤ 1) of the distribution (empirical: the smallest value whose cumulative weight
  //! reaches p).
  double quantile(double p) const;
  //! Smallest and largest values it can take ([Q(tail), Q(1 − tail)] for the unbounded lognormal).
  double lower_bound(double lognormal_tail) const;
  double upper_bound(double lognormal_tail) const;
  std::string describe() const;
};

//! A distribution prepared for sampling on either backend: plain numbers, and for an empirical distribution the
//! values and their alias table (host pointers; the CUDA launcher copies them).
struct DistributionView {
  DistributionKind kind = DistributionKind::fixed;
  double a = 0.0;  //!< fixed: value; lognormal: mu; uniform, log-uniform: low
  double b = 0.0;  //!< lognormal: sigma; uniform, log-uniform: high
  const double* values = nullptr;
  AliasView alias;
};

//! One draw from the four words of a Philox draw.
TTCG_HD inline double sample(const DistributionView& d, const rng::Philox4x32Ctr& w) {
  switch (d.kind) {
    case DistributionKind::fixed:
      return d.a;
    case DistributionKind::lognormal:
      return lognormal(w.v[0], w.v[1], d.a, d.b);
    case DistributionKind::uniform:
      return uniform(w.v[0], w.v[1], d.a, d.b);
    case DistributionKind::log_uniform:
      return log_uniform(w.v[0], w.v[1], d.a, d.b);
    case DistributionKind::empirical:
      return d.values[sample_alias(d.alias, w)];
  }
  return NAN;
}

//! Host storage behind a DistributionView (the alias table of an empirical distribution).
struct PreparedDistribution {
  Distribution spec;
  AliasTable alias;
  explicit PreparedDistribution(Distribution d);
  DistributionView view() const;
};

}  // namespace dist
}  // namespace ttcg
