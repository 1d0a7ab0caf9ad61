// The structural enumeration of all pure equilibria (market/aggregate_enumeration.hpp) against the exhaustive oracle:
// on 10^4 random small markets with ties (duplicate levels, duplicate providers, zero margins, zero tolerance,
// β = 0 and 1e9, large outside options), at the tolerance boundary, on the nine paper markets at every β (live for the
// reasoning markets and the listed β, and against the exhaustive results recorded in tests/data/golden/paper.h5 for all
// 103 β), and on markets far beyond exhaustive reach. Every equilibrium found is certified by the independent regret
// function. Seeds are printed on failure.
#include "ttcgames/market/aggregate_enumeration.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "ttcgames/core/error.hpp"
#include "ttcgames/io/h5.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/equilibrium.hpp"
#include "ttcgames/run/scenario.hpp"

namespace {

using namespace ttcg;

//! Random markets of the property test.
constexpr int PROPERTY_MARKETS = 10'000;
//! Largest K^n of a property-test market (keeps the exhaustive oracle, and the suite, fast).
constexpr std::int64_t PROPERTY_MAX_PROFILES = 6 * 6 * 6 * 6 * 6;
//! The equilibrium tolerance of the scenarios (the reference implementation's).
constexpr double EQUILIBRIUM_TOLERANCE = 1e-8;
//! The certificate's relative regret of an equilibrium at tolerance tol stays below tol·(1 + this) + this: the
//! certificate sums the aggregates in another order than the test, which moves the last bits.
constexpr double CERTIFICATE_ROUNDING = 1e-9;

//! A random market with ties: levels copied within a provider, providers copied, sometimes a zero markup (every
//! margin zero: every profile is an equilibrium).
struct TiedMarket {
  MarketTable table;
  double beta = 0.0;
  double tolerance = 0.0;
};

TiedMarket tied_market(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int n = 0, K = 0;
  do {
    n = pick(1, 7);
    K = pick(1, 6);
  } while (profile_count(n, K) > PROPERTY_MAX_PROFILES);
  ProviderSet set;
  for (int k = 0; k < K; ++k) set.theta.push_back(std::pow(2.0, k));
  const bool monotone = u(rng) < 0.5;
  for (int i = 0; i < n; ++i) {
    ProviderCurves p;
    p.name = "P" + std::to_string(i);
    if (i > 0 && u(rng) < 0.15) {  // a copy of an earlier provider
      p = set.providers[static_cast<std::size_t>(pick(0, i - 1))];
      p.name = "P" + std::to_string(i);
      set.providers.push_back(p);
      continue;
    }
    p.usd_per_million_tokens = 0.05 + 0.3 * u(rng);
    double acc = 0.2 + 0.5 * u(rng), tokens = 100.0 + 400.0 * u(rng);
    for (int k = 0; k < K; ++k) {
      if (k > 0 && u(rng) < 0.15) {  // a duplicate of the previous level
        p.accuracy.push_back(p.accuracy.back());
        p.tokens.push_back(p.tokens.back());
        continue;
      }
      if (monotone) {
        acc = std::min(1.0, acc + 0.1 * u(rng));
        tokens *= 1.5 + 2.0 * u(rng);
      } else {
        acc = u(rng);
        tokens = 50.0 + 20000.0 * u(rng);
      }
      p.accuracy.push_back(acc);
      p.tokens.push_back(tokens);
    }
    set.providers.push_back(p);
  }
  MarketParams m;
  m.alpha = 0.005 + 0.05 * u(rng);
  m.markup = u(rng) < 0.03 ? 0.0 : 0.05 + 0.5 * u(rng);
  const double v = u(rng);
  m.v0 = v < 0.02 ? (u(rng) - 0.5) : v < 0.3 ? (u(rng) - 0.3) * 0.01 : 0.0;  // sometimes |v0| far above any V
  TiedMarket out;
  out.table = build_market_table(set, m);
  const double r = u(rng);
  // β = 0 or 1e9 (log-attractions of 1e7) now and then, else log-uniform in [1e-2, 1e7].
  out.beta = r < 0.02 ? 0.0 : r < 0.04 ? 1e9 : std::pow(10.0, -2.0 + 9.0 * u(rng));
  out.tolerance = u(rng) < 0.2 ? 0.0 : EQUILIBRIUM_TOLERANCE;
  return out;
}

void expect_certified(const Game& game, const EquilibriumSet& set, double tolerance, const std::string& what) {
  for (const Profile& p : set.stored) {
    const Certificate c = certify(game, p);
    ASSERT_LE(c.max_relative_regret, tolerance * (1.0 + CERTIFICATE_ROUNDING) + CERTIFICATE_ROUNDING)
        << what << ": a stored equilibrium fails its certificate";
  }
}

void expect_same_set(const EquilibriumSet& a, const EquilibriumSet& b, const std::string& what) {
  ASSERT_EQ(a.count, b.count) << what;
  ASSERT_EQ(a.stored, b.stored) << what;
  ASSERT_EQ(a.worst_profile, b.worst_profile) << what;
  ASSERT_EQ(a.best_profile, b.best_profile) << what;
  if (a.count > 0) {
    ASSERT_EQ(a.worst_welfare, b.worst_welfare) << what;
    ASSERT_EQ(a.best_welfare, b.best_welfare) << what;
  }
}

TEST(AggregateEnumeration, EqualsTheExhaustiveOracleOnRandomMarketsWithTies) {
  std::int64_t equilibria = 0, with_several = 0, zero_margin = 0;
  for (std::uint64_t seed = 0; seed < PROPERTY_MARKETS; ++seed) {
    const TiedMarket m = tied_market(seed);
    const Game game(m.table, m.beta);
    EnumerationOptions structural, oracle;
    structural.relative_tolerance = oracle.relative_tolerance = m.tolerance;
    oracle.algorithm = EnumerationAlgorithm::direct;
    const EquilibriumSet a = enumerate_equilibria(game, structural);
    const EquilibriumSet b = enumerate_equilibria(game, oracle);
    const std::string what = "seed " + std::to_string(seed) + " (n = " + std::to_string(m.table.n) +
                             ", K = " + std::to_string(m.table.K) + ", beta = " + std::to_string(m.beta) +
                             ", tol = " + std::to_string(m.tolerance) + ")";
    expect_same_set(a, b, what);
    expect_certified(game, a, m.tolerance, what);
    equilibria += a.count;
    with_several += a.count > 1;
    zero_margin += m.table.params.markup == 0.0;
  }
  // The generator reaches the hard cases: many equilibria, several per market, every profile an equilibrium.
  EXPECT_GT(with_several, PROPERTY_MARKETS / 100);
  EXPECT_GT(zero_margin, 0);
  EXPECT_GT(equilibria, PROPERTY_MARKETS);
}

TEST(AggregateEnumeration, EqualsTheExhaustiveOracleAtTheToleranceBoundary) {
  // The tolerance is set to the largest gain of some profile's providers, so that profile (and others near it) sits
  // on the boundary of the test, where only the exact comparison decides; then one ulp either side of it.
  constexpr int BOUNDARY_MARKETS = 600;
  std::int64_t at_boundary = 0;
  for (std::uint64_t seed = 0; seed < BOUNDARY_MARKETS; ++seed) {
    const TiedMarket m = tied_market(seed + 1'000'000);
    const Game game(m.table, m.beta);
    const GameView g = game.view();
    std::mt19937_64 rng(seed);
    Profile p(static_cast<std::size_t>(g.n));
    for (int& k : p) k = std::uniform_int_distribution<int>(0, g.K - 1)(rng);
    double gain = 0.0;  // largest log-utility gain of a deviation at p
    for (int i = 0; i < g.n; ++i) {
      const double L = log_aggregate(g, p.data(), i);
      for (int k = 0; k < g.K; ++k)
        gain = std::max(gain, log_utility(g, i, k, L) - log_utility(g, i, p[static_cast<std::size_t>(i)], L));
    }
    if (!(gain > 0.0 && std::isfinite(gain))) continue;
    const double tol = std::expm1(gain);
    for (const double t : {tol, std::nextafter(tol, 0.0), std::nextafter(tol, INFINITY)}) {
      EnumerationOptions structural, oracle;
      structural.relative_tolerance = oracle.relative_tolerance = t;
      oracle.algorithm = EnumerationAlgorithm::direct;
      const EquilibriumSet a = enumerate_equilibria(game, structural);
      expect_same_set(a, enumerate_equilibria(game, oracle),
                      "seed " + std::to_string(seed) + " tol " + std::to_string(t));
      at_boundary += std::binary_search(a.stored.begin(), a.stored.end(), p);
    }
  }
  EXPECT_GT(at_boundary, BOUNDARY_MARKETS / 2) << "the boundary profile is mostly an equilibrium at its own gain";
}

Scenario paper(const std::string& name) {
  return load_scenario(std::string(TTCG_INPUTS_DIR) + "/paper/" + name + ".toml");
}

const std::vector<std::string> PAPER = {"gsm8k-majority", "gsm8k-best-of-n", "gsm8k-reasoning",
                                        "aime-majority",  "aime-best-of-n",  "aime-reasoning",
                                        "gpqa-majority",  "gpqa-best-of-n",  "gpqa-reasoning"};

TEST(AggregateEnumeration, EqualsTheExhaustiveOracleOnThePaperMarkets) {
  // Live: the 3-provider reasoning markets at every β, the 9-provider markets (1e7 profiles) at one listed β.
  for (const std::string& name : PAPER) {
    const Scenario s = paper(name);
    const MarketTable t = build_market_table(s.providers, s.market);
    const std::vector<double> betas = t.n <= 3 ? s.betas() : std::vector<double>{s.beta_values.at(1)};
    for (const double beta : betas) {
      const Game game(t, beta);
      EnumerationOptions oracle = s.enumeration;
      oracle.algorithm = EnumerationAlgorithm::exhaustive;
      const EquilibriumSet a = enumerate_equilibria(game, s.enumeration);
      expect_same_set(a, enumerate_equilibria(game, oracle), name + " beta " + std::to_string(beta));
    }
  }
}

TEST(AggregateEnumeration, EqualsTheRecordedExhaustiveResultsAtEveryPaperBeta) {
  // tests/data/golden/paper.h5 was written by the exhaustive enumeration (the README's main job).
  const h5::File file = h5::File::open_read(std::string(TTCG_TEST_DATA_DIR) + "/golden/paper.h5");
  int checked = 0;
  for (const std::string& name : PAPER) {
    const Scenario s = paper(name);
    const MarketTable t = build_market_table(s.providers, s.market);
    const h5::Group g = file.root().open_group("market/" + name);
    const std::vector<double> beta = g.read_f64("beta", {h5::ANY});
    const std::vector<std::int64_t> count = g.read_i64("num_equilibria", {h5::ANY});
    const std::vector<double> worst = g.read_f64("worst_equilibrium_welfare", {h5::ANY});
    const std::vector<double> best = g.read_f64("best_equilibrium_welfare", {h5::ANY});
    const std::vector<std::int32_t> worst_profile = g.read_i32("worst_equilibrium_profile", {h5::ANY, h5::ANY});
    const std::vector<std::int32_t> stored = g.read_i32("equilibria", {h5::ANY, h5::ANY});
    const std::vector<std::int64_t> offsets = g.read_i64("equilibria_offsets", {h5::ANY});
    ASSERT_EQ(beta, s.betas()) << name;
    for (std::size_t j = 0; j < beta.size(); ++j) {
      const std::string what = name + " beta " + std::to_string(beta[j]);
      const Game game(t, beta[j]);
      const EquilibriumSet a = enumerate_equilibria(game, s.enumeration);
      ASSERT_EQ(a.count, count[j]) << what;
      ASSERT_EQ(a.worst_welfare, worst[j]) << what;
      ASSERT_EQ(a.best_welfare, best[j]) << what;
      const auto row = [&](std::int64_t r) {
        return Profile(stored.begin() + r * t.n, stored.begin() + (r + 1) * t.n);
      };
      ASSERT_EQ(a.worst_profile, Profile(worst_profile.begin() + static_cast<std::ptrdiff_t>(j) * t.n,
                                         worst_profile.begin() + static_cast<std::ptrdiff_t>(j + 1) * t.n))
          << what;
      ASSERT_EQ(static_cast<std::int64_t>(a.stored.size()), offsets[j + 1] - offsets[j]) << what;
      for (std::int64_t r = offsets[j]; r < offsets[j + 1]; ++r)
        ASSERT_EQ(a.stored[static_cast<std::size_t>(r - offsets[j])], row(r)) << what;
      expect_certified(game, a, s.enumeration.relative_tolerance, what);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 9 * 103);
}

//! n copies of the paper's GSM8K majority providers (cycled), prices jittered by a seeded ±20%.
MarketTable replicated_paper_market(int n, std::uint64_t seed) {
  const Scenario s = paper("gsm8k-majority");
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.8, 1.2);
  ProviderSet set;
  set.theta = s.providers.theta;
  for (int i = 0; i < n; ++i) {
    ProviderCurves p = s.providers.providers[static_cast<std::size_t>(i) % s.providers.providers.size()];
    p.name += "#" + std::to_string(i);
    p.usd_per_million_tokens *= u(rng);
    set.providers.push_back(p);
  }
  return build_market_table(set, s.market);
}

TEST(AggregateEnumeration, EnumeratesMarketsBeyondExhaustiveReach) {
  // 16 providers x 6 levels: 2.8e12 profiles. Every equilibrium is certified, and the profile reached by
  // best-response dynamics (an equilibrium) is among them.
  const MarketTable t = replicated_paper_market(16, 7);
  for (const double beta : {1.0, 200.0, 1000.0, 1e5}) {
    const Game game(t, beta);
    const EquilibriumSet set = enumerate_equilibria(game);
    const std::string what = "16x6, beta " + std::to_string(beta);
    ASSERT_GE(set.count, 1) << what << ": a potential game has a pure equilibrium";
    expect_certified(game, set, EQUILIBRIUM_TOLERANCE, what);
    DynamicsOptions o;
    o.rule = DynamicsRule::best_response;
    const DynamicsResult r = run_dynamics(game, o);
    ASSERT_TRUE(is_equilibrium(certify(game, r.profile), EQUILIBRIUM_TOLERANCE)) << what;
    ASSERT_TRUE(std::binary_search(set.stored.begin(), set.stored.end(), r.profile)) << what;
    EXPECT_EQ(set.profiles, profile_count(16, 6));
    EXPECT_LT(set.work, 1'000'000) << what << ": search nodes";
  }
}

TEST(AggregateEnumeration, ListsEveryProfileWhenEveryProfileIsAnEquilibrium) {
  // Zero markup: every margin is zero, every log-utility −inf, so all K^n profiles are equilibria; the search then
  // visits each once. The count is exact and the stored list is the lexicographically first max_stored.
  ProviderSet set;
  set.theta = {1.0, 2.0, 4.0};
  for (int i = 0; i < 9; ++i)
    set.providers.push_back(ProviderCurves{"P" + std::to_string(i), {0.3, 0.5, 0.6}, {100.0, 300.0, 900.0}, 0.1});
  MarketParams m;
  m.alpha = 0.01;
  m.markup = 0.0;
  const MarketTable t = build_market_table(set, m);
  EnumerationOptions o;
  o.max_stored = 10;
  const EquilibriumSet s = enumerate_equilibria(Game(t, 300.0), o);
  EXPECT_EQ(s.count, profile_count(9, 3));
  ASSERT_EQ(s.stored.size(), 10u);
  for (std::size_t r = 0; r < s.stored.size(); ++r) {
    Profile expected(9);
    decode_profile(static_cast<std::int64_t>(r), 9, 3, expected.data());
    EXPECT_EQ(s.stored[r], expected);
  }
}

TEST(AggregateEnumeration, AThirtyProviderMarketIsEnumeratedWithBoundedWork) {
  const MarketTable t = replicated_paper_market(30, 11);
  for (const double beta : {200.0, 1e4}) {
    const Game game(t, beta);
    const EquilibriumSet set = enumerate_equilibria(game);
    ASSERT_GE(set.count, 1);
    EXPECT_EQ(set.profiles, -1);  // 6^30 does not fit
    expect_certified(game, set, EQUILIBRIUM_TOLERANCE, "30x6, beta " + std::to_string(beta));
    EXPECT_LT(set.work, 1'000'000);
  }
}

TEST(AggregateEnumeration, TheExhaustiveOracleKeepsItsProfileLimit) {
  const MarketTable t = replicated_paper_market(16, 3);
  EnumerationOptions o;
  o.algorithm = EnumerationAlgorithm::exhaustive;
  try {
    check_enumeration_limits(t.n, t.K, o);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("max_profiles"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("structural"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(check_enumeration_limits(t.n, t.K, EnumerationOptions{}));
}

}  // namespace
