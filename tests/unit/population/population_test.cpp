// The population engine (population.hpp) on the CPU: per-user values of the vectorized tiles equal the per-user
// functions bit for bit; blocks merged in order equal the engine's result; results do not depend on the thread
// count; the certificate agrees with the oracle's; the optimum's enumeration, local search and bound are ordered;
// realized outcomes average to their expectations within K_SIGMA standard errors (seed printed on failure); query
// tables from per-question tables align questions by qid.
#include <gtest/gtest.h>
#include <omp.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "in_process.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/curves.hpp"
#include "ttcgames/inference/question_table.hpp"
#include "ttcgames/io/h5.hpp"
#include "ttcgames/market/equilibrium_math.hpp"
#include "ttcgames/population/population.hpp"
#include "ttcgames/population/population_archive.hpp"
#include "ttcgames/population/population_optimum.hpp"
#include "ttcgames/run/population_stage.hpp"
#include "ttcgames/run/results.hpp"
#include "ttcgames/run/scenario.hpp"

namespace fs = std::filesystem;

namespace ttcg {
namespace {

//! Standard errors a Monte Carlo mean may lie from its expectation.
constexpr double K_SIGMA = 5.0;
constexpr std::uint64_t SEED = 424242;

const std::string PAPER = std::string(TTCG_INPUTS_DIR) + "/paper";

//! A GSM8K-majority scenario whose [population] section is `population` (TOML lines).
Scenario gsm8k_population(const std::string& population, const std::string& extra = "") {
  const std::string text =
      "format = \"ttcgames-scenario\"\nversion = 1\nname = \"pop\"\n[market]\nalpha = 0.008\n"
      "[providers]\ncurves = \"" +
      PAPER + "/curves/GSM8K_majority.csv\"\nprices = \"" + PAPER + "/prices.csv\"\n" + extra + "[population]\n" +
      population;
  return parse_scenario(text, "");
}

//! A small market (3 providers × 3 levels) for enumeration tests.
Scenario small_population(const std::string& population) {
  const std::string text = R"(format = "ttcgames-scenario"
version = 1
name = "small"
[market]
alpha = 0.01
[providers]
theta = [1, 4, 16]
[[providers.inline]]
name = "A"
usd_per_million_tokens = 0.5
accuracy = [0.5, 0.62, 0.7]
tokens = [400, 1600, 6400]
[[providers.inline]]
name = "B"
usd_per_million_tokens = 0.2
accuracy = [0.4, 0.55, 0.66]
tokens = [500, 2000, 8000]
[[providers.inline]]
name = "C"
usd_per_million_tokens = 1.0
accuracy = [0.6, 0.7, 0.72]
tokens = [300, 1200, 4800]
[population]
)" + population;
  return parse_scenario(text, "");
}

const char* HETEROGENEOUS = R"(users = 20000
seed = 424242
block_size = 1000
beta = { kind = "lognormal", median = 1000.0, sigma = 1.0 }
value_scale = { kind = "uniform", low = 0.5, high = 1.5 }
v0 = { kind = "empirical", values = [0.0, 0.001, 0.004], weights = [3, 1, 1] }
)";

struct Case {
  Scenario scenario;
  QueryTables tables;
  explicit Case(Scenario s) : scenario(std::move(s)) {
    tables = build_query_tables(*scenario.population, scenario.providers, scenario.market);
  }
  PopulationEngine engine(std::int64_t replicate = 0) const {
    return PopulationEngine(tables, *scenario.population, replicate, Backend::cpu);
  }
};

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

TEST(Population, TilesEqualThePerUserFunctionsBitForBit) {
  const Case s(gsm8k_population(HETEROGENEOUS));
  const PopulationEngine engine = s.engine();
  const Profile profile{0, 1, 2, 3, 4, 5, 0, 1, 2};
  const ProfileTables at(s.tables, profile);
  const population::ProfileView t = at.view(s.tables.n, s.tables.Q);
  const population::QueryView g = s.tables.view();
  const population::UsersView users = engine.population().view();
  double e[population::MAX_PROVIDERS];
  for (std::int64_t u = 0; u < 300; u += 37) {
    // A block of one user: every lane sum is that user's value.
    const DemandSums d = demand_block(g, t, users, BlockRange{u, u + 1});
    double inv = 0.0;
    const double w = population::user_welfare(t, users.alpha[u], users.beta[u], users.v0[u], users.question[u], e, inv);
    EXPECT_TRUE(same_bits(d.welfare, w)) << "user " << u;
    for (int i = 0; i < s.tables.n; ++i) EXPECT_TRUE(same_bits(d.shares[i], e[i] * inv)) << "user " << u;
    // The body of the CUDA demand kernel: every term of the sums.
    double share[population::MAX_PROVIDERS], profit[population::MAX_PROVIDERS];
    const population::UserDemand kernel = population::user_demand(t, users.alpha[u], users.beta[u], users.v0[u],
                                                                  users.question[u], e, s.tables.n, share, profit);
    EXPECT_TRUE(same_bits(d.outside, kernel.outside)) << "user " << u;
    EXPECT_TRUE(same_bits(d.welfare, kernel.welfare)) << "user " << u;
    EXPECT_TRUE(same_bits(d.value, kernel.value)) << "user " << u;
    EXPECT_TRUE(same_bits(d.price, kernel.price)) << "user " << u;
    for (int i = 0; i < s.tables.n; ++i) {
      EXPECT_TRUE(same_bits(d.shares[i], share[i])) << "user " << u << " provider " << i;
      EXPECT_TRUE(same_bits(d.profit[i], profit[i])) << "user " << u << " provider " << i;
    }
    for (int i : {0, 4, 8}) {
      const UtilitySums us = utilities_block(g, t, users, i, BlockRange{u, u + 1});
      const double la =
          population::log_aggregate_without(t, users.alpha[u], users.beta[u], users.v0[u], users.question[u], i);
      for (int k = 0; k < s.tables.K; ++k) {
        population::OnlineLogSum one;
        one.add(population::log_profit_term(g, users.alpha[u], users.beta[u], users.question[u], i, k, la));
        EXPECT_TRUE(same_bits(us.levels[k].value(), one.value()))
            << "user " << u << " provider " << i << " level " << k;
      }
    }
  }
}

TEST(Population, BlocksMergedInOrderEqualTheEngine) {
  const Case s(gsm8k_population(HETEROGENEOUS));
  const PopulationEngine engine = s.engine();
  const Profile profile(9, 2);
  const ProfileTables at(s.tables, profile);
  const population::ProfileView t = at.view(s.tables.n, s.tables.Q);
  const population::QueryView g = s.tables.view();
  const population::UsersView users = engine.population().view();
  const std::int64_t B = s.scenario.population->block_size;
  DemandSums demand;
  const HistogramRanges ranges = histogram_ranges(s.tables, *s.scenario.population);
  OutcomeTallies outcomes = make_outcome_tallies(s.tables.n, ranges);
  for (std::int64_t b = 0; b < engine.blocks(); ++b) {
    demand.merge(demand_block(g, t, users, block_range(engine.users(), B, b)));
    outcomes.merge(outcome_block(g, at, profile, users, Reserve::none, s.scenario.population->seed, 0,
                                 block_range(engine.users(), B, b), ranges));
  }
  const Demand mine = demand.mean(), theirs = engine.demand(profile);
  EXPECT_TRUE(same_bits(mine.welfare, theirs.welfare));
  for (int i = 0; i < s.tables.n; ++i) EXPECT_TRUE(same_bits(mine.shares[i], theirs.shares[i]));
  const OutcomeTallies all = engine.outcomes(profile, Reserve::none, ranges);
  EXPECT_TRUE(same_bits(outcomes.market.welfare.sum, all.market.welfare.sum));
  EXPECT_TRUE(same_bits(outcomes.auction.payment.sum_sq, all.auction.payment.sum_sq));
  EXPECT_EQ(outcomes.market.choices, all.market.choices);
  EXPECT_EQ(outcomes.market.welfare_hist.counts, all.market.welfare_hist.counts);

  // One block holding every user (a "one-shot" pass): the same counts exactly, the same sums up to rounding.
  const OutcomeTallies one = outcome_block(g, at, profile, users, Reserve::none, s.scenario.population->seed, 0,
                                           BlockRange{0, engine.users()}, ranges);
  EXPECT_EQ(one.market.choices, all.market.choices);
  EXPECT_EQ(one.auction.welfare_hist.counts, all.auction.welfare_hist.counts);
  EXPECT_EQ(one.market.welfare.count, all.market.welfare.count);
  EXPECT_NEAR(one.market.welfare.sum, all.market.welfare.sum, 1e-12 * std::fabs(all.market.welfare.sum));
  const DemandSums whole = demand_block(g, t, users, BlockRange{0, engine.users()});
  EXPECT_NEAR(whole.mean().welfare, theirs.welfare, 1e-13 * std::fabs(theirs.welfare));
}

TEST(Population, DecodedBlockArchivesMergeToTheSameBits) {
  // What an MPI rank would send: every block's partial results, encoded, decoded on rank 0 and merged in order.
  const Case s(gsm8k_population(HETEROGENEOUS));
  const PopulationEngine engine = s.engine();
  const Profile profile(9, 3);
  const ProfileTables at(s.tables, profile);
  const population::ProfileView t = at.view(s.tables.n, s.tables.Q);
  const population::QueryView g = s.tables.view();
  const population::UsersView users = engine.population().view();
  const HistogramRanges ranges = histogram_ranges(s.tables, *s.scenario.population);
  DemandSums demand;
  UtilitySums utilities;
  OutcomeTallies outcomes = make_outcome_tallies(s.tables.n, ranges);
  for (std::int64_t b = 0; b < engine.blocks(); ++b) {
    const BlockRange r = block_range(engine.users(), s.scenario.population->block_size, b);
    demand.merge(decode_demand_block(encode_demand_block(demand_block(g, t, users, r)), s.tables.n));
    utilities.merge(decode_utility_block(encode_utility_block(utilities_block(g, t, users, 4, r)),
                                         static_cast<std::size_t>(s.tables.K)));
    outcomes.merge(decode_outcome_block(encode_outcome_block(outcome_block(g, at, profile, users, Reserve::none,
                                                                           s.scenario.population->seed, 0, r, ranges)),
                                        "block", s.tables.n, ranges, r.end - r.begin));
  }
  EXPECT_TRUE(same_bits(demand.mean().welfare, engine.demand(profile).welfare));
  std::vector<double> log_u(s.tables.K);
  engine.log_utilities(profile, 4, log_u);
  for (int k = 0; k < s.tables.K; ++k)
    EXPECT_TRUE(same_bits(utilities.levels[k].value() - std::log(static_cast<double>(engine.users())), log_u[k]));
  const OutcomeTallies all = engine.outcomes(profile, Reserve::none, ranges);
  EXPECT_TRUE(same_bits(outcomes.auction.welfare.sum_sq, all.auction.welfare.sum_sq));
  EXPECT_EQ(outcomes.market.payment_hist.counts, all.market.payment_hist.counts);
  EXPECT_EQ(outcomes.market.provider_profit_sum, all.market.provider_profit_sum);
  EXPECT_THROW(decode_outcome_block(Bytes(10), "block", s.tables.n, ranges, engine.users()), InputError);
  // A well-formed block of another shape (more providers) is refused, not merged past the end of the tallies; so is
  // one that counts more users than there are.
  const Bytes wider = encode_outcome_block(make_outcome_tallies(s.tables.n + 1, ranges));
  EXPECT_THROW(decode_outcome_block(wider, "block", s.tables.n, ranges, engine.users()), InputError);
  EXPECT_THROW(decode_outcome_block(encode_outcome_block(all), "block", s.tables.n, ranges, engine.users() - 1),
               InputError);
  EXPECT_EQ(encode_outcome_block(
                decode_outcome_block(encode_outcome_block(all), "block", s.tables.n, ranges, engine.users())),
            encode_outcome_block(all));
  EXPECT_THROW(decode_demand_block(encode_demand_block(DemandSums{}), s.tables.n), InputError);
}

TEST(Population, ResultsDoNotDependOnTheThreadCount) {
  Scenario sc = gsm8k_population(std::string(HETEROGENEOUS) + "replicates = 2\noptimum = \"local-search\"\n");
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const PopulationResult one = testing_support::solve_population(sc);
  omp_set_num_threads(2);
  const PopulationResult two = testing_support::solve_population(sc);
  omp_set_num_threads(threads);
  ASSERT_EQ(one.replicates.size(), two.replicates.size());
  for (std::size_t r = 0; r < one.replicates.size(); ++r) {
    const ReplicateResult &a = one.replicates[r], &b = two.replicates[r];
    EXPECT_EQ(a.dynamics.profile, b.dynamics.profile);
    EXPECT_EQ(a.dynamics.turns, b.dynamics.turns);
    EXPECT_TRUE(same_bits(a.equilibrium_welfare, b.equilibrium_welfare));
    EXPECT_TRUE(same_bits(a.certificate.max_regret, b.certificate.max_regret));
    EXPECT_TRUE(same_bits(a.optimum.welfare, b.optimum.welfare));
    EXPECT_TRUE(same_bits(a.optimum.upper_bound, b.optimum.upper_bound));
    EXPECT_TRUE(same_bits(a.first_best, b.first_best));
  }
  EXPECT_TRUE(same_bits(one.outcomes.market.welfare.sum, two.outcomes.market.welfare.sum));
  EXPECT_TRUE(same_bits(one.outcomes.auction.user_surplus.sum_sq, two.outcomes.auction.user_surplus.sum_sq));
  EXPECT_EQ(one.outcomes.market.welfare_hist.counts, two.outcomes.market.welfare_hist.counts);
}

TEST(Population, ReplicatesDrawDifferentUsersAndTheSameSeedTheSame) {
  const Case s(gsm8k_population(HETEROGENEOUS));
  const PopulationEngine a = s.engine(0), b = s.engine(1), c = s.engine(0);
  EXPECT_NE(a.population().beta[5], b.population().beta[5]);
  EXPECT_EQ(a.population().beta, c.population().beta);
  EXPECT_EQ(a.population().question, c.population().question);
}

TEST(Population, ReachedProfileIsCertifiedAndTheCertificateAgreesWithTheOracle) {
  const Case s(gsm8k_population(HETEROGENEOUS));
  const PopulationEngine engine = s.engine();
  PopulationOracle oracle(engine);
  const DynamicsResult d = run_oracle_dynamics(oracle, s.scenario.dynamics, PotentialFunction{});
  ASSERT_TRUE(d.converged);
  const Certificate independent = engine.certify(d.profile);
  EXPECT_LE(independent.max_relative_regret, s.scenario.dynamics.relative_tolerance);
  const Certificate via_oracle = oracle_certificate(oracle, d.profile.data());
  EXPECT_NEAR(independent.max_relative_regret, via_oracle.max_relative_regret, 1e-12);
  // Away from equilibrium both see the same regrets.
  const Profile off(9, 0);
  const Certificate a = engine.certify(off), b = oracle_certificate(oracle, off.data());
  EXPECT_GT(a.max_relative_regret, 0.1);
  EXPECT_NEAR(a.max_relative_regret, b.max_relative_regret, 1e-10 * a.max_relative_regret);
  EXPECT_NEAR(a.max_regret, b.max_regret, 1e-10 * a.max_regret);
  EXPECT_EQ(a.worst_provider, b.worst_provider);
}

TEST(Population, UtilitiesAreTheMeanProfitsOfTheDemand) {
  const Case s(gsm8k_population(HETEROGENEOUS));
  const PopulationEngine engine = s.engine();
  const Profile profile{5, 4, 3, 2, 1, 0, 5, 4, 3};
  const Demand d = engine.demand(profile);
  std::vector<double> log_u(s.tables.K);
  for (int i = 0; i < s.tables.n; ++i) {
    engine.log_utilities(profile, i, log_u);
    EXPECT_NEAR(std::exp(log_u[profile[i]]), d.profit[i], 1e-12 * d.profit[i]) << "provider " << i;
  }
  double total = d.outside_share;
  for (const double x : d.shares) total += x;
  EXPECT_NEAR(total, 1.0, 1e-12);
}

TEST(Population, OptimumEnumerationLocalSearchAndBoundAreOrdered) {
  const std::string base =
      "users = 3000\nseed = 5\nblock_size = 512\nbeta = { kind = \"lognormal\", median = 2000.0, "
      "sigma = 1.5 }\nv0 = { kind = \"uniform\", low = 0.0, high = 0.004 }\n";
  const Case e(small_population(base + "optimum = \"enumeration\"\n"));
  const Case l(small_population(base + "optimum = \"local-search\"\n"));
  const PopulationEngine engine = e.engine();
  const Profile start{0, 0, 0};
  const PopulationOptimum exact = population_optimum(engine, *e.scenario.population, start);
  const PopulationOptimum local = population_optimum(engine, *l.scenario.population, start);
  EXPECT_EQ(exact.method, "enumeration");
  EXPECT_EQ(local.method, "local-search");
  EXPECT_EQ(exact.profiles_evaluated, 27);
  EXPECT_LE(local.welfare, exact.welfare * (1.0 + 1e-12));
  EXPECT_GE(local.upper_bound, exact.welfare * (1.0 - 1e-12));
  EXPECT_LE(local.upper_bound, engine.first_best() * (1.0 + 1e-12));
  // Enumeration is exact: no profile beats it.
  for (std::int64_t index = 0; index < 27; ++index)
    EXPECT_LE(engine.welfare_of_profiles(index, 1)[0], exact.welfare * (1.0 + 1e-12));
}

TEST(Population, RealizedOutcomesAverageToTheirExpectations) {
  const Case s(gsm8k_population(HETEROGENEOUS));
  const PopulationEngine engine = s.engine();
  const Profile profile{1, 2, 3, 4, 5, 5, 4, 3, 2};
  const Demand d = engine.demand(profile);
  const OutcomeTallies o = engine.outcomes(profile, Reserve::none, histogram_ranges(s.tables, *s.scenario.population));
  const double U = static_cast<double>(engine.users());
  const auto within = [&](const Tally& t, double expected, const char* what) {
    EXPECT_NEAR(t.mean(), expected, K_SIGMA * t.standard_error()) << what << " (seed " << SEED << ")";
  };
  within(o.market.welfare, d.welfare, "market welfare");
  within(o.market.payment, d.weighted_price, "market payment");
  double profit = 0.0;
  for (const double x : d.profit) profit += x;
  // User surplus + provider profit = welfare, user by user: E[surplus] = SW − Σ_i u_i.
  within(o.market.user_surplus, d.welfare - profit, "market user surplus");
  within(o.market.profit, profit, "market provider profit");
  within(o.auction.welfare, o.auction.expected_welfare.mean(), "auction welfare");
  EXPECT_NEAR(o.market.expected_welfare.mean(), d.welfare, 1e-12 * d.welfare);
  for (int i = 0; i < s.tables.n; ++i) {
    const double p = d.shares[i];
    EXPECT_NEAR(static_cast<double>(o.market.choices[i]) / U, p, K_SIGMA * std::sqrt(p * (1.0 - p) / U))
        << "share of provider " << i << " (seed " << SEED << ")";
  }
  EXPECT_EQ(o.market.welfare.count, engine.users());
  EXPECT_EQ(o.market.welfare_hist.total(), engine.users());
  EXPECT_EQ(o.market.welfare_hist.underflow + o.market.welfare_hist.overflow, 0);
}

TEST(Population, ExtremeRationalitiesAndOutsideOptionsStayFinite) {
  // beta up to 1e9 1/USD and |v0| up to 1 USD: every share underflows but one per user; no NaN anywhere.
  const Case s(
      gsm8k_population("users = 3000\nblock_size = 700\nbeta = { kind = \"empirical\", values = [0.0, "
                       "1e-3, 1e5, 1e9] }\nv0 = { kind = \"uniform\", low = -1.0, high = 1.0 }\n"));
  const PopulationEngine engine = s.engine();
  for (const Profile& profile : {Profile(9, 0), Profile(9, 5), Profile{0, 1, 2, 3, 4, 5, 4, 3, 2}}) {
    const Demand d = engine.demand(profile);
    ASSERT_TRUE(std::isfinite(d.welfare));
    double total = d.outside_share;
    for (int i = 0; i < 9; ++i) {
      ASSERT_TRUE(std::isfinite(d.shares[i]) && std::isfinite(d.profit[i]));
      total += d.shares[i];
    }
    EXPECT_NEAR(total, 1.0, 1e-12);
    std::vector<double> log_u(s.tables.K);
    for (int i = 0; i < 9; ++i) {
      engine.log_utilities(profile, i, log_u);
      for (const double v : log_u) ASSERT_FALSE(std::isnan(v)) << "provider " << i;
    }
    const Certificate c = engine.certify(profile);
    EXPECT_FALSE(std::isnan(c.max_regret));
    EXPECT_FALSE(std::isnan(c.max_relative_regret));
  }
  PopulationOracle oracle(engine);
  const DynamicsResult d = run_oracle_dynamics(oracle, s.scenario.dynamics, PotentialFunction{});
  EXPECT_GE(d.rounds, 1);
  // beta = 0 for everyone: uniform choice among the n providers and the outside option.
  const Case uniform(gsm8k_population("users = 100\nbeta = 0.0\n"));
  const Demand u = uniform.engine().demand(Profile(9, 3));
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(u.shares[i], 0.1, 1e-15);
}

// ---- query tables from per-question tables ----

struct TempDir {
  fs::path path;
  TempDir() : path(fs::temp_directory_path() / ("ttcg_population_" + std::to_string(::getpid()))) {
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

QuestionTable table_for(const std::string& model, const std::vector<std::string>& qids, double p_shift) {
  QuestionTable t;
  t.model = model;
  t.method = "majority";
  t.theta = {1, 4, 16};
  t.qid = qids;
  for (std::size_t q = 0; q < qids.size(); ++q)
    for (int k = 0; k < 3; ++k) {
      t.p_correct.push_back(std::min(1.0, 0.2 + 0.1 * static_cast<double>(q) + 0.1 * k + p_shift));
      t.tokens.push_back(100.0 * (k + 1) + 10.0 * static_cast<double>(q));
    }
  return t;
}

void write_curves_file(const fs::path& path, const std::vector<QuestionTable>& tables) {
  h5::File f = h5::File::create(path.string());
  h5::Group root = f.root();
  write_root_attributes(root, RunInfo{}, 0, "");  // a curves file starts with them
  for (const QuestionTable& t : tables) {
    h5::Group g = root.create_group("curves/synthetic/majority/questions/" + t.model);
    write_question_table(g, t);
  }
}

std::string questions_section(const fs::path& file) {
  return "users = 4000\nbeta = 500.0\n[[population.benchmarks]]\nname = \"synthetic\"\nquestions = \"" + file.string() +
         "\"\ndataset = \"synthetic\"\nmethod = \"majority\"\n";
}

TEST(Population, QuestionTablesAreAlignedByQidAcrossProviders) {
  const TempDir dir;
  const fs::path file = dir.path / "curves.h5";
  write_curves_file(file, {table_for("A", {"q1", "q2", "q3", "q4"}, 0.0), table_for("B", {"q4", "q2", "q1"}, 0.05),
                           table_for("C", {"q2", "q1", "q4", "q9"}, 0.1)});
  const Case s(small_population(questions_section(file)));
  const QueryTables& t = s.tables;
  ASSERT_EQ(t.Q, 3);  // q1, q2, q4 in A's order; q3 and q9 are not in every table
  EXPECT_EQ(t.qid, (std::vector<std::string>{"synthetic/q1", "synthetic/q2", "synthetic/q4"}));
  EXPECT_EQ(t.questions_dropped, (std::vector<std::int64_t>{2}));
  // B's q4 is its row 0, with p = 0.2 + 0.1·0 + 0.1·k + 0.05.
  EXPECT_DOUBLE_EQ(t.p_correct[t.at(2, 1, 2)], 0.2 + 0.2 + 0.05);
  EXPECT_DOUBLE_EQ(t.tokens[t.at(2, 1, 2)], 300.0);
  // Users draw only the three kept questions.
  const PopulationEngine engine = s.engine();
  for (const std::int32_t q : engine.population().question) ASSERT_LT(q, 3);
}

TEST(Population, IdenticalQuestionsReproduceTheCurves) {
  // Every question equal to the curves: the mixed logit over questions is the curves' logit.
  const TempDir dir;
  const fs::path file = dir.path / "same.h5";
  const Scenario small = small_population("beta = 1.0\n");
  std::vector<QuestionTable> tables;
  for (const ProviderCurves& p : small.providers.providers) {
    QuestionTable t;
    t.model = p.name;
    t.method = "majority";
    t.theta = small.providers.theta;
    t.qid = {"a", "b"};
    for (int q = 0; q < 2; ++q)
      for (int k = 0; k < 3; ++k) t.p_correct.push_back(p.accuracy[k]), t.tokens.push_back(p.tokens[k]);
    tables.push_back(t);
  }
  write_curves_file(file, tables);
  const Case questions(small_population(questions_section(file)));
  const Case curves(small_population("users = 4000\nbeta = 500.0\n"));
  const Profile profile{1, 0, 2};
  const Demand a = questions.engine().demand(profile), b = curves.engine().demand(profile);
  EXPECT_NEAR(a.welfare, b.welfare, 1e-15);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(a.shares[i], b.shares[i], 1e-15);
}

TEST(Population, RunLogQuestionsEqualTheCurvesFileQuestions) {
  // The synthetic run logs: runlogs = true takes the per-question tables the providers' curves come from; the same
  // tables written to a curves file (as `ttcgames curves -o` does) and read back give the same query tables.
  const std::string synthetic = std::string(TTCG_INPUTS_DIR) + "/runlogs/synthetic/";
  const TempDir dir;
  { std::ofstream(dir.path / "prices.csv") << "model,usd_per_million_tokens\nSynthA-7B,0.2\nSynthB-1B,0.1\n"; }
  const std::string base =
      "format = \"ttcgames-scenario\"\nversion = 1\nname = \"syn\"\n[market]\nalpha = 0.01\n"
      "[providers]\nrunlogs = [\"" +
      synthetic + "SynthA-7B--temp-0.7--samples-64--max-512.jsonl\", \"" + synthetic +
      "SynthB-1B--temp-0.7--samples-64--max-512.jsonl\"]\nmethod = \"majority\"\n"
      "permutations = 50\nseed = 3\nprices = \"" +
      (dir.path / "prices.csv").string() +
      "\"\n[population]\nusers = 1000\nbeta = 300.0\n[[population.benchmarks]]\nname = \"s\"\n";
  const Scenario from_logs = parse_scenario(base + "runlogs = true\n", "");
  const MethodCurves curves = curves_from_runlogs(*from_logs.source.runlogs);
  {
    h5::File f = h5::File::create((dir.path / "curves.h5").string());
    h5::Group root = f.root();
    write_root_attributes(root, RunInfo{}, 0, "");  // a curves file starts with them
    write_curve_groups(root, "synthetic", {curves});
  }
  const Scenario from_file = parse_scenario(base + "questions = \"" + (dir.path / "curves.h5").string() +
                                                "\"\ndataset = \"synthetic\"\nmethod = \"majority\"\n",
                                            "");
  const QueryTables a = build_query_tables(*from_logs.population, from_logs.providers, from_logs.market,
                                           from_logs.source.runlog_curves.get());
  const QueryTables b = build_query_tables(*from_file.population, from_file.providers, from_file.market);
  EXPECT_EQ(a.Q, 200);
  EXPECT_EQ(a.qid, b.qid);
  EXPECT_EQ(a.p_correct, b.p_correct);
  EXPECT_EQ(a.tokens, b.tokens);
  EXPECT_EQ(a.benchmark_source, (std::vector<std::string>{"runlogs"}));
  // Averaged over questions, the tables are the providers' curves.
  for (int i = 0; i < a.n; ++i)
    for (int k = 0; k < a.K; ++k) {
      double mean = 0.0;
      for (std::int64_t q = 0; q < a.Q; ++q) mean += a.p_correct[a.at(q, i, k)] / static_cast<double>(a.Q);
      EXPECT_NEAR(mean, from_logs.providers.providers[i].accuracy[k], 1e-12) << "provider " << i << " level " << k;
    }
}

TEST(Population, RunLogsAreReadOnceByTheLoader) {
  // The loader derives the curves and per-question tables from the run logs; the population takes them from the
  // scenario: with the logs gone after loading, the population still runs and gives the same tables.
  const std::string synthetic = std::string(TTCG_INPUTS_DIR) + "/runlogs/synthetic/";
  const TempDir dir;
  { std::ofstream(dir.path / "prices.csv") << "model,usd_per_million_tokens\nSynthA-7B,0.2\nSynthB-1B,0.1\n"; }
  const std::vector<std::string> logs{"SynthA-7B--temp-0.7--samples-64--max-512.jsonl",
                                      "SynthB-1B--temp-0.7--samples-64--max-512.jsonl"};
  for (const std::string& log : logs) fs::copy_file(synthetic + log, dir.path / log);
  const std::string text =
      "format = \"ttcgames-scenario\"\nversion = 1\nname = \"syn\"\n[market]\nalpha = 0.01\n"
      "[providers]\nrunlogs = [\"" +
      (dir.path / logs[0]).string() + "\", \"" + (dir.path / logs[1]).string() +
      "\"]\nmethod = \"majority\"\npermutations = 50\nseed = 3\nprices = \"" + (dir.path / "prices.csv").string() +
      "\"\n[population]\nusers = 1000\nbeta = 300.0\n[[population.benchmarks]]\nname = \"s\"\n"
      "runlogs = true\n";
  const Scenario s = parse_scenario(text, "");
  ASSERT_TRUE(s.source.runlog_curves);
  const QueryTables before = prepare_population(s, Backend::cpu).tables;
  for (const std::string& log : logs) fs::remove(dir.path / log);
  const QueryTables after = prepare_population(s, Backend::cpu).tables;
  EXPECT_EQ(after.qid, before.qid);
  EXPECT_EQ(after.p_correct, before.p_correct);
  EXPECT_EQ(after.tokens, before.tokens);
  EXPECT_THROW(parse_scenario(text, ""), InputError) << "the logs are gone: loading again must fail";
}

}  // namespace
}  // namespace ttcg
