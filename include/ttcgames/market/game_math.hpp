// Per-element math of the logit market at one β, shared by the CPU loops and the CUDA kernels (docs/model.md §2).
//
// Everything is in log space: x_i(k) = β·V_i(k) and x_0 = β·v0 are "log attractions", the aggregate is
// A = e^{x_0} + Σ_j e^{x_j}, shares are s_i = e^{x_i}/A, provider utility u_i = s_i·(p_i − c_i) and
// log u_i = log(p_i − c_i) + log σ(x_i − log A_{−i}) with A_{−i} the aggregate without provider i. No exponential
// of an unshifted x is ever taken, so β from 1e-3 to 1e9 and |v0| large neither overflow nor produce NaN.
// This header is C++17 and free of std:: containers so that kernels can include it.
#pragma once

#include <cmath>
#include <cstdint>

#include "ttcgames/core/hd.hpp"

namespace ttcg {

//! Read-only view of a game at one β (arrays row-major [n][K], owned elsewhere).
struct GameView {
  int n = 0;
  int K = 0;
  const double* x = nullptr;           //!< β·V_i(k)
  const double* log_margin = nullptr;  //!< log(p_i(k) − c_i(k)); −inf for a zero margin
  const double* W = nullptr;           //!< social surplus W_i(k) (USD)
  double x0 = 0.0;                     //!< β·v0
  double v0 = 0.0;                     //!< outside option value (USD)

  TTCG_HD double xs(int i, int k) const { return x[i * K + k]; }
  TTCG_HD double lm(int i, int k) const { return log_margin[i * K + k]; }
  TTCG_HD double w(int i, int k) const { return W[i * K + k]; }
};

//! Above this t, log(1 + e^t) = t + log1p(e^{−t}) rounds to t in double precision: e^{−t} < 4.3e-18 is below half an
//! ulp of t, so the sum is t whatever the libm.
constexpr double SOFTPLUS_IDENTITY = 40.0;

//! log(1 + e^t) without overflow or loss of precision.
TTCG_HD inline double softplus(double t) {
  if (t > SOFTPLUS_IDENTITY) return t;
  return t > 0.0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

//! log σ(z) = −log(1 + e^{−z}).
TTCG_HD inline double log_sigmoid(double z) {
  return -softplus(-z);
}

//! Below this exponent e^x is exactly 0 in double precision (the smallest subnormal is e^{−744.44}).
constexpr double EXP_ZERO_BELOW = -746.0;

//! Streaming log-sum-exp: value() = log Σ e^{x}. Terms whose scaled exponential is exactly 0 skip the exp.
struct LogSumExp {
  double max = -INFINITY;
  double sum = 0.0;
  TTCG_HD void add(double v) {
    if (v <= max) {
      const double d = v - max;
      if (!(d < EXP_ZERO_BELOW)) sum += exp(d);
    } else {
      const double d = max - v;
      sum = d < EXP_ZERO_BELOW ? 1.0 : sum * exp(d) + 1.0;  // sum is finite, so sum·0 + 1 = 1
      max = v;
    }
  }
  TTCG_HD double value() const { return max + log(sum); }
};

//! log A_{−skip}: log of e^{x_0} + Σ_{j≠skip} e^{x_j(k_j)} (skip = −1 for the full aggregate).
TTCG_HD inline double log_aggregate(const GameView& g, const int* profile, int skip) {
  LogSumExp lse;
  lse.add(g.x0);
  for (int j = 0; j < g.n; ++j)
    if (j != skip) lse.add(g.xs(j, profile[j]));
  return lse.value();
}

//! log u_i when provider i plays level k against an aggregate log A_{−i} of everyone else.
TTCG_HD inline double log_utility(const GameView& g, int i, int k, double log_a_minus_i) {
  return g.lm(i, k) + log_sigmoid(g.xs(i, k) - log_a_minus_i);
}

//! Social welfare SW(k) = Σ_i s_i W_i + s_0·v0 (USD per query), shares evaluated with the profile's own max shift.
TTCG_HD inline double social_welfare(const GameView& g, const int* profile) {
  double m = g.x0;
  for (int j = 0; j < g.n; ++j) m = fmax(m, g.xs(j, profile[j]));
  const double e0 = exp(g.x0 - m);
  double num = e0 * g.v0;
  double den = e0;
  for (int j = 0; j < g.n; ++j) {
    const double e = exp(g.xs(j, profile[j]) - m);
    num += e * g.w(j, profile[j]);
    den += e;
  }
  return num / den;
}

//! Writes the base-K digits of a profile index (provider 0 most significant) into profile[0..n).
TTCG_HD inline void decode_profile(std::int64_t index, int n, int K, int* profile) {
  for (int j = n - 1; j >= 0; --j) {
    profile[j] = static_cast<int>(index % K);
    index /= K;
  }
}

//! Inverse of decode_profile.
TTCG_HD inline std::int64_t encode_profile(const int* profile, int n, int K) {
  std::int64_t index = 0;
  for (int j = 0; j < n; ++j) index = index * K + profile[j];
  return index;
}

}  // namespace ttcg
