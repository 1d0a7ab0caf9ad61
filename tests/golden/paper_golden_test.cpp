// Golden tests: the paper's GSM8K and AIME markets, run from the shipped scenario files, against the exact outputs
// of the reference implementation (tests/data/reference/{GSM8K,AIME}.json) and the numbers its notebooks print
// (tests/data/reference/notebook_tables.md).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "in_process.hpp"
#include "ttcgames/run/run.hpp"
#include "ttcgames/run/scenario.hpp"

namespace {

//! The reference outputs are exact float64 results of the same model.
constexpr double WELFARE_RELATIVE_TOLERANCE = 1e-12;
//! The notebooks print 5 decimals; the digitized curves reproduce them within 7e-6 USD (shared/data/README.md).
constexpr double NOTEBOOK_TOLERANCE_USD = 1e-5;

const std::map<std::string, std::string> SCENARIO_SUFFIX = {
    {"majority", "majority"}, {"best-of-n", "best-of-n"}, {"relative_efforts", "reasoning"}};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

nlohmann::json reference(const std::string& benchmark) {
  std::ifstream in(std::string(TTCG_TEST_DATA_DIR) + "/reference/" + benchmark + ".json");
  EXPECT_TRUE(in) << "missing reference file for " << benchmark;
  return nlohmann::json::parse(in);
}

ttcg::Scenario paper_scenario(const std::string& benchmark, const std::string& method) {
  return ttcg::load_scenario(std::string(TTCG_INPUTS_DIR) + "/paper/" + lower(benchmark) + "-" +
                             SCENARIO_SUFFIX.at(method) + ".toml");
}

void expect_relative(double actual, double expected, const std::string& what) {
  EXPECT_LE(std::fabs(actual - expected), WELFARE_RELATIVE_TOLERANCE * std::fabs(expected))
      << what << ": " << actual << " vs reference " << expected;
}

struct Case {
  std::string benchmark, method;
};
//! ctest lists "GetParam() = GSM8K/majority" instead of the raw bytes of the struct.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.benchmark << "/" << c.method;
}
std::string case_name(const testing::TestParamInfo<Case>& info) {
  std::string s = info.param.benchmark + "_" + info.param.method;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

class PaperMarket : public testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    ref_ = reference(GetParam().benchmark)["methods"][GetParam().method];
    scenario_ = paper_scenario(GetParam().benchmark, GetParam().method);
    ttcg::JobOptions o;
    o.enumerate = false;  // enumeration has its own tests; the golden numbers are about the reached profile
    result_ = ttcg::testing_support::solve_market(scenario_, o);
  }
  nlohmann::json ref_;
  ttcg::Scenario scenario_;
  ttcg::ScenarioResult result_;
};

TEST_P(PaperMarket, ProvidersAndLevelsMatchTheReference) {
  EXPECT_EQ(result_.table.providers, ref_["providers"].get<std::vector<std::string>>());
  const auto thetas = ref_["thetas"].get<std::vector<double>>();
  EXPECT_EQ(result_.table.theta, thetas);
}

TEST_P(PaperMarket, TableBetasReachTheReferenceProfileAndNumbers) {
  ASSERT_EQ(scenario_.beta_values, (std::vector<double>{200.0, 1000.0, 1e5}));
  for (std::size_t j = 0; j < scenario_.beta_values.size(); ++j) {
    const ttcg::BetaResult& r = result_.betas[j];
    std::ostringstream key;
    key << std::fixed << std::setprecision(1) << r.beta;
    const nlohmann::json& e = ref_["by_beta"][key.str()];
    ASSERT_FALSE(e.is_null()) << "no reference entry for beta " << key.str();
    SCOPED_TRACE("beta = " + key.str());
    EXPECT_EQ(r.dynamics.profile, e["equilibrium_profile"].get<std::vector<int>>());
    EXPECT_EQ(r.dynamics.turns, e["turns"].get<std::int64_t>()) << "same provider order, same number of visits";
    EXPECT_TRUE(r.dynamics.converged);
    expect_relative(r.welfare, e["equilibrium_welfare"], "equilibrium welfare");
    expect_relative(r.optimum.welfare, e["optimal_welfare"], "optimal welfare");
    expect_relative(r.price_of_anarchy, e["price_of_anarchy"], "price of anarchy");
    const auto shares = e["shares"].get<std::vector<double>>();
    for (std::size_t i = 0; i < shares.size(); ++i) expect_relative(r.shares[i], shares[i], "share");
    expect_relative(r.stats.weighted_value, e["avg_weighted_value"], "avg weighted value");
    expect_relative(r.stats.mean_value, e["avg_value"], "avg value");
    expect_relative(r.stats.weighted_price, e["avg_weighted_price"], "avg weighted price");
    expect_relative(r.stats.mean_price, e["avg_price"], "avg price");
    expect_relative(r.stats.weighted_utility, e["avg_weighted_utility"], "avg weighted utility");
    expect_relative(r.stats.mean_utility, e["avg_utility"], "avg utility");
  }
}

TEST_P(PaperMarket, WholeSweepReachesTheReferenceProfiles) {
  const nlohmann::json& sweep = ref_["sweep"];
  const auto beta = sweep["beta"].get<std::vector<double>>();
  const std::size_t offset = scenario_.beta_values.size();
  ASSERT_EQ(result_.betas.size(), offset + beta.size());
  int mismatched = 0;
  for (std::size_t j = 0; j < beta.size(); ++j) {
    const ttcg::BetaResult& r = result_.betas[offset + j];
    SCOPED_TRACE("sweep point " + std::to_string(j) + ", beta = " + std::to_string(beta[j]));
    EXPECT_EQ(r.beta, beta[j]) << "numpy.logspace(0, 6, 100) must be reproduced bit for bit";
    if (r.dynamics.profile != sweep["equilibrium_profile"][j].get<std::vector<int>>()) ++mismatched;
    EXPECT_EQ(r.dynamics.profile, sweep["equilibrium_profile"][j].get<std::vector<int>>());
    expect_relative(r.welfare, sweep["equilibrium_welfare"][j], "equilibrium welfare");
    expect_relative(r.optimum.welfare, sweep["optimal_welfare"][j], "optimal welfare");
    expect_relative(r.price_of_anarchy, sweep["price_of_anarchy"][j], "price of anarchy");
  }
  EXPECT_EQ(mismatched, 0);
}

TEST_P(PaperMarket, AuctionOutcomeIsTheReferenceOne) {
  const nlohmann::json& a = ref_["auction"];
  const ttcg::AuctionOutcome& out = result_.auction;
  ASSERT_TRUE(out.trade);
  EXPECT_EQ(result_.table.providers[out.clearing.winner], a["winner"].get<std::string>());
  EXPECT_EQ(result_.table.providers[out.clearing.runner_up], a["runner_up"].get<std::string>());
  EXPECT_EQ(out.level, a["theta_index_choice"].get<std::vector<int>>());
  const auto scores = a["scores"].get<std::vector<double>>();
  for (std::size_t i = 0; i < scores.size(); ++i) expect_relative(out.score[i], scores[i], "score");
  expect_relative(out.welfare, a["welfare"], "auction welfare");
  expect_relative(out.user_value, a["user_value"], "user value");
  expect_relative(out.price, a["price"], "price");
  expect_relative(out.winner_utility, a["winner_utility"], "winner utility");
}

INSTANTIATE_TEST_SUITE_P(Golden, PaperMarket,
                         testing::Values(Case{"GSM8K", "majority"}, Case{"GSM8K", "best-of-n"},
                                         Case{"GSM8K", "relative_efforts"}, Case{"AIME", "majority"},
                                         Case{"AIME", "best-of-n"}, Case{"AIME", "relative_efforts"}),
                         case_name);

// ---- The numbers printed by the reference notebooks --------------------------------------------------------------

std::vector<std::vector<std::string>> markdown_rows(const std::string& header_start) {
  std::ifstream in(std::string(TTCG_TEST_DATA_DIR) + "/reference/notebook_tables.md");
  std::vector<std::vector<std::string>> rows;
  std::string line;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.rfind(header_start, 0) == 0) {
      in_table = true;
      continue;
    }
    if (!in_table) continue;
    if (line.empty() || line[0] != '|') {
      if (!rows.empty()) break;
      continue;
    }
    if (line.rfind("|---", 0) == 0) continue;
    std::vector<std::string> cells;
    std::stringstream s(line.substr(1));
    std::string cell;
    while (std::getline(s, cell, '|')) {
      const auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    }
    rows.push_back(cells);
  }
  return rows;
}

const ttcg::ScenarioResult& cached_run(const std::string& benchmark, const std::string& method) {
  static std::map<std::string, ttcg::ScenarioResult> cache;
  const std::string key = benchmark + "/" + method;
  auto it = cache.find(key);
  if (it == cache.end()) {
    ttcg::JobOptions o;
    o.enumerate = false;
    it = cache.emplace(key, ttcg::testing_support::solve_market(paper_scenario(benchmark, method), o)).first;
  }
  return it->second;
}

TEST(NotebookTables, MarketStatisticsWithinPrintedPrecision) {
  const auto rows = markdown_rows("| Benchmark | TTC type | beta |");
  ASSERT_EQ(rows.size(), 18u) << "expected 2 benchmarks x 3 methods x 3 beta rows";
  for (const auto& row : rows) {
    const ttcg::ScenarioResult& r = cached_run(row[0], row[1]);
    const double beta = std::stod(row[2]);
    const auto it = std::find_if(r.betas.begin(), r.betas.end(), [&](const auto& b) { return b.beta == beta; });
    ASSERT_NE(it, r.betas.end());
    SCOPED_TRACE(row[0] + " " + row[1] + " beta " + row[2]);
    const double values[] = {
        it->stats.weighted_value, it->stats.mean_value, it->optimum.welfare,        it->welfare,
        it->stats.weighted_price, it->stats.mean_price, it->stats.weighted_utility, it->stats.mean_utility};
    for (int c = 0; c < 8; ++c) EXPECT_NEAR(values[c], std::stod(row[3 + c]), NOTEBOOK_TOLERANCE_USD) << "column " << c;
  }
}

TEST(NotebookTables, AuctionWithinPrintedPrecision) {
  const auto rows = markdown_rows("| Benchmark | TTC type | Winner (W) |");
  ASSERT_EQ(rows.size(), 6u);
  for (const auto& row : rows) {
    const ttcg::ScenarioResult& r = cached_run(row[0], row[1]);
    SCOPED_TRACE(row[0] + " " + row[1]);
    const ttcg::AuctionOutcome& a = r.auction;
    const auto name_and_value = [](const std::string& cell) {
      const auto open = cell.rfind(" (");
      return std::make_pair(cell.substr(0, open), std::stod(cell.substr(open + 2)));
    };
    const auto [winner, winner_w] = name_and_value(row[2]);
    const auto [runner, runner_w] = name_and_value(row[3]);
    EXPECT_EQ(r.table.providers[a.clearing.winner], winner);
    EXPECT_EQ(r.table.providers[a.clearing.runner_up], runner);
    EXPECT_NEAR(a.clearing.winning_score, winner_w, NOTEBOOK_TOLERANCE_USD);
    EXPECT_NEAR(a.clearing.second_score, runner_w, NOTEBOOK_TOLERANCE_USD);
    EXPECT_NEAR(a.user_value, std::stod(row[4]), NOTEBOOK_TOLERANCE_USD);
    EXPECT_NEAR(a.price, std::stod(row[5]), NOTEBOOK_TOLERANCE_USD);
    EXPECT_NEAR(a.winner_utility, std::stod(row[6]), NOTEBOOK_TOLERANCE_USD);
    EXPECT_NEAR(a.welfare, std::stod(row[7]), NOTEBOOK_TOLERANCE_USD);
  }
}

}  // namespace
