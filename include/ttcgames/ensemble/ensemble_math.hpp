// One random market of an ensemble (docs/scenario.md, [ensemble]): its draws and its solution, written once for the
// OpenMP loop (src/ensemble/ensemble.cpp) and the CUDA kernel (cuda/ensemble/ensemble.cu), one market per thread.
// C++17, no std:: containers: every array is a fixed-capacity member or a pointer into the caller's memory.
//
// Market m draws, from Philox streams keyed by (seed, "ensemble.<what>") with counter (m, 0, entity, 0):
//   size       n uniform in [min_providers, max_providers]                          ("ensemble.size")
//   providers  n distinct pool indices (partial Fisher–Yates), sorted ascending      ("ensemble.providers", entity =
//   slot)
//   price      a factor per pool provider multiplying its price per token           ("ensemble.price", entity =
//   pool index)
//   beta, markup, alpha, v0  each from its distribution (fixed, uniform or log-uniform)   ("ensemble.<name>")
// Every random parameter is a dist::DistributionView (distributions.hpp), the type of the population's per-user
// quantities too; a constant one (fixed, or a range with low = high) uses no draw.
// and visits providers in the Philox order of ("ensemble.order", replicate m) or in a fixed order. The draws use
// only the samplers of distributions.hpp and portable_math.hpp, so they are bitwise identical on every backend;
// market m is the same market whatever the thread count, block split, rank count or backend.
//
// Its solution is the single-market engine's: the table (market_math.hpp), the dynamics from the lowest or highest
// levels with their certificate (equilibrium_math.hpp), the exact optimum (welfare_math.hpp), PoA = SW*/SW, the
// truthful auction (auction_math.hpp) and every pure NE: of every market by the aggregative search
// (market/aggregate_enumeration.hpp), or exhaustively when K^n ≤ enumeration_max_profiles (enumeration_math.hpp):
// worst-equilibrium PoA and PoS. solve_beta (a scenario's market unit) on the same drawn market gives the same
// numbers bit for bit on the host (tests/unit/ensemble/ensemble_test.cpp).
#pragma once

#include <cmath>
#include <cstdint>

#include "ttcgames/core/distributions.hpp"
#include "ttcgames/core/hd.hpp"
#include "ttcgames/core/portable_math.hpp"
#include "ttcgames/core/rng.hpp"
#include "ttcgames/market/aggregate_enumeration.hpp"
#include "ttcgames/market/auction_math.hpp"
#include "ttcgames/market/enumeration_math.hpp"
#include "ttcgames/market/equilibrium_math.hpp"
#include "ttcgames/market/game_math.hpp"
#include "ttcgames/market/market_math.hpp"
#include "ttcgames/market/welfare_math.hpp"

namespace ttcg {

//! Most providers in one market of an ensemble (bound of the per-market arrays).
constexpr int ENSEMBLE_MAX_PROVIDERS = 16;
//! Most levels per provider (and the enumeration's bound).
constexpr int ENSEMBLE_MAX_LEVELS = 16;
//! Most providers in the pool the markets are drawn from.
constexpr int ENSEMBLE_MAX_POOL = 64;

//! Where the dynamics of each market start.
enum class StartLevel { lowest, highest };

//! The Philox keys of the ensemble's streams (made on the host, copied into EnsembleParams).
struct EnsembleKeys {
  rng::Philox4x32Key size, providers, price, beta, markup, alpha, v0;
  static EnsembleKeys make(std::uint64_t seed) {
    return EnsembleKeys{rng::make_key(seed, rng::stream_id("ensemble.size")),
                        rng::make_key(seed, rng::stream_id("ensemble.providers")),
                        rng::make_key(seed, rng::stream_id("ensemble.price")),
                        rng::make_key(seed, rng::stream_id("ensemble.beta")),
                        rng::make_key(seed, rng::stream_id("ensemble.markup")),
                        rng::make_key(seed, rng::stream_id("ensemble.alpha")),
                        rng::make_key(seed, rng::stream_id("ensemble.v0"))};
  }
};

//! Philox stream of the provider order inside market m (replicate m).
constexpr std::uint64_t ENSEMBLE_ORDER_STREAM = rng::stream_id("ensemble.order");

//! Everything a market needs, read-only (built on the host by make_ensemble_problem; pointers into host or device
//! memory). Pool arrays are row-major [pool][K].
struct EnsembleParams {
  int pool_size = 0;
  int K = 0;
  const double* pool_value = nullptr;   //!< f(a_i(k)) of the value curve (dimensionless)
  const double* pool_tokens = nullptr;  //!< billed output tokens per query
  const double* pool_price = nullptr;   //!< USD per million tokens, before jitter
  int min_providers = 1, max_providers = 1;
  dist::DistributionView jitter;  //!< the price factor: fixed 1 (no jitter), uniform or lognormal (mu = 0)
  dist::DistributionView beta, markup, alpha, v0;  //!< fixed, uniform or log-uniform
  double baseline = 0.1;
  DynamicsSettings dynamics;
  bool random_order = true;  //!< Philox order per market, else providers 0..n−1
  StartLevel start = StartLevel::lowest;
  Reserve reserve = Reserve::none;
  bool enumerate_all = false;                 //!< every market's pure NE by the aggregative search
  std::int64_t enumeration_max_profiles = 0;  //!< else exhaustively when K^n ≤ this (0: never)
  double enumeration_log_tol = 0.0;           //!< log(1 + tol) of the equilibrium test
  std::uint64_t seed = 0;
  EnsembleKeys keys;
};

//! The random parts of one market.
struct MarketDraw {
  int n = 0;
  int providers[ENSEMBLE_MAX_PROVIDERS];        //!< pool indices, ascending
  double price_factor[ENSEMBLE_MAX_PROVIDERS];  //!< jitter of each provider's price per token
  double beta = 0.0, markup = 0.0, alpha = 0.0, v0 = 0.0;
};

//! Whether every draw of `d` would give d.a (fixed, or a uniform or log-uniform range of zero width).
TTCG_HD inline bool is_constant(const dist::DistributionView& d) {
  return d.kind == dist::DistributionKind::fixed ||
         ((d.kind == dist::DistributionKind::uniform || d.kind == dist::DistributionKind::log_uniform) && d.a == d.b);
}

//! Market m's value of a per-market parameter (a constant one uses no draw).
TTCG_HD inline double draw_parameter(const dist::DistributionView& d, const rng::Philox4x32Key& key,
                                     std::uint32_t market) {
  if (is_constant(d)) return d.a;
  return dist::sample(d, rng::draw(key, market, 0, 0, 0));
}

//! The draws of market m.
TTCG_HD inline MarketDraw draw_market(const EnsembleParams& p, std::uint32_t market) {
  MarketDraw d;
  const int span = p.max_providers - p.min_providers + 1;
  d.n = p.min_providers;
  if (span > 1) {
    const rng::Philox4x32Ctr w = rng::draw(p.keys.size, market, 0, 0, 0);
    d.n += static_cast<int>(rng::to_bounded(w.v[0], w.v[1], static_cast<std::uint32_t>(span)));
  }
  int pool[ENSEMBLE_MAX_POOL];
  for (int i = 0; i < p.pool_size; ++i) pool[i] = i;
  if (d.n < p.pool_size) {
    for (int s = 0; s < d.n; ++s) {  // partial Fisher–Yates: slot s takes a uniform pick among the rest
      const rng::Philox4x32Ctr w = rng::draw(p.keys.providers, market, 0, static_cast<std::uint32_t>(s), 0);
      const int j = s + static_cast<int>(rng::to_bounded(w.v[0], w.v[1], static_cast<std::uint32_t>(p.pool_size - s)));
      const int t = pool[s];
      pool[s] = pool[j];
      pool[j] = t;
    }
  }
  for (int s = 0; s < d.n; ++s) {  // insertion sort: the market lists its providers in pool order
    int j = s;
    const int v = pool[s];
    for (; j > 0 && d.providers[j - 1] > v; --j) d.providers[j] = d.providers[j - 1];
    d.providers[j] = v;
  }
  for (int s = 0; s < d.n; ++s) {
    const std::uint32_t pool_index = static_cast<std::uint32_t>(d.providers[s]);
    d.price_factor[s] =
        is_constant(p.jitter) ? p.jitter.a : dist::sample(p.jitter, rng::draw(p.keys.price, market, 0, pool_index, 0));
  }
  d.beta = draw_parameter(p.beta, p.keys.beta, market);
  d.markup = draw_parameter(p.markup, p.keys.markup, market);
  d.alpha = draw_parameter(p.alpha, p.keys.alpha, market);
  d.v0 = draw_parameter(p.v0, p.keys.v0, market);
  return d;
}

//! The price of pool provider `pool_index` in USD per million tokens after the market's jitter.
TTCG_HD inline double jittered_usd_per_million(const EnsembleParams& p, int pool_index, double factor) {
  return p.pool_price[pool_index] * factor;
}

//! What one market of an ensemble produced.
struct MarketOutcome {
  MarketDraw draw;
  int equilibrium_profile[ENSEMBLE_MAX_PROVIDERS];  //!< reached by the dynamics
  int optimal_profile[ENSEMBLE_MAX_PROVIDERS];
  DynamicsCounters dynamics;
  double welfare = 0.0;  //!< SW at the reached profile (USD)
  Certificate certificate;
  OptimumValues optimum;
  double price_of_anarchy = 0.0;  //!< SW*/SW
  AuctionValues auction;          //!< clearing indices are market slots (−1: none)
  bool enumerated = false;
  EquilibriumSummary equilibria;  //!< when enumerated
};

//! The per-market table and game arrays, row-major [n][K] (fixed capacity).
struct MarketArrays {
  double x[ENSEMBLE_MAX_PROVIDERS * ENSEMBLE_MAX_LEVELS];
  double log_margin[ENSEMBLE_MAX_PROVIDERS * ENSEMBLE_MAX_LEVELS];
  double W[ENSEMBLE_MAX_PROVIDERS * ENSEMBLE_MAX_LEVELS];
  double q[ENSEMBLE_MAX_PROVIDERS * ENSEMBLE_MAX_LEVELS];
  double c[ENSEMBLE_MAX_PROVIDERS * ENSEMBLE_MAX_LEVELS];
};

//! Builds market m's table and game (build_market_table and Game's arithmetic) and returns its view.
TTCG_HD inline GameView build_ensemble_game(const EnsembleParams& p, const MarketDraw& d, MarketArrays& a) {
  const int K = p.K;
  for (int s = 0; s < d.n; ++s) {
    const int i = d.providers[s];
    const double per_token = usd_per_token(jittered_usd_per_million(p, i, d.price_factor[s]));
    for (int k = 0; k < K; ++k) {
      const LevelEconomics e =
          level_economics(p.pool_value[i * K + k], p.pool_tokens[i * K + k], per_token, d.alpha, p.baseline, d.markup);
      const int at = s * K + k;
      a.q[at] = e.q;
      a.c[at] = e.c;
      a.W[at] = e.W;
      a.x[at] = log_attraction(d.beta, e.V);
      a.log_margin[at] = log_margin(e.margin);
    }
  }
  GameView g;
  g.n = d.n;
  g.K = K;
  g.x = a.x;
  g.log_margin = a.log_margin;
  g.W = a.W;
  g.x0 = d.beta * d.v0;
  g.v0 = d.v0;
  return g;
}

//! K^n when it is at most `limit`, else −1.
TTCG_HD inline std::int64_t bounded_profile_count(int n, int K, std::int64_t limit) {
  std::int64_t total = 1;
  for (int i = 0; i < n; ++i) {
    if (total > limit / K) return -1;
    total *= K;
  }
  return total <= limit ? total : -1;
}

//! Draws and solves market m.
TTCG_HD inline void solve_ensemble_market(const EnsembleParams& p, std::uint32_t market, MarketOutcome& out) {
  out.draw = draw_market(p, market);
  const MarketDraw& d = out.draw;
  MarketArrays arrays;
  const GameView g = build_ensemble_game(p, d, arrays);

  int order[ENSEMBLE_MAX_PROVIDERS];
  std::int64_t last_idle[ENSEMBLE_MAX_PROVIDERS];
  LogSumExp prefix[ENSEMBLE_MAX_PROVIDERS + 1];
  int* profile = out.equilibrium_profile;
  for (int i = 0; i < d.n; ++i) {
    profile[i] = p.start == StartLevel::lowest ? 0 : p.K - 1;
    order[i] = i;
  }
  LogitOracle oracle(g, prefix);
  NoObserver observe;
  if (p.random_order) {
    PhiloxOrder o(p.seed, ENSEMBLE_ORDER_STREAM, market);
    out.dynamics = run_dynamics_loop(oracle, o, p.dynamics, profile, order, last_idle, observe);
  } else {
    FixedOrder o;
    out.dynamics = run_dynamics_loop(oracle, o, p.dynamics, profile, order, last_idle, observe);
  }
  out.welfare = social_welfare(g, profile);
  double steps[ENSEMBLE_MAX_PROVIDERS];
  out.certificate = logit_certificate(g, profile, steps);
  out.optimum = dinkelbach_optimum(g, out.optimal_profile, order);
  out.price_of_anarchy = welfare_ratio(out.optimum.welfare, out.welfare);

  int level[ENSEMBLE_MAX_PROVIDERS];
  double score[ENSEMBLE_MAX_PROVIDERS];
  out.auction = truthful_auction(d.n, p.K, arrays.q, arrays.c, arrays.W, p.reserve, d.v0, level, score);

  out.equilibria = EquilibriumSummary{};
  if (p.enumerate_all) {
    out.enumerated = p.K <= ENUMERATION_MAX_LEVELS;
    if (out.enumerated) {
      AggregateSearchStorage<ENSEMBLE_MAX_PROVIDERS, ENSEMBLE_MAX_LEVELS> storage;
      out.equilibria = summarize_by_aggregate<ENSEMBLE_MAX_PROVIDERS>(g, p.enumeration_log_tol, storage.space());
    }
    return;
  }
  const std::int64_t profiles = bounded_profile_count(d.n, p.K, p.enumeration_max_profiles);
  out.enumerated = profiles > 0 && p.K <= ENUMERATION_MAX_LEVELS;
  if (out.enumerated) out.equilibria = scan_equilibria(g, p.enumeration_log_tol, profiles / p.K, order);
}

}  // namespace ttcg
