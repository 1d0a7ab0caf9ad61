// Random small markets for property tests: reproducible from a seed that every failure message prints.
#pragma once

#include <cmath>
#include <random>
#include <string>

#include "ttcgames/market/market.hpp"

namespace ttcg::testing_support {

struct RandomMarketOptions {
  int min_providers = 2, max_providers = 5;
  int min_levels = 2, max_levels = 5;
  bool random_v0 = true;  //!< sometimes a nonzero outside option
  bool monotone = false;  //!< accuracy and tokens increasing in the level (like real TTC curves)
};

inline MarketTable random_market(std::uint64_t seed, const RandomMarketOptions& o = {}) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const int n = std::uniform_int_distribution<int>(o.min_providers, o.max_providers)(rng);
  const int K = std::uniform_int_distribution<int>(o.min_levels, o.max_levels)(rng);
  ProviderSet set;
  for (int k = 0; k < K; ++k) set.theta.push_back(std::pow(2.0, k));
  for (int i = 0; i < n; ++i) {
    ProviderCurves p;
    p.name = "P";
    p.name += std::to_string(i);
    p.usd_per_million_tokens = 0.05 + 0.3 * u(rng);
    double acc = 0.2 + 0.5 * u(rng), tokens = 100.0 + 400.0 * u(rng);
    for (int k = 0; k < K; ++k) {
      if (o.monotone) {
        acc = std::min(1.0, acc + 0.1 * u(rng));
        tokens *= 1.5 + 2.0 * u(rng);
        p.accuracy.push_back(acc);
        p.tokens.push_back(tokens);
      } else {
        p.accuracy.push_back(u(rng));
        p.tokens.push_back(50.0 + 20000.0 * u(rng));
      }
    }
    set.providers.push_back(p);
  }
  MarketParams m;
  m.alpha = 0.005 + 0.05 * u(rng);
  m.baseline = 0.1;
  m.markup = 0.05 + 0.5 * u(rng);
  m.v0 = o.random_v0 && u(rng) < 0.3 ? (u(rng) - 0.3) * 0.01 : 0.0;
  return build_market_table(set, m);
}

//! β log-uniform in [10^lo, 10^hi].
inline double random_beta(std::uint64_t seed, double lo = -2.0, double hi = 7.0) {
  std::mt19937_64 rng(seed ^ 0x5DEECE66Dull);
  return std::pow(10.0, std::uniform_real_distribution<double>(lo, hi)(rng));
}

}  // namespace ttcg::testing_support
