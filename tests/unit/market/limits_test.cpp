// Numerical range and the limits of docs/model.md §2: β from 1e-3 to 1e9 and large |v0| give no NaN or inf; as
// β→0 every provider plays its highest-token level and shares are uniform; as β→∞ the share concentrates on the
// highest user value. Also the closed forms of the value curves and the table arithmetic.
#include <gtest/gtest.h>

#include <cmath>

#include "random_market.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/equilibrium.hpp"
#include "ttcgames/market/game_math.hpp"
#include "ttcgames/market/welfare.hpp"

namespace {

constexpr double CLOSED_FORM_TOLERANCE = 1e-14;

TEST(Limits, SoftplusAndLogSumExpAreStable) {
  for (const double t : {-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0}) {
    const double naive = t < 700 ? std::log1p(std::exp(t)) : t;
    EXPECT_NEAR(ttcg::softplus(t), naive, CLOSED_FORM_TOLERANCE * std::max(1.0, std::fabs(t))) << t;
    EXPECT_TRUE(std::isfinite(ttcg::log_sigmoid(t)));
  }
  ttcg::LogSumExp lse;
  for (const double v : {1e5, -1e5, 1e5 - 1.0, 3.0}) lse.add(v);
  EXPECT_NEAR(lse.value(), 1e5 + std::log1p(std::exp(-1.0)), 1e-10);
}

TEST(Limits, NoNaNOrInfForExtremeBetaAndOutsideOption) {
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    const ttcg::MarketTable base = ttcg::testing_support::random_market(seed, {.monotone = true});
    for (const double v0 : {0.0, -1e3, 1e3, 0.003}) {
      ttcg::MarketTable t = base;
      t.params.v0 = v0;
      for (const double beta : {0.0, 1e-3, 1.0, 1e3, 1e6, 1e9}) {
        const ttcg::Game game(t, beta);
        ttcg::DynamicsOptions o;
        o.rule = ttcg::DynamicsRule::best_response;
        const ttcg::DynamicsResult r = ttcg::run_dynamics(game, o);
        const auto shares = game.shares(r.profile);
        double total = game.outside_share(r.profile);
        for (const double s : shares) {
          ASSERT_TRUE(std::isfinite(s)) << "seed " << seed << " beta " << beta << " v0 " << v0;
          total += s;
        }
        ASSERT_NEAR(total, 1.0, 1e-12);
        ASSERT_TRUE(std::isfinite(game.welfare(r.profile)));
        ASSERT_FALSE(std::isnan(game.potential(r.profile)));
        const ttcg::Optimum opt = ttcg::exact_optimum(game);
        ASSERT_TRUE(std::isfinite(opt.welfare));
        ASSERT_LE(opt.gap, 1e-12 * std::max(1.0, std::fabs(opt.welfare))) << "seed " << seed << " beta " << beta;
        ASSERT_FALSE(std::isnan(ttcg::certify(game, r.profile).max_relative_regret));
      }
    }
  }
}

TEST(Limits, SmallBetaPlaysTheHighestTokenLevelWithUniformShares) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const ttcg::MarketTable t = ttcg::testing_support::random_market(seed);
    const ttcg::Game game(t, 1e-9);
    const ttcg::EquilibriumSet set = ttcg::enumerate_equilibria(game);
    ASSERT_EQ(set.count, 1) << "seed " << seed << ": the highest-token level is strictly dominant";
    const ttcg::Profile& p = set.stored.at(0);
    for (int i = 0; i < t.n; ++i) {
      int most = 0;
      for (int k = 1; k < t.K; ++k)
        if (t.tokens[t.at(i, k)] > t.tokens[t.at(i, most)]) most = k;
      ASSERT_EQ(p[i], most) << "seed " << seed << " provider " << i;
    }
    for (const double s : game.shares(p)) ASSERT_NEAR(s, 1.0 / (t.n + 1), 1e-6);
  }
}

TEST(Limits, LargeBetaConcentratesOnTheHighestValue) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    ttcg::MarketTable t = ttcg::testing_support::random_market(seed);
    t.params.v0 = 0.0;
    const ttcg::Game game(t, 1e9);
    ttcg::DynamicsOptions o;
    o.rule = ttcg::DynamicsRule::best_response;
    const ttcg::DynamicsResult r = ttcg::run_dynamics(game, o);
    int top = 0;
    for (int i = 1; i < t.n; ++i)
      if (t.V[t.at(i, r.profile[i])] > t.V[t.at(top, r.profile[top])]) top = i;
    const auto s = game.shares(r.profile);
    if (t.V[t.at(top, r.profile[top])] > 0.0) {
      ASSERT_NEAR(s[top], 1.0, 1e-9) << "seed " << seed;
    }
    ASSERT_NEAR(game.welfare(r.profile), t.W[t.at(top, r.profile[top])], 1e-9) << "seed " << seed;
  }
}

TEST(ValueCurves, ClosedForms) {
  ttcg::ValueCurve linear, power{ttcg::ValueCurveKind::power, 3.5, 6.0}, exp{ttcg::ValueCurveKind::exp, 3.5, 6.0};
  for (const double a : {0.0, 0.25, 0.5, 1.0}) {
    EXPECT_EQ(linear(a), a);
    EXPECT_NEAR(power(a), std::pow(a, 3.5), CLOSED_FORM_TOLERANCE);
    EXPECT_NEAR(exp(a), (std::exp(6.0 * a) - 1.0) / (std::exp(6.0) - 1.0), CLOSED_FORM_TOLERANCE);
  }
  EXPECT_EQ(power(1.0), 1.0);
  EXPECT_NEAR(exp(1.0), 1.0, CLOSED_FORM_TOLERANCE);
}

TEST(MarketTable, ReferenceArithmetic) {
  ttcg::ProviderSet set{{1.0, 4.0}, {{"A", {0.5, 0.8}, {200.0, 800.0}, 0.15}}};
  ttcg::MarketParams m;
  m.alpha = 0.008;
  m.markup = 0.25;
  const ttcg::MarketTable t = ttcg::build_market_table(set, m);
  const double p = 800.0 * (0.15 / 1e6);
  EXPECT_EQ(t.p[1], p);
  EXPECT_EQ(t.c[1], p / 1.25);
  EXPECT_EQ(t.q[1], 0.008 * (0.1 + 0.9 * 0.8));
  EXPECT_EQ(t.V[1], t.q[1] - p);
  EXPECT_EQ(t.W[1], t.q[1] - t.c[1]);
  EXPECT_NEAR(t.margin[1], p * 0.25 / 1.25, 1e-20);
}

// A symmetric 3-player game (identical providers): the set of equilibria is closed under permuting providers.
TEST(KnownGames, SymmetricGameHasPermutationClosedEquilibria) {
  for (const double beta : {10.0, 300.0, 3000.0}) {
    ttcg::ProviderCurves p{"X", {0.5, 0.7, 0.8}, {200.0, 800.0, 1600.0}, 0.1};
    ttcg::ProviderSet set{{1.0, 4.0, 8.0}, {p, p, p}};
    set.providers[1].name = "Y";
    set.providers[2].name = "Z";
    ttcg::MarketParams m;
    m.alpha = 0.01;
    const ttcg::MarketTable t = ttcg::build_market_table(set, m);
    const ttcg::Game game(t, beta);
    const ttcg::EquilibriumSet s = ttcg::enumerate_equilibria(game);
    ASSERT_GE(s.count, 1);
    for (ttcg::Profile q : s.stored) {
      std::sort(q.begin(), q.end());
      do {
        ASSERT_TRUE(std::binary_search(s.stored.begin(), s.stored.end(), q)) << "beta " << beta;
      } while (std::next_permutation(q.begin(), q.end()));
    }
  }
}

}  // namespace
