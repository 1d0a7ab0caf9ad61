// Populations against published numbers and closed forms:
// - a homogeneous population (every user the paper's user: one beta, v0 = 0, the curves' average accuracy)
//   reproduces the single-user logit market exactly: the same reached profile, shares, utilities, SW and optimum as
//   ttcg::solve_beta, at the paper's beta values, on the nine paper markets;
// - large populations converge to the paper's tables (tests/data/reference): the mean realized welfare, user value,
//   payment and provider profit per user lie within K_SIGMA standard errors of the published equilibrium numbers, the
//   auction's realized welfare within K_SIGMA of the published auction welfare, realized choice frequencies within
//   K_SIGMA of the published shares. The seed is printed on failure.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "in_process.hpp"
#include "ttcgames/market/welfare.hpp"
#include "ttcgames/population/population.hpp"
#include "ttcgames/run/run.hpp"
#include "ttcgames/run/scenario.hpp"

namespace ttcg {
namespace {

//! The population's sums use the portable exponential and a different summation order than the market engine:
//! agreement to this relative tolerance (a few hundred ulps), and exactly equal profiles.
constexpr double HOMOGENEOUS_RELATIVE_TOLERANCE = 1e-12;
//! Standard errors a Monte Carlo mean may lie from the published value.
constexpr double K_SIGMA = 5.0;
constexpr std::uint64_t SEED = 20260121;
constexpr double PAPER_BETAS[] = {200.0, 1000.0, 1e5};

const std::string PAPER = std::string(TTCG_INPUTS_DIR) + "/paper";

Scenario with_population(const std::string& file, double beta, std::int64_t users, const std::string& extra = "") {
  std::ifstream in(PAPER + "/" + file + ".toml");
  std::stringstream text;
  text << in.rdbuf();
  std::ostringstream population;
  population.precision(17);
  population << "\n[population]\nusers = " << users << "\nseed = " << SEED << "\nbeta = " << beta << "\n" << extra;
  return parse_scenario(text.str() + population.str(), PAPER + "/" + file + ".toml");
}

void expect_relative(double actual, double expected, double tol, const std::string& what) {
  EXPECT_LE(std::fabs(actual - expected), tol * std::fabs(expected)) << what << ": " << actual << " vs " << expected;
}

class HomogeneousPopulation : public testing::TestWithParam<std::string> {};

TEST_P(HomogeneousPopulation, ReproducesTheSingleUserMarket) {
  for (const double beta : PAPER_BETAS) {
    const Scenario s = with_population(GetParam(), beta, 64, "optimum = \"local-search\"\nrealize = false\n");
    const MarketTable table = build_market_table(s.providers, s.market);
    const BetaResult market = solve_beta(table, beta, s.dynamics);
    const PopulationResult pop = testing_support::solve_population(s);
    const ReplicateResult& r = pop.replicates.at(0);
    const std::string at = GetParam() + " beta " + std::to_string(beta);
    EXPECT_EQ(r.dynamics.profile, market.dynamics.profile) << at;
    EXPECT_EQ(r.dynamics.turns, market.dynamics.turns) << at;
    expect_relative(r.equilibrium_welfare, market.welfare, HOMOGENEOUS_RELATIVE_TOLERANCE, at + " SW");
    for (int i = 0; i < table.n; ++i) {
      // Shares that underflow in one evaluation underflow in the other, hence the absolute floor.
      EXPECT_NEAR(r.demand.shares[i], market.shares[i], HOMOGENEOUS_RELATIVE_TOLERANCE * market.shares[i] + 1e-300)
          << at << " share " << i;
      const Game game(table, beta);
      const double u = game.utility(market.dynamics.profile, i);
      EXPECT_NEAR(r.demand.profit[i], u, HOMOGENEOUS_RELATIVE_TOLERANCE * u + 1e-300) << at << " utility " << i;
    }
    EXPECT_NEAR(r.demand.outside_share, market.outside_share, 1e-15) << at;
    expect_relative(r.demand.weighted_value, market.stats.weighted_value, HOMOGENEOUS_RELATIVE_TOLERANCE, at);
    expect_relative(r.demand.weighted_price, market.stats.weighted_price, HOMOGENEOUS_RELATIVE_TOLERANCE, at);
    // The optimum: the population's local search finds the Dinkelbach optimum, and the per-user bound is tight.
    expect_relative(r.optimum.welfare, market.optimum.welfare, HOMOGENEOUS_RELATIVE_TOLERANCE, at + " SW*");
    expect_relative(r.optimum.upper_bound, market.optimum.welfare, HOMOGENEOUS_RELATIVE_TOLERANCE, at + " bound");
    expect_relative(r.price_of_anarchy, market.price_of_anarchy, 1e-11, at + " PoA");
    EXPECT_LE(r.certificate.max_regret, s.dynamics.absolute_tolerance) << at;
  }
}

INSTANTIATE_TEST_SUITE_P(PaperMarkets, HomogeneousPopulation,
                         testing::Values("gsm8k-majority", "gsm8k-best-of-n", "gsm8k-reasoning", "aime-majority",
                                         "aime-best-of-n", "aime-reasoning", "gpqa-majority", "gpqa-best-of-n",
                                         "gpqa-reasoning"),
                         [](const testing::TestParamInfo<std::string>& p) {
                           std::string n = p.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

nlohmann::json reference(const std::string& benchmark) {
  std::ifstream in(std::string(TTCG_TEST_DATA_DIR) + "/reference/" + benchmark + ".json");
  EXPECT_TRUE(in) << "missing reference file for " << benchmark;
  return nlohmann::json::parse(in);
}

struct LargeCase {
  std::string scenario, benchmark, method;
  double beta;
};
void PrintTo(const LargeCase& c, std::ostream* os) {
  *os << c.scenario << " beta " << c.beta;
}

class LargePopulation : public testing::TestWithParam<LargeCase> {};

TEST_P(LargePopulation, ConvergesToThePaperTables) {
  constexpr std::int64_t USERS = 250000;
  const LargeCase& c = GetParam();
  std::ostringstream key;
  key << std::fixed << std::setprecision(1) << c.beta;
  const nlohmann::json method = reference(c.benchmark)["methods"][c.method];
  const nlohmann::json ref = method["by_beta"][key.str()];
  const Scenario s = with_population(c.scenario, c.beta, USERS, "optimum = \"local-search\"\nblock_size = 8192\n");
  const PopulationResult pop = testing_support::solve_population(s);
  const ReplicateResult& r = pop.replicates.at(0);
  const RegimeTallies &m = pop.outcomes.market, &a = pop.outcomes.auction;
  const std::string at = c.scenario + " beta " + key.str() + " (seed " + std::to_string(SEED) + ")";
  EXPECT_EQ(r.dynamics.profile, ref["equilibrium_profile"].get<std::vector<int>>()) << at;
  const auto within = [&](const Tally& t, double published, const char* what) {
    EXPECT_NEAR(t.mean(), published, K_SIGMA * t.standard_error()) << what << ", " << at;
  };
  within(m.welfare, ref["equilibrium_welfare"].get<double>(), "market welfare vs Equilibrium SW");
  within(m.user_surplus, ref["avg_weighted_value"].get<double>(), "market user surplus vs Avg weighted value");
  within(m.payment, ref["avg_weighted_price"].get<double>(), "market payment vs Avg weighted price");
  within(m.profit, ref["avg_weighted_utility"].get<double>(), "market provider profit vs Avg weighted utility");
  within(a.welfare, method["auction"]["welfare"].get<double>(), "auction welfare");
  within(a.user_surplus, method["auction"]["user_value"].get<double>(), "auction user value");
  // The auction's price is deterministic for one query type: exactly the published price.
  EXPECT_NEAR(a.payment.mean(), method["auction"]["price"].get<double>(), 1e-15) << at;
  const auto shares = ref["shares"].get<std::vector<double>>();
  for (std::size_t i = 0; i < shares.size(); ++i) {
    const double p = shares[i];
    EXPECT_NEAR(static_cast<double>(m.choices[i]) / USERS, p, K_SIGMA * std::sqrt(p * (1.0 - p) / USERS) + 1e-12)
        << "share of provider " << i << ", " << at;
  }
  // Expected (not sampled) quantities are exact.
  expect_relative(r.equilibrium_welfare, ref["equilibrium_welfare"].get<double>(), HOMOGENEOUS_RELATIVE_TOLERANCE,
                  at + " expected SW");
  expect_relative(r.optimum.welfare, ref["optimal_welfare"].get<double>(), HOMOGENEOUS_RELATIVE_TOLERANCE, at + " SW*");
}

INSTANTIATE_TEST_SUITE_P(PaperTables, LargePopulation,
                         testing::Values(LargeCase{"gsm8k-majority", "GSM8K", "majority", 200.0},
                                         LargeCase{"gsm8k-majority", "GSM8K", "majority", 1e5},
                                         LargeCase{"aime-best-of-n", "AIME", "best-of-n", 1000.0}),
                         [](const testing::TestParamInfo<LargeCase>& p) {
                           std::string n = p.param.scenario + "_" + std::to_string(static_cast<long>(p.param.beta));
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace ttcg
