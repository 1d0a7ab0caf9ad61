// Per-block math of the exhaustive enumerations (social optimum and all pure Nash equilibria), shared by the OpenMP
// loops in src/ and the CUDA kernels in cuda/. C++17, no std:: containers.
//
// Profiles are numbered in base K with provider 0 most significant. A "prefix" fixes providers 0..n−2 and a block is
// its K completions by the last provider. Welfare sums are carried as scaled sums (m, num, den) with
// num = Σ e^{x−m} W and den = Σ e^{x−m}, so no β overflows or underflows the comparison that matters.
#pragma once

#include <cmath>
#include <cstdint>

#include "ttcgames/core/hd.hpp"
#include "ttcgames/market/game_math.hpp"

namespace ttcg {

//! Largest number of levels the enumeration kernels accept (one bit per level in a 32-bit mask).
constexpr int ENUMERATION_MAX_LEVELS = 32;

//! The OpenMP exhaustive scans run games with fewer prefixes than this on the calling thread: a parallel region
//! (whose idle threads then spin) costs more than such a scan.
constexpr std::int64_t EXHAUSTIVE_PARALLEL_MIN_PREFIXES = 4096;

//! Σ e^{x} W and Σ e^{x}, both scaled by e^{−m}.
struct ScaledSum {
  double m = -INFINITY;
  double num = 0.0;
  double den = 0.0;
  TTCG_HD void add(double x, double w) {
    if (x <= m) {
      const double e = exp(x - m);
      num += e * w;
      den += e;
    } else {
      const double r = exp(m - x);
      num = num * r + w;
      den = den * r + 1.0;
      m = x;
    }
  }
};

//! The prefix sum over the outside option and providers 0..n−2 of a profile.
TTCG_HD inline ScaledSum prefix_sum(const GameView& g, const int* profile) {
  ScaledSum s;
  s.add(g.x0, g.v0);
  for (int j = 0; j + 1 < g.n; ++j) s.add(g.xs(j, profile[j]), g.w(j, profile[j]));
  return s;
}

//! The last provider's levels relative to its most attractive one, precomputed once per game:
//! g_k = e^{x_k − x_max} and gw_k = g_k·W_k.
struct LastProviderLevels {
  double x_max = -INFINITY;
  double x_min = INFINITY;
  const double* g = nullptr;
  const double* gw = nullptr;
};

//! Exponent range (in nats) within which a block is evaluated with one shared shift and no exponential per profile.
constexpr double ENUMERATION_SHARED_SHIFT_RANGE = 600.0;

//! Best welfare among the K completions of a prefix; ties keep the lower level. Returns the level (or −1 when no
//! completion beats `best`) and updates best. Uses one shift for the whole block when every completion's own
//! maximum exponent lies within ENUMERATION_SHARED_SHIFT_RANGE of it, and an exact per-profile shift otherwise.
TTCG_HD inline int best_completion(const GameView& g, const LastProviderLevels& last, const ScaledSum& prefix,
                                   double& best) {
  int arg = -1;
  const double shift = fmax(prefix.m, last.x_max);
  if (fmax(prefix.m, last.x_min) >= shift - ENUMERATION_SHARED_SHIFT_RANGE) {
    const double a = exp(prefix.m - shift);
    const double h = exp(last.x_max - shift);
    const double num = prefix.num * a;
    const double den = prefix.den * a;
    for (int k = 0; k < g.K; ++k) {
      const double sw = (num + last.gw[k] * h) / (den + last.g[k] * h);
      if (sw > best) {
        best = sw;
        arg = k;
      }
    }
    return arg;
  }
  const int i = g.n - 1;
  for (int k = 0; k < g.K; ++k) {
    const double x = g.xs(i, k);
    const double w = g.w(i, k);
    double sw;
    if (x <= prefix.m) {
      const double e = exp(x - prefix.m);
      sw = (prefix.num + e * w) / (prefix.den + e);
    } else {
      const double r = exp(prefix.m - x);
      sw = (prefix.num * r + w) / (prefix.den * r + 1.0);
    }
    if (sw > best) {
      best = sw;
      arg = k;
    }
  }
  return arg;
}

//! True when no provider other than the last gains more than log_tol (in log-utility) by deviating.
TTCG_HD inline bool others_have_no_deviation(const GameView& g, const int* profile, double log_tol) {
  for (int i = 0; i + 1 < g.n; ++i) {
    const double log_a = log_aggregate(g, profile, i);
    const double threshold = log_utility(g, i, profile[i], log_a) + log_tol;
    for (int k = 0; k < g.K; ++k)
      if (k != profile[i] && log_utility(g, i, k, log_a) > threshold) return false;
  }
  return true;
}

//! Bit k set when the prefix completed by level k of the last provider is a pure NE at tolerance log_tol = log(1+tol).
//! profile[0..n−2] is the prefix; profile[n−1] is used as scratch.
TTCG_HD inline std::uint32_t equilibrium_completions(const GameView& g, int* profile, double log_tol) {
  const int last = g.n - 1;
  const double log_a = log_aggregate(g, profile, last);
  double log_u[ENUMERATION_MAX_LEVELS];
  double best = -INFINITY;
  for (int k = 0; k < g.K; ++k) {
    log_u[k] = log_utility(g, last, k, log_a);
    best = fmax(best, log_u[k]);
  }
  std::uint32_t mask = 0;
  for (int k = 0; k < g.K; ++k) {
    if (best > log_u[k] + log_tol) continue;
    profile[last] = k;
    if (others_have_no_deviation(g, profile, log_tol)) mask |= 1u << k;
  }
  return mask;
}

//! Count and welfare extremes of the pure equilibria of a game.
struct EquilibriumSummary {
  std::int64_t count = 0;
  double worst_welfare = INFINITY;  //!< +inf when count == 0
  double best_welfare = -INFINITY;  //!< −inf when count == 0
  std::int64_t worst_index = -1;    //!< lowest profile index attaining worst_welfare
  std::int64_t best_index = -1;
};

//! Every pure NE of a small game by the direct test (equilibrium_completions over all prefixes, in index order),
//! for one thread: what enumerate_equilibria (enumeration.hpp) finds, without its storage. `profile` is n entries of
//! scratch; `prefixes` = K^{n−1}.
TTCG_HD inline EquilibriumSummary scan_equilibria(const GameView& g, double log_tol, std::int64_t prefixes,
                                                  int* profile) {
  EquilibriumSummary s;
  const int last = g.n - 1;
  for (std::int64_t prefix = 0; prefix < prefixes; ++prefix) {
    decode_profile(prefix, last, g.K, profile);
    std::uint32_t mask = equilibrium_completions(g, profile, log_tol);
    for (int k = 0; mask != 0; ++k, mask >>= 1) {
      if (!(mask & 1u)) continue;
      profile[last] = k;
      const double welfare = social_welfare(g, profile);
      const std::int64_t index = prefix * g.K + k;
      ++s.count;
      if (welfare < s.worst_welfare) s.worst_welfare = welfare, s.worst_index = index;
      if (welfare > s.best_welfare) s.best_welfare = welfare, s.best_index = index;
    }
  }
  return s;
}

}  // namespace ttcg
