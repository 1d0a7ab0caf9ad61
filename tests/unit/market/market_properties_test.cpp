// Properties of the market engine on thousands of random small markets (the seed is printed on failure).
#include <gtest/gtest.h>

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "random_market.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/equilibrium.hpp"
#include "ttcgames/market/welfare.hpp"

namespace {

using ttcg::testing_support::random_beta;
using ttcg::testing_support::random_market;

constexpr int RANDOM_MARKETS = 2000;
//! Two evaluations of the same welfare by different summation orders/shifts agree to this relative accuracy.
constexpr double WELFARE_RELATIVE_TOLERANCE = 1e-12;
//! The dynamics' and the enumeration's relative tolerance (the reference implementation's).
constexpr double EQUILIBRIUM_TOLERANCE = 1e-8;

double rel_diff(double a, double b) {
  return std::fabs(a - b) / std::max(std::fabs(b), 1e-300);
}

TEST(MarketProperties, ExactOptimumEqualsExhaustiveOptimum) {
  for (std::uint64_t seed = 0; seed < RANDOM_MARKETS; ++seed) {
    const ttcg::MarketTable t = random_market(seed);
    const ttcg::Game game(t, random_beta(seed));
    const ttcg::Optimum exact = ttcg::exact_optimum(game);
    const ttcg::Optimum oracle = ttcg::exhaustive_optimum(game);
    ASSERT_LE(rel_diff(exact.welfare, oracle.welfare), WELFARE_RELATIVE_TOLERANCE)
        << "seed " << seed << " beta " << game.beta() << ": Dinkelbach " << exact.welfare << " vs exhaustive "
        << oracle.welfare;
    ASSERT_NEAR(game.welfare(exact.profile), exact.welfare, 0.0) << "seed " << seed;
    ASSERT_LE(exact.gap, WELFARE_RELATIVE_TOLERANCE * std::fabs(exact.welfare) + 1e-300) << "seed " << seed;
  }
}

TEST(MarketProperties, ExhaustiveOptimumIsTheMaximumOverAllProfiles) {
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    const ttcg::MarketTable t = random_market(seed);
    const ttcg::Game game(t, random_beta(seed));
    const ttcg::Optimum oracle = ttcg::exhaustive_optimum(game);
    const std::int64_t total = ttcg::profile_count(t.n, t.K);
    ttcg::Profile p(t.n);
    for (std::int64_t index = 0; index < total; ++index) {
      ttcg::decode_profile(index, t.n, t.K, p.data());
      ASSERT_LE(game.welfare(p), oracle.welfare * (1 + WELFARE_RELATIVE_TOLERANCE) + 1e-300)
          << "seed " << seed << " profile " << index;
    }
  }
}

TEST(MarketProperties, DynamicsEndWithZeroRegretAndIncreasingPotential) {
  for (std::uint64_t seed = 0; seed < RANDOM_MARKETS; ++seed) {
    const ttcg::MarketTable t = random_market(seed);
    const ttcg::Game game(t, random_beta(seed));
    for (const ttcg::DynamicsRule rule : {ttcg::DynamicsRule::reference, ttcg::DynamicsRule::best_response}) {
      for (const ttcg::ProviderOrder order :
           {ttcg::ProviderOrder::random, ttcg::ProviderOrder::reference, ttcg::ProviderOrder::fixed}) {
        ttcg::DynamicsOptions o;
        o.rule = rule;
        o.order = order;
        o.seed = seed;
        o.record_history = true;
        const ttcg::DynamicsResult r = ttcg::run_dynamics(game, o);
        ASSERT_TRUE(r.converged) << "seed " << seed;
        for (std::size_t h = 1; h < r.potential.size(); ++h)
          ASSERT_GT(r.potential[h], r.potential[h - 1]) << "seed " << seed << " move " << h;
        ASSERT_EQ(r.history.size(), static_cast<std::size_t>(r.moves + 1));
        const ttcg::Certificate cert = ttcg::certify(game, r.profile);
        if (rule == ttcg::DynamicsRule::best_response) {
          ASSERT_TRUE(ttcg::is_equilibrium(cert, EQUILIBRIUM_TOLERANCE))
              << "seed " << seed << " relative regret " << cert.max_relative_regret;
        } else {
          // The reference rule ignores gains below absolute_tolerance when a utility underflows to 0 in double
          // precision; otherwise its end point is an equilibrium at the relative tolerance.
          ASSERT_LE(cert.max_regret, o.absolute_tolerance) << "seed " << seed;
          bool underflow = false;
          for (int i = 0; i < t.n; ++i) underflow |= o.relative_tolerance * game.utility(r.profile, i) == 0.0;
          if (!underflow) {
            ASSERT_TRUE(ttcg::is_equilibrium(cert, EQUILIBRIUM_TOLERANCE))
                << "seed " << seed << " relative regret " << cert.max_relative_regret;
          }
        }
      }
    }
  }
}

TEST(MarketProperties, EquilibriumWelfareIsBracketedByTheEnumeration) {
  for (std::uint64_t seed = 0; seed < RANDOM_MARKETS; ++seed) {
    const ttcg::MarketTable t = random_market(seed);
    const ttcg::Game game(t, random_beta(seed));
    ttcg::DynamicsOptions o;
    o.rule = ttcg::DynamicsRule::best_response;
    o.seed = seed;
    const ttcg::DynamicsResult r = ttcg::run_dynamics(game, o);
    const ttcg::EquilibriumSet set = ttcg::enumerate_equilibria(game);
    const double reached = game.welfare(r.profile);
    const double optimum = ttcg::exact_optimum(game).welfare;
    ASSERT_GE(set.count, 1) << "seed " << seed << ": a potential game has a pure equilibrium";
    ASSERT_TRUE(std::binary_search(set.stored.begin(), set.stored.end(), r.profile))
        << "seed " << seed << ": the reached equilibrium is missing from the enumeration";
    ASSERT_LE(set.worst_welfare, reached) << "seed " << seed;
    ASSERT_LE(reached, set.best_welfare) << "seed " << seed;
    ASSERT_LE(set.best_welfare, optimum * (1 + WELFARE_RELATIVE_TOLERANCE)) << "seed " << seed;
    // Every enumerated profile passes the independent certificate.
    for (const ttcg::Profile& p : set.stored)
      ASSERT_TRUE(ttcg::is_equilibrium(ttcg::certify(game, p), EQUILIBRIUM_TOLERANCE * (1 + 1e-6)))
          << "seed " << seed << " profile " << ttcg::encode_profile(p.data(), t.n, t.K);
  }
}

TEST(MarketProperties, EnumerationFindsEveryProfileTheCertificateAccepts) {
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    const ttcg::MarketTable t = random_market(seed);
    const ttcg::Game game(t, random_beta(seed, -2.0, 4.0));
    const ttcg::EquilibriumSet set = ttcg::enumerate_equilibria(game);
    const std::int64_t total = ttcg::profile_count(t.n, t.K);
    std::int64_t certified = 0;
    ttcg::Profile p(t.n);
    for (std::int64_t index = 0; index < total; ++index) {
      ttcg::decode_profile(index, t.n, t.K, p.data());
      // Strictly inside or outside the tolerance (profiles at the boundary may go either way).
      const double regret = ttcg::certify(game, p).max_relative_regret;
      if (regret <= EQUILIBRIUM_TOLERANCE * 0.999) {
        ++certified;
        ASSERT_TRUE(std::binary_search(set.stored.begin(), set.stored.end(), p))
            << "seed " << seed << " profile " << index;
      } else if (regret > EQUILIBRIUM_TOLERANCE * 1.001) {
        ASSERT_FALSE(std::binary_search(set.stored.begin(), set.stored.end(), p))
            << "seed " << seed << " profile " << index;
      }
    }
    ASSERT_GE(set.count, certified) << "seed " << seed;
  }
}

TEST(MarketProperties, ResultsDoNotDependOnTheThreadCount) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const ttcg::MarketTable t = random_market(seed, {.min_providers = 5, .max_providers = 7});
    const ttcg::Game game(t, random_beta(seed));
    ttcg::EnumerationOptions oracle;  // the parallel one
    oracle.algorithm = ttcg::EnumerationAlgorithm::exhaustive;
    omp_set_num_threads(1);
    const ttcg::EquilibriumSet a = ttcg::enumerate_equilibria(game, oracle);
    const ttcg::Optimum oa = ttcg::exhaustive_optimum(game);
    omp_set_num_threads(3);
    const ttcg::EquilibriumSet b = ttcg::enumerate_equilibria(game, oracle);
    const ttcg::Optimum ob = ttcg::exhaustive_optimum(game);
    omp_set_num_threads(2);
    ASSERT_EQ(a.stored, b.stored) << "seed " << seed;
    ASSERT_EQ(a.worst_welfare, b.worst_welfare) << "seed " << seed;
    ASSERT_EQ(oa.profile, ob.profile) << "seed " << seed;
    ASSERT_EQ(oa.welfare, ob.welfare) << "seed " << seed;
  }
}

}  // namespace

namespace {

TEST(MarketProperties, WindowEnumerationEqualsTheDirectTest) {
  for (std::uint64_t seed = 0; seed < RANDOM_MARKETS / 4; ++seed) {
    const ttcg::MarketTable t = random_market(seed, {.min_providers = 2, .max_providers = 6});
    const double beta = seed % 10 == 0 ? 0.0 : random_beta(seed, -3.0, 9.0);
    const ttcg::Game game(t, beta);
    ttcg::EnumerationOptions fast, direct;
    fast.algorithm = ttcg::EnumerationAlgorithm::windows;
    direct.algorithm = ttcg::EnumerationAlgorithm::direct;
    fast.relative_tolerance = direct.relative_tolerance = seed % 3 == 0 ? 0.0 : EQUILIBRIUM_TOLERANCE;
    const ttcg::EquilibriumSet a = ttcg::enumerate_equilibria(game, fast);
    const ttcg::EquilibriumSet b = ttcg::enumerate_equilibria(game, direct);
    ASSERT_EQ(a.count, b.count) << "seed " << seed << " beta " << beta;
    ASSERT_EQ(a.stored, b.stored) << "seed " << seed;
    ASSERT_EQ(a.worst_profile, b.worst_profile) << "seed " << seed;
    ASSERT_EQ(a.best_profile, b.best_profile) << "seed " << seed;
  }
}

}  // namespace
