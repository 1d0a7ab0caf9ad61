// The exact social optimum of one logit market by fractional programming (docs/model.md §2.2), written once for the
// host (src/market/welfare.cpp, src/ensemble/ensemble.cpp) and the CUDA kernels (cuda/ensemble/ensemble.cu). C++17, no
// std:: containers.
//
// SW(k) = Σ_i e_i W_i / (e_0 + Σ_i e_i) with e_i = e^{x_i(k_i)} is a ratio of separable sums. For a trial value λ,
// F(λ) = max_k [e_0 (v0 − λ) + Σ_i e_i (W_i − λ)] is positive exactly when some profile beats λ, and each provider
// maximizes its own term e_i (W_i − λ), an O(K) scan. Dinkelbach's iteration λ ← SW(argmax) stops when F(λ) ≤ 0,
// which certifies SW* ≤ λ: the returned gap λ − SW(found) bounds SW* − SW(found) (a few ulps). The signed sums are
// kept in log space, so no β overflows.
#pragma once

#include <cmath>

#include "ttcgames/core/hd.hpp"
#include "ttcgames/market/game_math.hpp"

namespace ttcg {

//! The ratio SW*/SW with the conventions of docs/hdf5-format.md: the ratio when SW > 0, 1 when SW = SW* (both ≤ 0),
//! +inf otherwise (in particular SW ≤ 0 < SW*). The price of anarchy and of stability are such ratios.
TTCG_HD inline double welfare_ratio(double optimum, double welfare) {
  if (welfare > 0.0) return optimum / welfare;
  if (optimum == welfare) return 1.0;
  return INFINITY;
}

//! Iteration limit of the Dinkelbach iteration (it needs a handful; the limit only guards against a bug).
constexpr int DINKELBACH_MAX_ITERATIONS = 1000;

//! Signed log-space accumulator: value = e^{pos} − e^{neg}.
struct SignedLogSum {
  LogSumExp pos, neg;
  TTCG_HD void add(double log_magnitude, bool positive) { (positive ? pos : neg).add(log_magnitude); }
};

//! Provider i's term max_k e^{x_i(k)} (W_i(k) − λ): the level and the term as (log magnitude, sign).
struct DinkelbachTerm {
  int level = 0;
  double log_magnitude = -INFINITY;
  bool positive = false;
};

TTCG_HD inline DinkelbachTerm dinkelbach_term(const GameView& g, int i, double lambda) {
  DinkelbachTerm best;
  bool have = false;
  for (int k = 0; k < g.K; ++k) {
    const double diff = g.w(i, k) - lambda;
    const bool positive = diff > 0.0;
    if (have && best.positive && !positive) continue;  // a negative term never beats a positive one
    const double log_mag = diff == 0.0 ? -INFINITY : g.xs(i, k) + log(fabs(diff));
    bool better;
    if (!have)
      better = true;
    else if (positive != best.positive)
      better = positive;
    else if (positive)
      better = log_mag > best.log_magnitude;
    else
      better = log_mag < best.log_magnitude;  // the least negative term (a zero term beats any negative)
    if (better) {
      best.level = k;
      best.log_magnitude = log_mag;
      best.positive = positive;
      have = true;
    }
  }
  return best;
}

//! The optimum's welfare and certificate (the profile is the caller's array).
struct OptimumValues {
  double welfare = 0.0;  //!< SW at the profile (USD)
  int iterations = 0;    //!< Dinkelbach iterations
  //! Certified bound on SW* − welfare (USD): a few ulps of welfare at most; +inf if the iteration limit stopped it.
  double gap = 0.0;
};

//! Exact optimum by Dinkelbach's algorithm: writes an optimal profile to `profile` (n entries); `next` is n entries
//! of scratch. O(n·K) per iteration.
TTCG_HD inline OptimumValues dinkelbach_optimum(const GameView& g, int* profile, int* next) {
  OptimumValues opt;
  // Start from every provider's most attractive level.
  for (int i = 0; i < g.n; ++i) {
    profile[i] = 0;
    for (int k = 1; k < g.K; ++k)
      if (g.xs(i, k) > g.xs(i, profile[i])) profile[i] = k;
  }
  opt.welfare = social_welfare(g, profile);

  // Dinkelbach on F(λ), kept as signed log-sums. When the maximizer's welfare does not exceed λ in double precision
  // (a dominant provider with W_i = λ hides a better profile behind a step below one ulp), λ moves up by one ulp so
  // that such terms turn negative; the best profile seen is kept. On exit F(λ) ≤ 0 certifies SW* ≤ λ.
  double lambda = opt.welfare;
  bool certified = false;
  for (opt.iterations = 1; opt.iterations <= DINKELBACH_MAX_ITERATIONS; ++opt.iterations) {
    SignedLogSum f;
    const double diff0 = g.v0 - lambda;
    if (diff0 != 0.0) f.add(g.x0 + log(fabs(diff0)), diff0 > 0.0);
    for (int i = 0; i < g.n; ++i) {
      const DinkelbachTerm t = dinkelbach_term(g, i, lambda);
      next[i] = t.level;
      if (std::isfinite(t.log_magnitude)) f.add(t.log_magnitude, t.positive);
    }
    if (!(f.pos.value() > f.neg.value())) {
      certified = true;
      break;
    }
    const double candidate = social_welfare(g, next);
    if (candidate > opt.welfare) {
      opt.welfare = candidate;
      for (int i = 0; i < g.n; ++i) profile[i] = next[i];
    }
    lambda = candidate > lambda ? candidate : nextafter(lambda, static_cast<double>(INFINITY));
  }
  opt.gap = certified ? lambda - opt.welfare : INFINITY;
  return opt;
}

}  // namespace ttcg
