// The [population] section of a scenario (src/population/population_scenario.cpp): defaults, every distribution form,
// the resolved-TOML round trip, and one test per kind of bad input, each checking that the InputError names the place
// (file:line:column and key) and what would be valid.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>

#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/question_table.hpp"
#include "ttcgames/io/h5.hpp"
#include "ttcgames/run/results.hpp"
#include "ttcgames/run/scenario.hpp"

namespace fs = std::filesystem;

namespace ttcg {
namespace {

const std::string BASE = R"(format = "ttcgames-scenario"
version = 1
name = "pop"

[market]
alpha = 0.01
v0 = 0.0005

[providers]
theta = [1, 2]

[[providers.inline]]
name = "A"
usd_per_million_tokens = 0.1
accuracy = [0.5, 0.6]
tokens = [100, 200]

[[providers.inline]]
name = "B"
usd_per_million_tokens = 0.2
accuracy = [0.4, 0.65]
tokens = [150, 300]

[population]
)";

std::string input_error_message(const std::string& text) {
  try {
    parse_scenario(text, "pop.toml");
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected an InputError, got: " << e.what();
    return {};
  }
  ADD_FAILURE() << "expected an InputError, nothing was thrown for:\n" << text;
  return {};
}

void expect_error(const std::string& population, std::initializer_list<std::string> parts) {
  const std::string msg = input_error_message(BASE + population);
  for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "missing '" << p << "' in: " << msg;
}

TEST(PopulationScenario, DefaultsAndNoBetaTable) {
  const Scenario s = parse_scenario(BASE + "beta = 200.0\n", "pop.toml");
  ASSERT_TRUE(s.population);
  const PopulationSpec& p = *s.population;
  EXPECT_TRUE(s.betas().empty());  // [beta] is optional for a population
  EXPECT_EQ(p.users, POPULATION_DEFAULT_USERS);
  EXPECT_EQ(p.replicates, 1);
  EXPECT_EQ(p.block_size, POPULATION_DEFAULT_BLOCK_SIZE);
  EXPECT_EQ(p.beta.kind, dist::DistributionKind::fixed);
  EXPECT_EQ(p.beta.value, 200.0);
  EXPECT_EQ(p.v0.value, 0.0005);  // from [market] v0
  EXPECT_EQ(p.value_scale.value, 1.0);
  EXPECT_TRUE(p.benchmarks.empty());
  EXPECT_EQ(p.optimum, OptimumMethod::automatic);
  EXPECT_TRUE(p.realize);
}

TEST(PopulationScenario, EveryDistributionFormAndTheRoundTrip) {
  const Scenario s = parse_scenario(BASE + R"(users = 1e5
replicates = 3
seed = 9
block_size = 512
beta = { kind = "lognormal", median = 1000.0, sigma = 0.5 }
value_scale = { kind = "uniform", low = 0.5, high = 2.0 }
v0 = { kind = "empirical", values = [0.0, 0.001], weights = [3.0, 1.0] }
optimum = "local-search"
histogram_bins = 50
realize = false
)",
                                    "pop.toml");
  const PopulationSpec& p = *s.population;
  EXPECT_EQ(p.users, 100000);
  EXPECT_EQ(p.replicates, 3);
  EXPECT_EQ(p.seed, 9u);
  EXPECT_EQ(p.block_size, 512);
  EXPECT_EQ(p.beta.kind, dist::DistributionKind::lognormal);
  EXPECT_DOUBLE_EQ(p.beta.mu, std::log(1000.0));
  EXPECT_EQ(p.value_scale.kind, dist::DistributionKind::uniform);
  EXPECT_EQ(p.v0.kind, dist::DistributionKind::empirical);
  EXPECT_EQ(p.v0.weights, (std::vector<double>{3.0, 1.0}));
  EXPECT_EQ(p.optimum, OptimumMethod::local_search);
  EXPECT_EQ(p.histogram_bins, 50);
  EXPECT_FALSE(p.realize);
  const Scenario again = parse_scenario(s.resolved_toml(), "again.toml");
  ASSERT_TRUE(again.population);
  EXPECT_EQ(again.population->users, p.users);
  EXPECT_EQ(again.population->beta.mu, p.beta.mu);
  EXPECT_EQ(again.population->beta.sigma, p.beta.sigma);
  EXPECT_EQ(again.population->v0.values, p.v0.values);
  EXPECT_EQ(again.population->value_scale.high, p.value_scale.high);
  EXPECT_EQ(again.resolved_toml(), s.resolved_toml());
}

// The ensemble's per-market ranges and the population's per-user quantities are one type (dist::Distribution): a
// log-uniform quantity reads, describes itself and round-trips like the others.
TEST(PopulationScenario, LogUniformQuantity) {
  const Scenario s = parse_scenario(BASE + R"(users = 1000
beta = { kind = "log_uniform", low = 100.0, high = 1e5 }
)",
                                    "pop.toml");
  const PopulationSpec& p = *s.population;
  EXPECT_EQ(p.beta.kind, dist::DistributionKind::log_uniform);
  EXPECT_EQ(p.beta.low, 100.0);
  EXPECT_EQ(p.beta.high, 1e5);
  EXPECT_NEAR(p.beta.quantile(0.5), std::sqrt(100.0 * 1e5), 1e-9);
  const Scenario again = parse_scenario(s.resolved_toml(), "again.toml");
  EXPECT_EQ(again.population->beta.kind, dist::DistributionKind::log_uniform);
  EXPECT_EQ(again.resolved_toml(), s.resolved_toml());
}

TEST(PopulationScenarioErrors, LogUniformNeedsPositiveLow) {
  expect_error("beta = { kind = \"log_uniform\", low = 0.0, high = 5.0 }\n",
               {"'population.beta.low' must be > 0 for a log-uniform"});
}

TEST(PopulationScenarioErrors, UnknownKeySuggestsTheClosest) {
  expect_error("beta = 1.0\nuser = 10\n",
               {"pop.toml:", "unknown key 'population.user'", "did you mean 'population.users'"});
}

TEST(PopulationScenarioErrors, MissingBeta) {
  expect_error("users = 10\n", {"missing key 'population.beta'", "1/USD"});
}

TEST(PopulationScenarioErrors, NegativeBeta) {
  expect_error("beta = -1.0\n", {"pop.toml:", "'population.beta' must be >= 0"});
}

TEST(PopulationScenarioErrors, UnknownDistributionKind) {
  expect_error("beta = { kind = \"lognormel\", median = 1.0, sigma = 1.0 }\n",
               {"'population.beta.kind'", "did you mean \"lognormal\""});
}

TEST(PopulationScenarioErrors, DistributionWithoutKind) {
  expect_error("beta = { median = 1.0 }\n", {"missing key 'population.beta.kind'"});
}

TEST(PopulationScenarioErrors, LognormalWithMedianAndMu) {
  expect_error("beta = { kind = \"lognormal\", median = 1.0, mu = 0.0, sigma = 1.0 }\n",
               {"'population.beta.mu' cannot be given with median"});
}

TEST(PopulationScenarioErrors, LognormalWithoutSigma) {
  expect_error("beta = { kind = \"lognormal\", median = 10.0 }\n", {"missing key 'population.beta.sigma'"});
}

TEST(PopulationScenarioErrors, LognormalNonPositiveMedian) {
  expect_error("beta = { kind = \"lognormal\", median = 0.0, sigma = 1.0 }\n",
               {"'population.beta.median' must be > 0"});
}

TEST(PopulationScenarioErrors, UniformHighNotAboveLow) {
  expect_error("beta = { kind = \"uniform\", low = 5.0, high = 5.0 }\n", {"'population.beta.high' must be > low"});
}

TEST(PopulationScenarioErrors, KeyOfAnotherKind) {
  expect_error("beta = { kind = \"fixed\", value = 1.0, sigma = 2.0 }\n",
               {"unknown key 'population.beta.sigma'", "valid keys in [population.beta]"});
}

TEST(PopulationScenarioErrors, EmpiricalWeightsOfTheWrongLength) {
  expect_error("beta = { kind = \"empirical\", values = [1.0, 2.0], weights = [1.0] }\n",
               {"'population.beta.weights' has 1 entries for 2 values"});
}

TEST(PopulationScenarioErrors, EmpiricalNegativeWeight) {
  expect_error("beta = { kind = \"empirical\", values = [1.0, 2.0], weights = [1.0, -1.0] }\n",
               {"'population.beta.weights' must be >= 0"});
}

TEST(PopulationScenarioErrors, EmpiricalNegativeValueForANonNegativeQuantity) {
  expect_error("beta = { kind = \"empirical\", values = [1.0, -2.0] }\n", {"'population.beta.values' must be >= 0"});
}

TEST(PopulationScenarioErrors, DistributionOfTheWrongType) {
  expect_error("beta = \"high\"\n", {"'population.beta' must be a number or a distribution table"});
}

TEST(PopulationScenarioErrors, UsersOutOfRange) {
  expect_error("beta = 1.0\nusers = 0\n", {"'population.users' must lie in 1..4000000000"});
}

TEST(PopulationScenarioErrors, BlockSizeOutOfRange) {
  expect_error("beta = 1.0\nblock_size = 0\n", {"'population.block_size' must lie in 1.."});
}

TEST(PopulationScenarioErrors, BadOptimumChoice) {
  expect_error("beta = 1.0\noptimum = \"local_search\"\n", {"'population.optimum'", "did you mean \"local-search\""});
}

TEST(PopulationScenarioErrors, BenchmarkWithQuestionsAndCurves) {
  expect_error("beta = 1.0\n[[population.benchmarks]]\nname = \"x\"\nquestions = \"a.h5\"\ncurves = \"b.csv\"\n",
               {"'population.benchmarks.curves' cannot be combined with questions"});
}

TEST(PopulationScenarioErrors, QuestionsWithoutDataset) {
  expect_error("beta = 1.0\n[[population.benchmarks]]\nname = \"x\"\nquestions = \"a.h5\"\nmethod = \"majority\"\n",
               {"missing key 'population.benchmarks.dataset'"});
}

TEST(PopulationScenarioErrors, DatasetWithoutQuestions) {
  expect_error("beta = 1.0\n[[population.benchmarks]]\nname = \"x\"\ndataset = \"GSM8K\"\n",
               {"'population.benchmarks.dataset' belongs to per-question tables"});
}

TEST(PopulationScenarioErrors, DuplicateBenchmarkName) {
  expect_error("beta = 1.0\n[[population.benchmarks]]\nname = \"x\"\n[[population.benchmarks]]\nname = \"x\"\n",
               {"'population.benchmarks.name' repeats benchmark 'x'"});
}

TEST(PopulationScenarioErrors, BenchmarkWeightsAllZero) {
  expect_error("beta = 1.0\n[[population.benchmarks]]\nname = \"x\"\nweight = 0.0\n",
               {"'population.benchmarks' the weights must not all be 0"});
}

TEST(PopulationScenarioErrors, RunLogQuestionsWithoutRunLogProviders) {
  expect_error("beta = 1.0\n[[population.benchmarks]]\nname = \"x\"\nrunlogs = true\n",
               {"'population.benchmarks.runlogs' needs providers from run logs"});
}

TEST(PopulationScenarioErrors, MissingQuestionsFile) {
  expect_error(
      "beta = 1.0\n[[population.benchmarks]]\nname = \"x\"\nquestions = \"/nonexistent/curves.h5\"\n"
      "dataset = \"d\"\nmethod = \"majority\"\n",
      {"'population.benchmarks' cannot be used", "/nonexistent/curves.h5"});
}

TEST(PopulationScenarioErrors, MissingCurvesModel) {
  const fs::path csv = fs::temp_directory_path() / ("ttcg_pop_curves_" + std::to_string(::getpid()) + ".csv");
  { std::ofstream(csv) << "model,theta,accuracy,tokens\nA,1,0.5,100\nA,2,0.6,200\n"; }
  expect_error("beta = 1.0\n[[population.benchmarks]]\nname = \"x\"\ncurves = \"" + csv.string() + "\"\n",
               {"'population.benchmarks' cannot be used", "no curves for model 'B'"});
  fs::remove(csv);
}

//! A curves file with per-question tables of `models`, each with `qids`.
struct QuestionFile {
  fs::path path;
  QuestionFile(const std::string& tag, const std::vector<std::pair<std::string, std::vector<std::string>>>& models,
               std::vector<double> theta = {1, 2}) {
    path = fs::temp_directory_path() / ("ttcg_pop_" + tag + "_" + std::to_string(::getpid()) + ".h5");
    h5::File f = h5::File::create(path.string());
    h5::Group root = f.root();
    write_root_attributes(root, RunInfo{}, 0, "");  // a curves file starts with them
    for (const auto& [model, qids] : models) {
      QuestionTable t;
      t.model = model;
      t.method = "majority";
      t.theta = theta;
      t.qid = qids;
      t.p_correct.assign(qids.size() * theta.size(), 0.5);
      t.tokens.assign(qids.size() * theta.size(), 100.0);
      h5::Group g = root.create_group("curves/d/majority/questions/" + model);
      write_question_table(g, t);
    }
  }
  ~QuestionFile() { fs::remove(path); }
  std::string section() const {
    return "beta = 1.0\n[[population.benchmarks]]\nname = \"x\"\nquestions = \"" + path.string() +
           "\"\ndataset = \"d\"\nmethod = \"majority\"\n";
  }
};

TEST(PopulationScenarioErrors, NoQuestionTableForAProvider) {
  const QuestionFile f("missing_model", {{"A", {"q1"}}, {"C", {"q1"}}});
  expect_error(f.section(), {"no question table for provider 'B'", "tables: A, C", "matched to tables by model name"});
}

TEST(PopulationScenarioErrors, EmptyQuestionIntersection) {
  const QuestionFile f("disjoint", {{"A", {"q1", "q2"}}, {"B", {"q3"}}});
  expect_error(f.section(), {"no question id is in every provider's table", "aligned by qid"});
}

TEST(PopulationScenarioErrors, QuestionLevelsDifferFromTheProviders) {
  const QuestionFile f("theta", {{"A", {"q1"}}, {"B", {"q1"}}}, {1, 4});
  expect_error(f.section(), {"levels theta = [1, 4] differ from the providers' theta = [1, 2]"});
}

}  // namespace
}  // namespace ttcg
