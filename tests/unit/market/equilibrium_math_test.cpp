// The shared per-market dynamics (equilibrium_math.hpp): the logit oracle's cached aggregates, the loop against a
// plain transcription of the reference rule (from-scratch aggregates, every visit evaluated), and the oracle
// certificate against the independent one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "random_market.hpp"
#include "ttcgames/core/rng.hpp"
#include "ttcgames/market/equilibrium.hpp"

namespace {

using namespace ttcg;
using testing_support::random_beta;
using testing_support::random_market;

constexpr int MARKETS = 150;

//! The dynamics as model.md §2.1 states them, with nothing cached: the definition the shared loop must equal.
DynamicsResult plain_dynamics(const Game& game, const DynamicsOptions& o) {
  const GameView g = game.view();
  DynamicsResult r;
  r.profile = o.start.empty() ? Profile(g.n, 0) : o.start;
  std::vector<int> order(g.n);
  std::iota(order.begin(), order.end(), 0);
  PythonRandom python(o.seed);
  const PhiloxOrder philox(o.seed);
  for (int round = 0; round < o.max_rounds; ++round) {
    if (o.order == ProviderOrder::random) philox.shuffle(round, order.data(), g.n);
    if (o.order == ProviderOrder::reference) python.shuffle(order);
    bool moved = false;
    for (const int i : order) {
      ++r.turns;
      const double log_a = log_aggregate(g, r.profile.data(), i);
      const int current = r.profile[i];
      const double log_u = log_utility(g, i, current, log_a);
      int next = current;
      if (o.rule == DynamicsRule::reference) {
        const double threshold = o.relative_tolerance * std::exp(log_u) == 0.0
                                     ? std::log(o.absolute_tolerance)
                                     : log_u + std::log1p(o.relative_tolerance);
        for (int d = 1; d < g.K && next == current; ++d) {
          if (current - d >= 0 && log_utility(g, i, current - d, log_a) > threshold)
            next = current - d;
          else if (current + d < g.K && log_utility(g, i, current + d, log_a) > threshold)
            next = current + d;
        }
      } else {
        int best = current;
        double best_log_u = -INFINITY;
        for (int k = 0; k < g.K; ++k)
          if (log_utility(g, i, k, log_a) > best_log_u) best_log_u = log_utility(g, i, k, log_a), best = k;
        if (best_log_u > log_u + std::log1p(o.relative_tolerance)) next = best;
      }
      if (next == current) continue;
      r.profile[i] = next;
      moved = true;
      ++r.moves;
    }
    r.rounds = round + 1;
    if (!moved) {
      r.converged = true;
      break;
    }
  }
  return r;
}

TEST(EquilibriumMath, LogitOracleAggregatesEqualFromScratchSums) {
  for (std::uint64_t seed = 0; seed < MARKETS; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const MarketTable t = random_market(seed);
    const Game game(t, random_beta(seed));
    const GameView g = game.view();
    std::vector<LogSumExp> prefix(g.n + 1);
    LogitOracle oracle(g, prefix.data());
    Profile p(g.n, 0);
    oracle.reset(p.data());
    const rng::Philox4x32Key key = rng::make_key(seed, rng::stream_id("test.moves"));
    for (std::uint32_t step = 0; step < 20; ++step) {
      const rng::Philox4x32Ctr r = rng::draw(key, 0, step, 0, 0);
      const int i = static_cast<int>(r.v[0] % static_cast<std::uint32_t>(g.n));
      p[i] = static_cast<int>(r.v[1] % static_cast<std::uint32_t>(g.K));
      oracle.moved(p.data(), i);
      for (int j = 0; j < g.n; ++j) {
        oracle.prepare(p.data(), j);
        const double log_a = log_aggregate(g, p.data(), j);
        for (int k = 0; k < g.K; ++k) ASSERT_EQ(oracle.log_utility(j, k), log_utility(g, j, k, log_a));
      }
    }
  }
}

TEST(EquilibriumMath, SharedLoopEqualsThePlainDefinition) {
  for (std::uint64_t seed = 0; seed < MARKETS; ++seed) {
    const MarketTable t = random_market(seed, {.max_providers = 6, .monotone = seed % 2 == 0});
    const Game game(t, random_beta(seed));
    for (const DynamicsRule rule : {DynamicsRule::reference, DynamicsRule::best_response}) {
      for (const ProviderOrder order : {ProviderOrder::random, ProviderOrder::reference, ProviderOrder::fixed}) {
        SCOPED_TRACE("seed " + std::to_string(seed) + ", " + to_string(rule) + ", " + to_string(order));
        DynamicsOptions o;
        o.rule = rule;
        o.order = order;
        o.seed = seed;
        if (seed % 3 == 0) o.start.assign(t.n, t.K - 1);
        const DynamicsResult shared = run_dynamics(game, o);
        const DynamicsResult plain = plain_dynamics(game, o);
        EXPECT_EQ(shared.profile, plain.profile);
        EXPECT_EQ(shared.rounds, plain.rounds);
        EXPECT_EQ(shared.turns, plain.turns);
        EXPECT_EQ(shared.moves, plain.moves);
        EXPECT_EQ(shared.converged, plain.converged);
      }
    }
  }
}

//! Relative agreement of the oracle certificate (log σ form) and the independent one (full aggregate per deviation).
constexpr double CERTIFICATE_AGREEMENT = 1e-9;

TEST(EquilibriumMath, OracleCertificateAgreesWithTheIndependentCertificate) {
  for (std::uint64_t seed = 0; seed < MARKETS; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const MarketTable t = random_market(seed);
    const Game game(t, random_beta(seed, -2.0, 4.0));
    const GameView g = game.view();
    std::vector<LogSumExp> prefix(g.n + 1);
    LogitOracle oracle(g, prefix.data());
    Profile p(g.n);
    for (int i = 0; i < g.n; ++i) p[i] = static_cast<int>((seed + 3 * i) % static_cast<std::uint64_t>(g.K));
    const Certificate a = oracle_certificate(oracle, p.data());
    const Certificate b = certify(game, p);
    EXPECT_NEAR(a.max_regret, b.max_regret, CERTIFICATE_AGREEMENT * b.max_regret);
    EXPECT_NEAR(a.max_relative_regret, b.max_relative_regret, CERTIFICATE_AGREEMENT * b.max_relative_regret);
    if (b.max_relative_regret > 1e-6) {
      EXPECT_EQ(a.worst_provider, b.worst_provider);
    }
  }
}

TEST(EquilibriumMath, HistoryRecordsEveryMoveWithItsPotential) {
  const MarketTable t = random_market(7, {.min_providers = 4, .max_providers = 4, .monotone = true});
  const Game game(t, 500.0);
  DynamicsOptions o;
  o.record_history = true;
  const DynamicsResult r = run_dynamics(game, o);
  ASSERT_EQ(r.history.size(), static_cast<std::size_t>(r.moves) + 1);
  ASSERT_EQ(r.potential.size(), r.history.size());
  EXPECT_EQ(r.history.back(), r.profile);
  for (std::size_t h = 0; h < r.history.size(); ++h) EXPECT_EQ(r.potential[h], game.potential(r.history[h]));
}

}  // namespace
