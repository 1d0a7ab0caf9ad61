// Per-element economics of a market (docs/model.md §1) and of its game at one β (§2), shared by the table builder
// (src/market/market.cpp), the game (src/market/game.cpp) and the ensemble kernels (cuda/ensemble/ensemble.cu), so that
// a market built on the host and one built inside a kernel hold the same numbers (up to the last bit of the device's
// libm).
//
// Money is USD per query; tokens are billed output tokens per query; prices per token are USD per token. The
// formulas are evaluated in one fixed order of operations (the reference implementation's arithmetic), which is
// part of the contract: results are reproduced bit for bit by anything that calls these functions. C++17, no std::
// containers, so that kernels can include it.
#pragma once

#include <cmath>

#include "ttcgames/core/hd.hpp"

namespace ttcg {

enum class ValueCurveKind { linear, power, exp };

//! f(a): linear a; power a^γ; exp (e^{κa} − 1)/(e^κ − 1) (κ = 0 is linear).
TTCG_HD inline double value_curve_value(ValueCurveKind kind, double gamma, double kappa, double accuracy) {
  switch (kind) {
    case ValueCurveKind::linear:
      return accuracy;
    case ValueCurveKind::power:
      return pow(accuracy, gamma);
    case ValueCurveKind::exp: {
      const double denom = expm1(kappa);
      return denom != 0.0 ? expm1(kappa * accuracy) / denom : accuracy;
    }
  }
  return accuracy;
}

//! USD per token from a price in USD per million tokens.
TTCG_HD inline double usd_per_token(double usd_per_million_tokens) {
  return usd_per_million_tokens / 1'000'000.0;
}

//! One provider at one level (model.md §1).
struct LevelEconomics {
  double q;       //!< quality α(b + (1 − b) f(a)) (USD)
  double p;       //!< price T·π (USD)
  double c;       //!< cost p/(1 + m) (USD)
  double V;       //!< user value q − p (USD)
  double W;       //!< social surplus q − c (USD)
  double margin;  //!< provider profit per served query p − c (USD)
};

//! The economics of a level from its value f(a), billed tokens, the price per token and the market parameters.
TTCG_HD inline LevelEconomics level_economics(double value, double tokens, double price_per_token, double alpha,
                                              double baseline, double markup) {
  LevelEconomics e;
  e.p = tokens * price_per_token;
  e.c = e.p / (1.0 + markup);
  e.q = alpha * (baseline + (1.0 - baseline) * value);
  e.V = e.q - e.p;
  e.W = e.q - e.c;
  e.margin = e.p - e.c;
  return e;
}

//! Largest |x| of a log attraction x = β·V (or β·v0) the engine accepts. Within it every x, every difference of two
//! and every sum over up to 10^7 providers (the potential) is a finite double, so the log-space arithmetic is exact
//! up to rounding; beyond it (β·v0 = 1e9·2e299 overflows to +inf) shares would be inf − inf = NaN. Inputs outside
//! are refused up front with the scenario, β and quantity named (check_log_space, game.hpp).
constexpr double LOG_ATTRACTION_LIMIT = 1e300;

//! Log attraction x = β·V of a level in the logit game.
TTCG_HD inline double log_attraction(double beta, double user_value) {
  return beta * user_value;
}

//! log(p − c); −inf for a zero (or negative) margin.
TTCG_HD inline double log_margin(double margin) {
  return margin > 0.0 ? log(margin) : -INFINITY;
}

}  // namespace ttcg
