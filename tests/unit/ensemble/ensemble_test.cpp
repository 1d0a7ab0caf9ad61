// Market ensembles (src/ensemble/ensemble.cpp, ensemble_math.hpp): every market equals the single-market engine's run
// on the same drawn market; results do not depend on threads, block size or the order blocks are computed in; the draws
// follow their distributions; a degenerate ensemble reproduces the paper; and the output tallies are consistent.
#include "ttcgames/ensemble/ensemble.hpp"
#include "ttcgames/ensemble/ensemble_archive.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ttcgames/core/error.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/run/ensemble_stage.hpp"
#include "ttcgames/run/run.hpp"
#include "ttcgames/run/scenario.hpp"

namespace {

using namespace ttcg;

Scenario paper(const std::string& name) {
  return load_scenario(std::string(TTCG_INPUTS_DIR) + "/paper/" + name + ".toml");
}

//! An ensemble over the GSM8K majority pool with every random part switched on.
EnsembleSpec varied_spec(std::int64_t markets) {
  EnsembleSpec e;
  e.markets = markets;
  e.seed = 42;
  e.min_providers = 2;
  e.max_providers = 6;
  e.price_jitter.kind = dist::DistributionKind::lognormal;
  e.price_jitter.sigma = 0.3;
  e.beta = dist::Distribution::range(50.0, 2e5, true);
  e.markup = dist::Distribution::range(0.05, 0.6);
  e.alpha = dist::Distribution::range(0.004, 0.012);
  e.v0 = dist::Distribution::range(-0.001, 0.003);
  e.enumeration_max_profiles = 6 * 6 * 6 * 6;
  e.block_size = 64;
  return e;
}

std::unique_ptr<EnsembleProblem> problem_of(Scenario s, const EnsembleSpec& e) {
  s.ensemble = e;
  return make_ensemble_problem(s);
}

//! Every block of the ensemble, computed `chunk` blocks at a time and merged in order (the ensemble stage's units
//! without the orchestrator; tests/unit/run/ runs it through the orchestrator).
EnsembleSummary all_blocks(const EnsembleProblem& problem, std::int64_t chunk = 16) {
  EnsembleSummary summary(problem);
  for (std::int64_t b = 0; b < problem.blocks(); b += chunk)
    for (const EnsembleBlockResult& r :
         compute_ensemble_blocks(problem, b, std::min(chunk, problem.blocks() - b), Backend::cpu))
      summary.merge(r);
  return summary;
}

//! Both sides bitwise equal, NaN equal to NaN.
bool same(double a, double b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

void expect_same_records(const EnsembleRecords& a, const EnsembleRecords& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.providers, b.providers);
  EXPECT_EQ(a.equilibrium_profile, b.equilibrium_profile);
  EXPECT_EQ(a.optimal_profile, b.optimal_profile);
  EXPECT_EQ(a.num_equilibria, b.num_equilibria);
  EXPECT_EQ(a.auction_winner, b.auction_winner);
  for (std::int64_t m = 0; m < a.size(); ++m) {
    const auto i = static_cast<std::size_t>(m);
    ASSERT_TRUE(same(a.price_of_anarchy[i], b.price_of_anarchy[i])) << "market " << m;
    ASSERT_TRUE(same(a.beta[i], b.beta[i]) && same(a.markup[i], b.markup[i])) << "market " << m;
    ASSERT_TRUE(same(a.max_regret[i], b.max_regret[i]) && same(a.auction_welfare[i], b.auction_welfare[i]));
    ASSERT_TRUE(same(a.price_of_anarchy_worst[i], b.price_of_anarchy_worst[i]));
  }
}

void expect_same_tally(const Tally& a, const Tally& b, const char* what) {
  EXPECT_EQ(a.count, b.count) << what;
  EXPECT_TRUE(same(a.sum, b.sum) && same(a.sum_sq, b.sum_sq)) << what;
  EXPECT_TRUE(same(a.min, b.min) && same(a.max, b.max)) << what;
}

void expect_same_tallies(const EnsembleTallies& a, const EnsembleTallies& b) {
  EXPECT_EQ(a.markets, b.markets);
  EXPECT_EQ(a.enumerated, b.enumerated);
  expect_same_tally(a.inefficiency, b.inefficiency, "inefficiency");
  expect_same_tally(a.auction_to_optimum, b.auction_to_optimum, "auction_to_optimum");
  expect_same_tally(a.worst_inefficiency, b.worst_inefficiency, "worst_inefficiency");
  expect_same_tally(a.rounds, b.rounds, "rounds");
  EXPECT_EQ(a.inefficiency_histogram.counts, b.inefficiency_histogram.counts);
  EXPECT_EQ(a.above_threshold, b.above_threshold);
  ASSERT_EQ(a.worst.size(), b.worst.size());
  for (std::size_t j = 0; j < a.worst.size(); ++j) EXPECT_EQ(a.worst[j].market, b.worst[j].market);
}

TEST(Ensemble, EveryMarketEqualsTheSingleMarketEngineOnTheDrawnMarket) {
  const Scenario base = paper("gsm8k-majority");
  for (const DynamicsRule rule : {DynamicsRule::reference, DynamicsRule::best_response}) {
    Scenario s = base;
    s.dynamics.rule = rule;
    s.start = rule == DynamicsRule::reference ? StartKind::lowest : StartKind::highest;
    s.reserve = rule == DynamicsRule::reference ? Reserve::none : Reserve::outside_option;
    // The structural search enumerates every market; the exhaustive oracle only the small ones.
    s.enumeration.algorithm =
        rule == DynamicsRule::reference ? EnumerationAlgorithm::structural : EnumerationAlgorithm::exhaustive;
    const bool structural = s.enumeration.algorithm == EnumerationAlgorithm::structural;
    EnsembleSpec e = varied_spec(120);
    if (rule == DynamicsRule::best_response) e.order = ProviderOrder::fixed;
    const auto problem = problem_of(s, e);
    const std::vector<MarketOutcome> outcomes = solve_ensemble_markets(*problem, 0, e.markets, Backend::cpu);
    for (std::int64_t m = 0; m < e.markets; ++m) {
      SCOPED_TRACE("market " + std::to_string(m) + ", rule " + to_string(rule));
      const MarketOutcome& o = outcomes[static_cast<std::size_t>(m)];
      const MarketDraw& d = o.draw;
      const MarketTable table = build_market_table(problem->market_providers(d), problem->market_params(d));
      const BetaResult r = solve_beta(table, d.beta, problem->market_dynamics(m, d.n));
      ASSERT_EQ(r.dynamics.profile, Profile(o.equilibrium_profile, o.equilibrium_profile + d.n));
      EXPECT_EQ(r.dynamics.rounds, o.dynamics.rounds);
      EXPECT_EQ(r.dynamics.turns, o.dynamics.turns);
      EXPECT_EQ(r.welfare, o.welfare);
      EXPECT_EQ(r.certificate.max_regret, o.certificate.max_regret);
      EXPECT_EQ(r.certificate.max_relative_regret, o.certificate.max_relative_regret);
      EXPECT_EQ(r.optimum.welfare, o.optimum.welfare);
      EXPECT_EQ(r.optimum.gap, o.optimum.gap);
      EXPECT_EQ(r.optimum.profile, Profile(o.optimal_profile, o.optimal_profile + d.n));
      EXPECT_EQ(r.price_of_anarchy, o.price_of_anarchy);
      const AuctionOutcome a = run_auction(table, s.reserve);
      EXPECT_EQ(a.welfare, o.auction.welfare);
      EXPECT_EQ(a.price, o.auction.price);
      EXPECT_EQ(a.clearing.winner, o.auction.clearing.winner);
      const bool small = profile_count(d.n, table.K) <= e.enumeration_max_profiles;
      ASSERT_EQ(o.enumerated, structural || small);
      if (!o.enumerated) continue;
      EnumerationOptions eo;  // the oracle over all profiles
      eo.relative_tolerance = s.enumeration.relative_tolerance;
      eo.algorithm = EnumerationAlgorithm::exhaustive;
      const EquilibriumSet set = enumerate_equilibria(Game(table, d.beta), eo);
      EXPECT_EQ(set.count, o.equilibria.count);
      if (set.count > 0) {
        EXPECT_EQ(set.worst_welfare, o.equilibria.worst_welfare);
        EXPECT_EQ(set.best_welfare, o.equilibria.best_welfare);
        EXPECT_EQ(encode_profile(set.worst_profile.data(), d.n, table.K), o.equilibria.worst_index);
        EXPECT_EQ(encode_profile(set.best_profile.data(), d.n, table.K), o.equilibria.best_index);
      }
    }
  }
}

TEST(Ensemble, ResultsDoNotDependOnTheThreadCount) {
  const auto problem = problem_of(paper("gsm8k-majority"), varied_spec(600));
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const EnsembleSummary one = all_blocks(*problem);
  omp_set_num_threads(2);
  const EnsembleSummary two = all_blocks(*problem);
  omp_set_num_threads(threads);
  expect_same_records(one.records, two.records);
  expect_same_tallies(one.tallies, two.tallies);
}

TEST(Ensemble, BlocksComputedApartAndMergedEqualTheOneShotRun) {
  const auto problem = problem_of(paper("gsm8k-majority"), varied_spec(500));  // 8 blocks, the last one partial
  ASSERT_EQ(problem->blocks(), 8);
  const EnsembleSummary one_shot = all_blocks(*problem, 3);
  std::vector<EnsembleBlockResult> blocks;  // computed last to first, each through its byte archive (a rank's message)
  for (std::int64_t b = problem->blocks(); b-- > 0;)
    blocks.push_back(decode_ensemble_block(encode_ensemble_block(compute_ensemble_block(*problem, b, Backend::cpu)),
                                           "block", *problem, b));
  const EnsembleSummary merged = merge_ensemble_blocks(*problem, std::move(blocks));
  EXPECT_TRUE(merged.complete(*problem));
  expect_same_records(one_shot.records, merged.records);
  expect_same_tallies(one_shot.tallies, merged.tallies);
}

TEST(Ensemble, BlockArchivesRoundTripBitForBit) {
  const auto problem = problem_of(paper("gsm8k-majority"), varied_spec(100));
  const EnsembleBlockResult b = compute_ensemble_block(*problem, 1, Backend::cpu);
  const Bytes bytes = encode_ensemble_block(b);
  EXPECT_EQ(encode_ensemble_block(decode_ensemble_block(bytes, "block", *problem, 1)), bytes);
  const Bytes truncated(bytes.begin(), bytes.end() - 3);
  EXPECT_THROW(decode_ensemble_block(truncated, "block", *problem, 1), InputError);
  EXPECT_THROW(decode_ensemble_block(bytes, "block", *problem, 0), InputError);  // another block's result
  for (const auto& damage : std::vector<std::function<void(EnsembleBlockResult&)>>{
           [](EnsembleBlockResult& x) { x.records.beta.pop_back(); },
           [](EnsembleBlockResult& x) { x.records.providers.push_back(0); },
           [](EnsembleBlockResult& x) { x.records.width += 1; }, [](EnsembleBlockResult& x) { x.tallies.markets += 1; },
           [](EnsembleBlockResult& x) { x.tallies.above_threshold.push_back(0); },
           [](EnsembleBlockResult& x) { x.tallies.inefficiency_histogram.counts.pop_back(); },
           [](EnsembleBlockResult& x) {
             x.tallies.worst.push_back(WorstMarket{0, 2.0});
           },
           [](EnsembleBlockResult& x) { x.tallies.inefficiency_histogram.counts[3] = std::int64_t{1} << 62; },
           [](EnsembleBlockResult& x) { x.tallies.auction_to_optimum_histogram.overflow = -1; },
           [](EnsembleBlockResult& x) { x.tallies.rounds.count = x.tallies.markets + 1; },
           [](EnsembleBlockResult& x) { x.tallies.above_threshold[0] = -3; }}) {
    EnsembleBlockResult d = b;
    damage(d);
    EXPECT_THROW(decode_ensemble_block(encode_ensemble_block(d), "block", *problem, 1), InputError);
  }
}

TEST(Ensemble, BlocksMergeOnlyInOrder) {
  const auto problem = problem_of(paper("gsm8k-majority"), varied_spec(200));
  EnsembleSummary s(*problem);
  EXPECT_THROW(s.merge(compute_ensemble_block(*problem, 1, Backend::cpu)), std::invalid_argument);
  EXPECT_THROW(compute_ensemble_blocks(*problem, 2, 5, Backend::cpu), InputError);
}

TEST(Ensemble, MarketsDoNotDependOnTheBlockSize) {
  EnsembleSpec e = varied_spec(300);
  const auto a = problem_of(paper("gsm8k-majority"), e);
  e.block_size = 7;
  const auto b = problem_of(paper("gsm8k-majority"), e);
  expect_same_records(all_blocks(*a).records, all_blocks(*b).records);
}

TEST(Ensemble, TalliesAgreeWithTheRecords) {
  const auto problem = problem_of(paper("gsm8k-majority"), varied_spec(400));
  const EnsembleSummary r = all_blocks(*problem);
  const EnsembleRecords& rec = r.records;
  const EnsembleTallies& t = r.tallies;
  ASSERT_EQ(rec.size(), 400);
  double sum = 0.0;
  std::int64_t finite = 0, enumerated = 0, above = 0;
  for (std::int64_t m = 0; m < rec.size(); ++m) {
    const double poa = rec.price_of_anarchy[static_cast<std::size_t>(m)];
    if (std::isfinite(poa)) sum += 100.0 * (poa - 1.0), ++finite;
    if (100.0 * (poa - 1.0) > problem->spec().thresholds[1]) ++above;
    enumerated += rec.enumerated[static_cast<std::size_t>(m)];
  }
  EXPECT_EQ(t.inefficiency.count, finite);
  EXPECT_NEAR(t.inefficiency.sum, sum, 1e-9 * std::fabs(sum));
  EXPECT_EQ(t.enumerated, enumerated);
  EXPECT_EQ(t.above_threshold[1], above);
  EXPECT_EQ(t.inefficiency_histogram.total(), t.markets);
  ASSERT_FALSE(t.worst.empty());
  for (const double poa : rec.price_of_anarchy) EXPECT_LE(poa, t.worst.front().price_of_anarchy);
  EXPECT_GT(t.enumerated, 0);
  EXPECT_GT(t.worst_inefficiency.count, 0);
  // Every enumerated equilibrium set brackets the reached profile's welfare.
  for (std::int64_t m = 0; m < rec.size(); ++m) {
    const auto i = static_cast<std::size_t>(m);
    if (!rec.enumerated[i] || rec.num_equilibria[i] == 0) continue;
    EXPECT_GE(rec.price_of_anarchy_worst[i], rec.price_of_stability[i]);
    EXPECT_GE(rec.optimal_welfare[i], rec.best_equilibrium_welfare[i]);
  }
}

// ---- the draws

//! k·σ of the statistical tests (a fixed seed; a failure prints it).
constexpr double K_SIGMA = 5.0;

TEST(EnsembleDraws, LognormalJitterHasMedianOneAndTheGivenSigma) {
  EnsembleSpec e = varied_spec(20000);
  const auto problem = problem_of(paper("gsm8k-majority"), e);
  Tally log_factor;
  std::vector<std::int64_t> chosen(9, 0);
  Tally n;
  const double M = static_cast<double>(e.markets);
  for (std::uint32_t m = 0; m < e.markets; ++m) {
    const MarketDraw d = draw_market(problem->params(), m);
    n.add(d.n);
    for (int s = 0; s < d.n; ++s) {
      log_factor.add(std::log(d.price_factor[s]));
      ++chosen[static_cast<std::size_t>(d.providers[s])];
      if (s > 0) {
        EXPECT_LT(d.providers[s - 1], d.providers[s]) << "distinct and ascending";
      }
    }
  }
  const double sigma = e.price_jitter.sigma;
  const double count = static_cast<double>(log_factor.count);
  EXPECT_NEAR(log_factor.mean(), 0.0, K_SIGMA * sigma / std::sqrt(count)) << "seed " << e.seed;
  EXPECT_NEAR(log_factor.stddev(), sigma, K_SIGMA * sigma / std::sqrt(2.0 * count)) << "seed " << e.seed;
  // n uniform on 2..6: mean 4, variance 2.
  EXPECT_NEAR(n.mean(), 4.0, K_SIGMA * std::sqrt(2.0 / M)) << "seed " << e.seed;
  // Each of the 9 pool providers is in a market with probability E[n]/9.
  const double p = 4.0 / 9.0;
  for (const std::int64_t c : chosen)
    EXPECT_NEAR(static_cast<double>(c) / M, p, K_SIGMA * std::sqrt(p * (1 - p) / M)) << "seed " << e.seed;
}

TEST(EnsembleDraws, RangesAreUniformOrLogUniform) {
  EnsembleSpec e = varied_spec(20000);
  e.price_jitter = dist::Distribution::range(0.8, 1.4);
  const auto problem = problem_of(paper("gsm8k-majority"), e);
  Tally log_beta, markup, factor;
  for (std::uint32_t m = 0; m < e.markets; ++m) {
    const MarketDraw d = draw_market(problem->params(), m);
    log_beta.add(std::log(d.beta));
    markup.add(d.markup);
    factor.add(d.price_factor[0]);
    EXPECT_TRUE(d.beta >= 50.0 * (1 - 1e-14) && d.beta <= 2e5 * (1 + 1e-14));
    EXPECT_TRUE(d.alpha >= 0.004 && d.alpha <= 0.012 && d.v0 >= -0.001 && d.v0 <= 0.003);
  }
  const double M = static_cast<double>(e.markets);
  const double lo = std::log(50.0), hi = std::log(2e5);
  EXPECT_NEAR(log_beta.mean(), 0.5 * (lo + hi), K_SIGMA * (hi - lo) / std::sqrt(12.0 * M)) << "seed " << e.seed;
  EXPECT_NEAR(markup.mean(), 0.325, K_SIGMA * 0.55 / std::sqrt(12.0 * M)) << "seed " << e.seed;
  EXPECT_NEAR(factor.mean(), 1.1, K_SIGMA * 0.6 / std::sqrt(12.0 * M)) << "seed " << e.seed;
}

TEST(EnsembleDraws, DifferentSeedsGiveDifferentMarketsAndTheSameSeedTheSame) {
  EnsembleSpec e = varied_spec(50);
  const auto a = problem_of(paper("gsm8k-majority"), e);
  const auto b = problem_of(paper("gsm8k-majority"), e);
  e.seed = 43;
  const auto c = problem_of(paper("gsm8k-majority"), e);
  int differ = 0;
  for (std::uint32_t m = 0; m < 50; ++m) {
    const MarketDraw x = draw_market(a->params(), m), y = draw_market(b->params(), m), z = draw_market(c->params(), m);
    EXPECT_EQ(x.beta, y.beta);
    EXPECT_EQ(x.n, y.n);
    differ += x.beta != z.beta;
  }
  EXPECT_EQ(differ, 50);
}

// ---- a degenerate ensemble is the paper's market

TEST(Ensemble, DegenerateEnsembleReproducesThePapersPriceOfAnarchy) {
  std::ifstream in(std::string(TTCG_TEST_DATA_DIR) + "/reference/GSM8K.json");
  ASSERT_TRUE(in);
  const nlohmann::json ref = nlohmann::json::parse(in)["methods"]["majority"];
  for (const auto& [beta_text, row] : ref["by_beta"].items()) {
    SCOPED_TRACE("beta " + beta_text);
    EnsembleSpec e;
    e.markets = 20;
    e.block_size = 8;
    e.beta = dist::Distribution::range(std::stod(beta_text), std::stod(beta_text));
    e.enumerate = false;
    const auto problem = problem_of(paper("gsm8k-majority"), e);  // all nine models, no jitter, markup 0.25
    const EnsembleSummary r = all_blocks(*problem);
    const double poa = row["price_of_anarchy"].get<double>();
    EXPECT_EQ(r.tallies.markets, 20);
    for (std::size_t m = 0; m < 20; ++m) {
      EXPECT_NEAR(r.records.price_of_anarchy[m], poa, 1e-12 * poa);
      EXPECT_NEAR(r.records.auction_welfare[m], ref["auction"]["welfare"].get<double>(), 1e-15);
    }
    EXPECT_NEAR(r.tallies.price_of_anarchy.mean(), poa, 1e-12 * poa);
    EXPECT_EQ(r.tallies.inefficiency.min, r.tallies.inefficiency.max) << "every market is the same";
  }
}

// ---- bad [ensemble] input (programmatic; the TOML forms are in scenario_ensemble_test.cpp)

std::string error_of(const EnsembleSpec& e, Scenario s = paper("gsm8k-majority")) {
  try {
    problem_of(std::move(s), e);
  } catch (const InputError& x) {
    return x.what();
  }
  return "";
}

TEST(EnsembleErrors, ProblemValidatesItsSpec) {
  EnsembleSpec e = varied_spec(10);
  e.max_providers = 10;
  EXPECT_NE(error_of(e).find("ensemble.providers"), std::string::npos);
  e = varied_spec(10);
  e.pool = {"Qwen2.5-7B", "Qwen2.5-7B-Instruct"};
  const std::string pool = error_of(e);
  EXPECT_NE(pool.find("ensemble.pool"), std::string::npos) << pool;
  EXPECT_NE(pool.find("did you mean 'Qwen2.5-7B'"), std::string::npos) << pool;
  e = varied_spec(10);
  e.order = ProviderOrder::reference;
  EXPECT_NE(error_of(e).find("ensemble.order"), std::string::npos);
  e = varied_spec(10);
  e.markup = dist::Distribution::range(-1.0, 0.5);
  EXPECT_NE(error_of(e).find("ensemble.markup"), std::string::npos);
  Scenario explicit_start = paper("gsm8k-majority");
  explicit_start.start = StartKind::explicit_profile;
  EXPECT_NE(error_of(varied_spec(10), explicit_start).find("dynamics.start"), std::string::npos);
}

}  // namespace

// A market whose dynamics stop at max_rounds has no equilibrium at its reached profile: it is counted and left out
// of every statistic of that profile (PoA, inefficiency, thresholds, worst markets, auction against equilibrium),
// and stays in what does not depend on the dynamics (auction against the optimum).
TEST(Ensemble, NonConvergedMarketsAreCountedAndLeftOutOfTheReachedProfileStatistics) {
  Scenario s = paper("gsm8k-majority");
  s.dynamics.max_rounds = 3;
  const EnsembleSpec e = varied_spec(400);
  const auto problem = problem_of(s, e);
  const EnsembleSummary r = all_blocks(*problem);
  const EnsembleRecords& m = r.records;
  const EnsembleTallies& t = r.tallies;
  std::int64_t converged = 0;
  std::vector<std::int64_t> above(e.thresholds.size(), 0);
  for (std::size_t j = 0; j < m.converged.size(); ++j) {
    if (!m.converged[j]) continue;
    ++converged;
    const double ineff = 100.0 * (m.price_of_anarchy[j] - 1.0);
    for (std::size_t k = 0; k < e.thresholds.size(); ++k) above[k] += ineff > e.thresholds[k];
  }
  ASSERT_GT(converged, 0) << "some markets converge within three rounds";
  ASSERT_LT(converged, e.markets) << "and some do not";
  EXPECT_EQ(t.markets, e.markets);
  EXPECT_EQ(t.not_converged, e.markets - converged);
  EXPECT_EQ(t.price_of_anarchy.count + t.infinite_poa, converged);
  EXPECT_EQ(t.inefficiency_histogram.total(), converged);
  EXPECT_EQ(t.auction_to_equilibrium_histogram.total(), converged);
  EXPECT_EQ(t.auction_to_optimum_histogram.total(), e.markets) << "independent of the dynamics";
  EXPECT_EQ(t.rounds.count, e.markets);
  EXPECT_EQ(t.above_threshold, above);
  for (const WorstMarket& w : t.worst) EXPECT_TRUE(m.converged[static_cast<std::size_t>(w.market)]) << w.market;
}
