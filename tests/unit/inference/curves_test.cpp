// The estimators of the inference stage (curves.hpp): the visit against the reference's rules recomputed by brute
// force, exact uniformity of the shuffle, reproducibility for any thread count and block order, the closed forms
// against enumeration, statistical agreement of permutations with the exact expectations, relative-effort binning,
// bad input, and the HDF5/CSV output.
#include <gtest/gtest.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <numeric>
#include <random>

#include "curves_fixtures.hpp"
#include "scratch_dir.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/curves.hpp"
#include "ttcgames/inference/synthetic_runlog.hpp"

namespace {

using namespace ttcg;
using test::make_log;
using test::Sample;
namespace fs = std::filesystem;

//! Agreement of a Monte Carlo estimate with its expectation, in standard errors.
constexpr double K_SIGMA = 5.0;
//! Rounding tolerance of closed forms evaluated two ways.
constexpr double CLOSED_FORM_TOL = 1e-12;
constexpr double NEG_INF = -std::numeric_limits<double>::infinity();

CurveOptions options(std::int64_t permutations, std::uint64_t seed, std::vector<int> theta = {}) {
  CurveOptions o;
  o.permutations = permutations;
  o.seed = seed;
  o.theta = std::move(theta);
  o.bootstrap = 200;
  return o;
}

//! The reference's outcome on one prefix of a visit, recomputed the way accuracy_analysis.py does it.
struct Brute {
  int majority, best, any;
  double tokens;
};
Brute brute_force(const SampleMatrix& m, std::int64_t q, const std::vector<std::uint32_t>& order, int theta) {
  const std::size_t row = static_cast<std::size_t>(q) * m.N;
  const auto at = [&](int j) { return row + order[static_cast<std::size_t>(j)]; };
  std::vector<int> counts(static_cast<std::size_t>(theta));
  bool has_valid = false;
  for (int i = 0; i < theta; ++i) {
    if (m.label[at(i)] < 0) {
      counts[i] = -1;
      continue;
    }
    has_valid = true;
    for (int j = 0; j < theta; ++j) counts[i] += m.label[at(j)] == m.label[at(i)] ? 1 : 0;
  }
  const int pos = static_cast<int>(std::max_element(counts.begin(), counts.end()) - counts.begin());
  int majority = 0;
  if (has_valid)
    for (int j = 0; j < theta; ++j)
      if (m.label[at(j)] == m.label[at(pos)] && m.correct[at(j)]) majority = 1;
  int best_pos = 0, any = 0;
  double tokens = 0.0;
  for (int j = 0; j < theta; ++j) {
    if (m.reward[at(j)] > m.reward[at(best_pos)]) best_pos = j;
    any |= m.correct[at(j)];
    tokens += m.tokens[at(j)];
  }
  return {majority, m.correct[at(best_pos)], any, tokens};
}

TEST(ThetaGrid, IsTheReferenceGrid) {
  EXPECT_EQ(reference_theta_grid(128), (std::vector<int>{1, 4, 8, 16, 32, 64}));
  EXPECT_EQ(reference_theta_grid(64), (std::vector<int>{1, 4, 8, 16, 32}));
  EXPECT_EQ(reference_theta_grid(100), (std::vector<int>{1, 4, 8, 16, 32}));
  EXPECT_EQ(reference_theta_grid(8), (std::vector<int>{1, 4}));
  EXPECT_EQ(reference_theta_grid(4), (std::vector<int>{1}));
  EXPECT_EQ(reference_theta_grid(2), (std::vector<int>{1}));
  EXPECT_TRUE(reference_theta_grid(1).empty());
}

TEST(PermutationVisit, FollowsTheReferenceRulesOnEveryPrefix) {
  SyntheticRunLogSpec spec;
  spec.questions = 30;
  spec.samples = 12;
  spec.distractors = 2;
  spec.invalid = 0.25;
  spec.missing_reward = 0.3;
  spec.seed = 3;
  const SampleMatrix m = sample_matrix(synthetic_runlog(spec), 12);
  std::vector<std::int32_t> theta(12);
  std::iota(theta.begin(), theta.end(), 1);
  const PermutationView v = m.view(theta, 7);
  std::vector<std::uint32_t> order(12), count(12), first(12);
  std::vector<std::uint8_t> label_correct(12), majority(12), best(12), any(12);
  std::vector<double> tokens(12);
  const PermutationScratch s{order.data(), count.data(), first.data(), label_correct.data(), 1};
  for (std::uint32_t p = 0; p < 40; ++p)
    for (std::uint32_t q = 0; q < m.Q; ++q) {
      permutation_outcomes(v, p, q, s, majority.data(), best.data(), any.data(), tokens.data());
      std::vector<std::uint32_t> sorted = order;
      std::sort(sorted.begin(), sorted.end());
      for (std::uint32_t i = 0; i < 12; ++i) ASSERT_EQ(sorted[i], i) << "the visit order is not a permutation";
      for (int k = 0; k < 12; ++k) {
        const Brute b = brute_force(m, q, order, theta[k]);
        ASSERT_EQ(majority[k], b.majority) << "p " << p << " q " << q << " theta " << theta[k];
        ASSERT_EQ(best[k], b.best) << "p " << p << " q " << q << " theta " << theta[k];
        ASSERT_EQ(any[k], b.any);
        ASSERT_EQ(tokens[k], b.tokens);
      }
    }
}

TEST(PermutationVisit, ShuffleIsUniformOverAllOrders) {
  // 4 samples: each of the 24 orders should appear with probability 1/24 (chi-square, 23 degrees of freedom).
  constexpr std::uint64_t SEED = 11;
  constexpr std::uint32_t DRAWS = 24000;
  const RunLog log = make_log("m", {{{0, true}, {1, false}, {2, false}, {3, true}}});
  const SampleMatrix m = sample_matrix(log, 4);
  const std::vector<std::int32_t> theta{4};
  const PermutationView v = m.view(theta, SEED);
  std::vector<std::uint32_t> order(4), count(4), first(4);
  std::vector<std::uint8_t> lc(4), a(1), b(1), c(1);
  std::vector<double> t(1);
  const PermutationScratch s{order.data(), count.data(), first.data(), lc.data(), 1};
  std::map<std::vector<std::uint32_t>, int> seen;
  for (std::uint32_t p = 0; p < DRAWS; ++p) {
    permutation_outcomes(v, p, 0, s, a.data(), b.data(), c.data(), t.data());
    ++seen[order];
  }
  ASSERT_EQ(seen.size(), 24u);
  const double expected = DRAWS / 24.0;
  double chi2 = 0.0;
  for (const auto& [o, n] : seen) chi2 += (n - expected) * (n - expected) / expected;
  const double dof = 23.0;
  EXPECT_LT(chi2, dof + K_SIGMA * std::sqrt(2.0 * dof)) << "seed " << SEED;
}

TEST(PermutationVisit, LevelsAreNestedAndIndependentOfTheLargestLevel) {
  SyntheticRunLogSpec spec;
  spec.questions = 20;
  spec.samples = 16;
  const SampleMatrix m = sample_matrix(synthetic_runlog(spec), 16);
  const std::vector<std::int32_t> short_grid{1, 4}, long_grid{1, 4, 8, 16};
  const PermutationTallies a = permutation_tallies(m.view(short_grid, 5), 64, Backend::cpu);
  const PermutationTallies b = permutation_tallies(m.view(long_grid, 5), 64, Backend::cpu);
  for (std::int64_t p = 0; p < 64; ++p)
    for (int k = 0; k < 2; ++k) {
      EXPECT_EQ(a.trial_majority[p * 2 + k], b.trial_majority[p * 4 + k]);
      EXPECT_EQ(a.trial_best[p * 2 + k], b.trial_best[p * 4 + k]);
      EXPECT_EQ(a.trial_tokens[p * 2 + k], b.trial_tokens[p * 4 + k]);
    }
}

TEST(PermutationTallies, IdenticalForAnyThreadCountAndBlockOrder) {
  SyntheticRunLogSpec spec;
  spec.questions = 50;
  spec.samples = 32;
  const SampleMatrix m = sample_matrix(synthetic_runlog(spec), 32);
  const std::vector<std::int32_t> theta{1, 4, 8, 16, 32};
  const PermutationView v = m.view(theta, 1);
  constexpr std::int64_t P = 3 * PERMUTATION_BLOCK + 5;  // a partial last block
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const PermutationTallies one = permutation_tallies(v, P, Backend::cpu);
  omp_set_num_threads(2);
  const PermutationTallies two = permutation_tallies(v, P, Backend::cpu);
  omp_set_num_threads(threads);
  std::vector<PermutationBlock> blocks;
  for (std::int64_t b = permutation_blocks(P); b-- > 0;) blocks.push_back(compute_permutation_block(v, P, b));
  const PermutationTallies reversed = merge_permutation_blocks(v, P, blocks);
  for (const PermutationTallies* t : {&two, &reversed}) {
    EXPECT_EQ(one.trial_majority, t->trial_majority);
    EXPECT_EQ(one.trial_best, t->trial_best);
    EXPECT_EQ(one.trial_any, t->trial_any);
    EXPECT_EQ(one.trial_tokens, t->trial_tokens);  // bitwise
    EXPECT_EQ(one.question_majority, t->question_majority);
    EXPECT_EQ(one.question_tokens, t->question_tokens);
  }
  blocks.pop_back();
  EXPECT_THROW(merge_permutation_blocks(v, P, blocks), std::logic_error);
}

TEST(LoggedOrder, IsTheVisitInTheOrderOfTheLog) {
  SyntheticRunLogSpec spec;
  spec.questions = 40;
  spec.samples = 10;
  spec.distractors = 2;
  spec.invalid = 0.2;
  const RunLog log = synthetic_runlog(spec);
  const SampleMatrix m = sample_matrix(log, 10);
  std::vector<int> theta(10);
  std::iota(theta.begin(), theta.end(), 1);
  CurveOptions o = options(1000, 3, theta);
  o.estimator = Estimator::logged_order;
  const auto c = sample_count_curves({log}, {CurveMethod::majority, CurveMethod::best_of_n, CurveMethod::pass_at_k}, o);
  EXPECT_EQ(c[0].estimator, Estimator::logged_order);
  EXPECT_EQ(c[0].permutations, 0);
  std::vector<std::uint32_t> identity(10);
  std::iota(identity.begin(), identity.end(), 0u);
  for (std::int64_t q = 0; q < m.Q; ++q)
    for (int k = 0; k < 10; ++k) {
      const Brute b = brute_force(m, q, identity, theta[k]);
      EXPECT_EQ(c[0].models[0].table.p_correct[c[0].models[0].table.at(q, k)], b.majority);
      EXPECT_EQ(c[1].models[0].table.p_correct[c[1].models[0].table.at(q, k)], b.best);
      EXPECT_EQ(c[2].models[0].table.p_correct[c[2].models[0].table.at(q, k)], b.any);
      EXPECT_EQ(c[0].models[0].table.tokens[c[0].models[0].table.at(q, k)], b.tokens);
    }
  EXPECT_TRUE(std::isnan(c[0].models[0].accuracy_lo[0]));
}

TEST(Curves, LogsWithoutTokenCountsGiveNaNTokenCurves) {
  SyntheticRunLogSpec spec;
  spec.questions = 20;
  spec.samples = 8;
  RunLog log = synthetic_runlog(spec);
  std::fill(log.tokens.begin(), log.tokens.end(), NAN);
  const auto c = sample_count_curves({log}, {CurveMethod::majority}, options(50, 0, {1, 8}));
  EXPECT_TRUE(std::isnan(c[0].models[0].tokens[1]));
  EXPECT_TRUE(std::isnan(c[0].models[0].tokens_sd[1]));
  EXPECT_GT(c[0].models[0].accuracy[1], 0.0);
  EXPECT_THROW(to_provider_set(c[0], {}), InputError);  // such curves cannot price a market
  log.tokens[3] = 100.0;                                // some counts but not all
  EXPECT_THROW(sample_count_curves({log}, {CurveMethod::majority}, options(50, 0, {1, 8})), InputError);
}

TEST(PassAtK, ClosedFormsAndStability) {
  EXPECT_EQ(pass_at_k(10000, 0, 10000), 0.0);
  EXPECT_EQ(pass_at_k(10000, 1, 10000), 1.0);
  EXPECT_EQ(pass_at_k(10000, 9000, 10000), 1.0);
  EXPECT_NEAR(pass_at_k(10000, 1, 9999), 0.9999, CLOSED_FORM_TOL);
  EXPECT_NEAR(pass_at_k(10000, 1, 5000), 0.5, CLOSED_FORM_TOL);
  // c = 2: 1 − (n−k)(n−k−1)/(n(n−1)).
  const auto two = [](double n, double k) { return 1.0 - (n - k) * (n - k - 1.0) / (n * (n - 1.0)); };
  EXPECT_NEAR(pass_at_k(10000, 2, 3000), two(10000, 3000), CLOSED_FORM_TOL);
  EXPECT_NEAR(pass_at_k(1000000000, 1, 300000000), 0.3, CLOSED_FORM_TOL);
  EXPECT_NEAR(pass_at_k(std::int64_t{1} << 50, 2, std::int64_t{1} << 49), two(std::ldexp(1.0, 50), std::ldexp(1.0, 49)),
              CLOSED_FORM_TOL);
  // k = 1: c/n exactly in value.
  EXPECT_NEAR(pass_at_k(123456789, 4567, 1), 4567.0 / 123456789.0, 1e-15);
  EXPECT_EQ(subset_avoid_probability(10, 3, 8), 0.0);
  EXPECT_THROW(pass_at_k(10, 1, 11), std::invalid_argument);
}

TEST(PassAtK, LogGammaPathAgreesWithTheProduct) {
  // Both paths where both apply: more than 2^20 factors (log-gamma ratio) against a long-double product.
  const std::int64_t n = 242000000000, bad = 1100000, k = 1100000;  // C(n−b,k)/C(n,k) ≈ exp(−k·b/n) ≈ e^−5
  long double log_p = 0.0L;
  for (std::int64_t i = 0; i < k; ++i)
    log_p += std::log1p(-static_cast<long double>(bad) / static_cast<long double>(n - i));
  const double product = static_cast<double>(std::exp(log_p));
  EXPECT_NEAR(subset_avoid_probability(n, bad, k) / product, 1.0, 1e-9);
}

TEST(BestOfExact, MatchesEnumerationOfAllSubsetsWithTies) {
  const std::vector<double> reward{1.0, 1.0, 0.5, NEG_INF, NEG_INF, 0.5, 2.0, 1.0};
  const std::vector<std::uint8_t> correct{1, 0, 1, 0, 1, 0, 0, 1};
  std::vector<std::int32_t> theta(8);
  std::iota(theta.begin(), theta.end(), 1);
  const std::vector<double> exact = best_of_exact(reward, correct, theta);
  for (int t = 1; t <= 8; ++t) {
    double sum = 0.0;
    int subsets = 0;
    for (unsigned mask = 0; mask < 256; ++mask) {
      if (__builtin_popcount(mask) != t) continue;
      ++subsets;
      double top = -std::numeric_limits<double>::max() * 2;
      bool first = true;
      for (int j = 0; j < 8; ++j)
        if (mask >> j & 1u) {
          if (first || reward[j] > top) top = reward[j];
          first = false;
        }
      int tied = 0, right = 0;  // the first tied sample of a random order is uniform among the tied ones
      for (int j = 0; j < 8; ++j)
        if ((mask >> j & 1u) && reward[j] == top) {
          ++tied;
          right += correct[j];
        }
      sum += static_cast<double>(right) / tied;
    }
    EXPECT_NEAR(exact[t - 1], sum / subsets, CLOSED_FORM_TOL) << "theta " << t;
  }
}

//! Two answers (A right, B wrong) and invalid samples: P(majority correct) with ties split evenly.
double two_answer_majority(int a, int b, int v, int theta) {
  const auto choose = [](int n, int k) {
    if (k < 0 || k > n) return 0.0;
    return std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0));
  };
  const int n = a + b + v;
  double p = 0.0;
  for (int x = 0; x <= std::min(a, theta); ++x)
    for (int y = 0; y <= std::min(b, theta - x); ++y) {
      const double w = choose(a, x) * choose(b, y) * choose(v, theta - x - y) / choose(n, theta);
      if (x > y) p += w;
      if (x == y && x > 0) p += 0.5 * w;
    }
  return std::clamp(p, 0.0, 1.0);
}

TEST(MajorityCurve, BinomialClosedFormForTwoAnswerQuestions) {
  constexpr std::uint64_t SEED = 21;
  constexpr int N = 15;
  std::vector<std::vector<Sample>> questions;
  std::vector<std::array<int, 3>> counts;
  std::mt19937 shuffle(5);
  for (int a = 3; a <= 11; ++a)
    for (int v = 0; v <= 3; ++v) {
      const int b = N - a - v;
      if (b < 0) continue;
      std::vector<Sample> s;
      for (int i = 0; i < a; ++i) s.push_back({7, true});
      for (int i = 0; i < b; ++i) s.push_back({9, false});
      for (int i = 0; i < v; ++i) s.push_back({-1, false});
      std::shuffle(s.begin(), s.end(), shuffle);
      questions.push_back(s);
      counts.push_back({a, b, v});
    }
  const std::vector<int> theta{1, 2, 3, 4, 8, 15};
  const auto curves =
      sample_count_curves({make_log("m", questions)}, {CurveMethod::majority}, options(3000, SEED, theta));
  const ModelCurve& c = curves[0].models[0];
  const double Q = static_cast<double>(questions.size());
  for (std::size_t k = 0; k < theta.size(); ++k) {
    double exact = 0.0, var = 0.0;
    for (std::size_t q = 0; q < counts.size(); ++q) {
      const double p = two_answer_majority(counts[q][0], counts[q][1], counts[q][2], theta[k]);
      exact += p / Q;
      var += p * (1.0 - p) / (Q * Q);
      const double sigma_q = std::sqrt(p * (1.0 - p) / 3000.0);
      EXPECT_NEAR(c.table.p_correct[c.table.at(q, static_cast<int>(k))], p, K_SIGMA * sigma_q + CLOSED_FORM_TOL)
          << "question " << q << " theta " << theta[k] << " seed " << SEED;
    }
    EXPECT_NEAR(c.accuracy[k], exact, K_SIGMA * std::sqrt(var / 3000.0) + CLOSED_FORM_TOL)
        << "theta " << theta[k] << " seed " << SEED;
  }
}

TEST(BestOfCurve, PerfectlyInformativeRewardsGivePassAtTheta) {
  SyntheticRunLogSpec spec;
  spec.questions = 60;
  spec.samples = 16;
  spec.seed = 9;
  RunLog log = synthetic_runlog(spec);
  for (std::size_t j = 0; j < log.samples(); ++j) log.reward[j] = log.correct[j] ? 1.0 : 0.0;
  const std::vector<int> theta{1, 2, 4, 8, 16};
  CurveOptions o = options(256, 4, theta);
  const auto perm = sample_count_curves({log}, {CurveMethod::best_of_n, CurveMethod::pass_at_k}, o);
  EXPECT_EQ(perm[0].models[0].accuracy, perm[1].models[0].accuracy);
  EXPECT_EQ(perm[0].models[0].table.p_correct, perm[1].models[0].table.p_correct);
  o.estimator = Estimator::exact;
  const auto exact = sample_count_curves({log}, {CurveMethod::best_of_n, CurveMethod::pass_at_k}, o);
  for (std::size_t i = 0; i < exact[0].models[0].table.p_correct.size(); ++i)
    EXPECT_NEAR(exact[0].models[0].table.p_correct[i], exact[1].models[0].table.p_correct[i], CLOSED_FORM_TOL);
}

TEST(Curves, PermutationEstimatesAgreeWithTheExactExpectation) {
  constexpr std::uint64_t SEED = 17;
  SyntheticRunLogSpec spec;
  spec.questions = 150;
  spec.samples = 32;
  spec.seed = 2;
  const RunLog log = synthetic_runlog(spec);
  const std::vector<CurveMethod> methods{CurveMethod::best_of_n, CurveMethod::pass_at_k};
  CurveOptions o = options(500, SEED, {1, 4, 8, 16, 32});
  const auto perm = sample_count_curves({log}, methods, o);
  o.estimator = Estimator::exact;
  const auto exact = sample_count_curves({log}, methods, o);
  const SampleMatrix m = sample_matrix(log, 32);
  const PermutationTallies t = permutation_tallies(m.view({1, 4, 8, 16, 32}, SEED), 500, Backend::cpu);
  for (std::size_t i = 0; i < methods.size(); ++i) {
    EXPECT_EQ(perm[i].estimator, Estimator::permutations);
    EXPECT_EQ(exact[i].estimator, Estimator::exact);
    const ModelCurve &p = perm[i].models[0], &e = exact[i].models[0];
    for (std::size_t k = 0; k < 5; ++k) {
      // Standard error of the mean over permutations from the spread of the per-permutation means.
      const auto& trial = methods[i] == CurveMethod::best_of_n ? t.trial_best : t.trial_any;
      std::vector<double> means;
      for (std::int64_t q = 0; q < 500; ++q) means.push_back(static_cast<double>(trial[q * 5 + k]) / 150.0);
      const double mean = std::accumulate(means.begin(), means.end(), 0.0) / 500.0;
      double ss = 0.0;
      for (const double x : means) ss += (x - mean) * (x - mean);
      const double se = std::sqrt(ss / 499.0 / 500.0);
      EXPECT_NEAR(p.accuracy[k], e.accuracy[k], K_SIGMA * se + CLOSED_FORM_TOL)
          << to_string(methods[i]) << " theta index " << k << " seed " << SEED;
      std::vector<double> tok;
      for (std::int64_t q = 0; q < 500; ++q) tok.push_back(t.trial_tokens[q * 5 + k] / 150.0);
      const double tmean = std::accumulate(tok.begin(), tok.end(), 0.0) / 500.0;
      double tss = 0.0;
      for (const double x : tok) tss += (x - tmean) * (x - tmean);
      EXPECT_NEAR(p.tokens[k], e.tokens[k], K_SIGMA * std::sqrt(tss / 499.0 / 500.0) + 1e-9) << "seed " << SEED;
      EXPECT_TRUE(std::isnan(e.accuracy_lo[k]));
      EXPECT_GT(e.accuracy_sd[k], 0.0);
    }
  }
}

TEST(Curves, PassAndTokensAreMonotoneInTheta) {
  SyntheticRunLogSpec spec;
  spec.questions = 80;
  spec.samples = 64;
  const RunLog log = synthetic_runlog(spec);
  const SampleMatrix m = sample_matrix(log, 64);
  const std::vector<std::int32_t> theta{1, 2, 4, 8, 16, 32, 64};
  const PermutationTallies t = permutation_tallies(m.view(theta, 3), 40, Backend::cpu);
  for (std::int64_t p = 0; p < 40; ++p)
    for (std::size_t k = 1; k < theta.size(); ++k) {
      EXPECT_GE(t.trial_any[p * 7 + k], t.trial_any[p * 7 + k - 1]);  // nested subsets
      EXPECT_GT(t.trial_tokens[p * 7 + k], t.trial_tokens[p * 7 + k - 1]);
    }
  CurveOptions o = options(1, 0, std::vector<int>(theta.begin(), theta.end()));
  o.estimator = Estimator::exact;
  const ModelCurve c = sample_count_curves({log}, {CurveMethod::pass_at_k}, o)[0].models[0];
  for (std::size_t q = 0; q < c.table.questions(); ++q)
    for (int k = 1; k < 7; ++k) EXPECT_GE(c.table.p_correct[c.table.at(q, k)], c.table.p_correct[c.table.at(q, k - 1)]);
}

TEST(Curves, InvalidAnswersNeverVoteButBestOfTakesTheirVerdict) {
  // q0: a sample the verifier judged correct although no answer could be parsed, and a valid correct one: majority@1
  // scores 0 whenever the invalid one comes first, best-of@1 always 1 (this is why majority@1 can be below
  // best-of@1). q1: a 1-1 tie goes to the answer seen first, so majority@2 is right half of the time.
  constexpr std::uint64_t SEED = 1;
  constexpr double P = 2000;
  const RunLog log = make_log("m", {{{-1, true}, {0, true}}, {{0, true}, {1, false}}});
  const auto c =
      sample_count_curves({log}, {CurveMethod::majority, CurveMethod::best_of_n}, options(2000, SEED, {1, 2}));
  const QuestionTable &maj = c[0].models[0].table, &best = c[1].models[0].table;
  const double sigma = std::sqrt(0.25 / P);
  EXPECT_NEAR(maj.p_correct[maj.at(0, 0)], 0.5, K_SIGMA * sigma) << "seed " << SEED;
  EXPECT_EQ(maj.p_correct[maj.at(0, 1)], 1.0);
  EXPECT_EQ(best.p_correct[best.at(0, 0)], 1.0);
  EXPECT_NEAR(maj.p_correct[maj.at(1, 1)], 0.5, K_SIGMA * sigma) << "seed " << SEED;
}

TEST(PercentileBars, AreTheReferenceCiPercentile) {
  std::vector<double> x(50);
  std::iota(x.begin(), x.end(), 0.0);  // mean 24.5; numpy quantiles 1.225 and 47.775
  const ErrorBars b = percentile_bars(x, 0.95);
  EXPECT_NEAR(b.lo, 24.5 - 1.225, 1e-12);
  EXPECT_NEAR(b.hi, 47.775 - 24.5, 1e-12);
  const std::vector<double> constant(10, 0.3);
  EXPECT_EQ(percentile_bars(constant, 0.95).lo, 0.0);
}

TEST(RelativeEffort, FiltersBinsAndPools) {
  std::vector<std::vector<Sample>> questions(2);
  for (int q = 0; q < 2; ++q) {
    for (int t = 10; t < 20; ++t) questions[q].push_back({0, t >= 14 + 2 * q, 0.0, 100.0 + t, double(t)});
    questions[q].push_back({0, true, 0.0, 100.0, 5.0});    // think not above 5
    questions[q].push_back({0, true, 0.0, 2048.0, 50.0});  // truncated
    questions[q].push_back({0, true, 0.0, 300.0, NAN});    // no thinking count
  }
  const RunLog log = make_log("r", questions);
  for (const Jitter j : {Jitter::philox, Jitter::numpy}) {
    CurveOptions o = options(1, 0);
    o.effort.jitter = j;
    const ModelCurve c = relative_effort_curve(log, o);
    EXPECT_EQ(c.samples, 20);
    EXPECT_EQ(c.questions, 2);
    EXPECT_EQ(c.bin_samples, (std::vector<std::int64_t>{4, 4, 4, 4, 4}));
    // Bins of two think counts each: {10,11}, {12,13}, {14,15}, {16,17}, {18,19}; correct from 14 (q0), 16 (q1).
    EXPECT_EQ(c.accuracy, (std::vector<double>{0.0, 0.0, 0.5, 1.0, 1.0}));
    EXPECT_EQ(c.tokens, (std::vector<double>{110.5, 112.5, 114.5, 116.5, 118.5}));
    EXPECT_EQ(c.table.questions(), 2u);
    EXPECT_EQ(c.table.p_correct[c.table.at(1, 2)], 0.0);
    EXPECT_EQ(c.accuracy_lo[0], 0.0);
    EXPECT_GE(c.accuracy_hi[2], 0.0);
  }
}

TEST(CurvesInput, BadInputIsAnInputError) {
  const RunLog ok = make_log("m", {{{0, true}, {1, false}}, {{0, true}, {0, true}}});
  EXPECT_THROW(sample_count_curves({ok}, {CurveMethod::majority}, options(10, 0, {1, 3})), InputError);   // θ > N
  EXPECT_THROW(sample_count_curves({ok}, {CurveMethod::majority}, options(10, 0, {2, 1})), InputError);   // order
  EXPECT_THROW(sample_count_curves({ok, ok}, {CurveMethod::majority}, options(10, 0, {1})), InputError);  // twice
  EXPECT_THROW(sample_count_curves({ok}, {CurveMethod::majority}, options(0, 0, {1})), InputError);
  const RunLog one = make_log("m", {{{0, true}}});
  EXPECT_THROW(sample_count_curves({one}, {CurveMethod::majority}, options(10, 0)), InputError);  // empty grid
  RunLog nan_reward = ok;
  nan_reward.reward[1] = NAN;
  EXPECT_THROW(sample_count_curves({nan_reward}, {CurveMethod::best_of_n}, options(10, 0, {1})), InputError);
  RunLog negative = ok;
  negative.tokens[2] = -1.0;
  EXPECT_THROW(sample_count_curves({negative}, {CurveMethod::majority}, options(10, 0, {1})), InputError);
  EXPECT_THROW(relative_effort_curve(ok, options(1, 0)), InputError);  // no thinking tokens
  EXPECT_THROW(parse_curve_method("best-of"), InputError);
  try {
    sample_count_curves({ok}, {CurveMethod::majority}, options(10, 0, {1, 3}));
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("model 'm'"), std::string::npos) << e.what();
  }
}

TEST(Curves, AllMethodsSplitInstructAndReasoningLogs) {
  SyntheticRunLogSpec spec;
  spec.questions = 20;
  spec.samples = 16;
  spec.model = "instruct";
  const RunLog instruct = synthetic_runlog(spec);
  spec.model = "reasoning";
  spec.reasoning = true;
  spec.max_tokens = 1500;
  const RunLog reasoning = synthetic_runlog(spec);
  const auto all = compute_curves({instruct, reasoning}, {}, options(64, 0));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].method, CurveMethod::majority);
  EXPECT_EQ(all[3].method, CurveMethod::relative_effort);
  EXPECT_EQ(all[0].models.size(), 1u);
  EXPECT_EQ(all[0].models[0].model, "instruct");
  EXPECT_EQ(all[3].models[0].model, "reasoning");
  EXPECT_EQ(all[0].theta, (std::vector<double>{1, 4, 8}));
}

class CurvesOutput : public ttcg::test::ScratchDirTest {};

TEST_F(CurvesOutput, HdfGroupsAndCsvRoundTrip) {
  SyntheticRunLogSpec spec;
  spec.questions = 30;
  spec.samples = 16;
  spec.model = "org/model-a";  // a '/' in a model name must not create a subgroup
  const RunLog a = synthetic_runlog(spec);
  spec.model = "model-b";
  spec.seed = 1;
  const RunLog b = synthetic_runlog(spec);
  const auto curves = compute_curves({a, b}, {}, options(64, 5));
  const std::string path = (dir_ / "curves.h5").string();
  write_curves_file(path, "synthetic", curves, RunInfo{}, "seed = 5\n");
  {
    h5::File f = h5::File::open_read(path);
    h5::Group g = f.root().open_group("curves/synthetic/majority");
    EXPECT_EQ(g.read_attribute_string("estimator"), "permutations");
    EXPECT_EQ(g.read_attribute_i64("permutations"), 64);
    EXPECT_EQ(g.read_attribute_i64("seed"), 5);
    EXPECT_EQ(g.read_strings("model", {h5::ANY}), (std::vector<std::string>{"org/model-a", "model-b"}));
    h5::Dims dims;
    EXPECT_EQ(g.read_f64("accuracy", {h5::ANY, h5::ANY}, &dims), [&] {
      std::vector<double> v = curves[0].models[0].accuracy;
      v.insert(v.end(), curves[0].models[1].accuracy.begin(), curves[0].models[1].accuracy.end());
      return v;
    }());
    EXPECT_EQ(dims, (h5::Dims{2, 3}));
    for (const char* name : {"accuracy_lo", "accuracy_hi", "tokens", "tokens_lo", "tokens_hi", "accuracy_sd",
                             "tokens_sd", "accuracy_bootstrap_lo", "tokens_bootstrap_hi"})
      EXPECT_TRUE(g.open_dataset(name).has_attribute("units")) << name;
    EXPECT_EQ(f.root().read_attribute_string("format"), "ttcgames-results");
  }
  const std::vector<QuestionTable> tables = read_question_tables(path, "synthetic", "pass@k");
  ASSERT_EQ(tables.size(), 2u);
  for (const QuestionTable& t : tables) {
    const ModelCurve& c = t.model == "model-b" ? curves[2].models[1] : curves[2].models[0];
    EXPECT_EQ(t.p_correct, c.table.p_correct);
    EXPECT_EQ(t.tokens, c.table.tokens);
  }
  const std::string csv = (dir_ / "curves.csv").string();
  write_curves_csv(csv, curves[1]);
  const ProviderSet back = read_curves_csv(csv, PriceTable{{"org/model-a", 0.1}, {"model-b", 0.2}});
  ASSERT_EQ(back.providers.size(), 2u);
  EXPECT_EQ(back.theta, curves[1].theta);
  EXPECT_EQ(back.providers[1].accuracy, curves[1].models[1].accuracy);  // 17 digits: the same doubles
  EXPECT_EQ(back.providers[1].tokens, curves[1].models[1].tokens);
  h5::File other = h5::File::create((dir_ / "x.h5").string());
  h5::Group root = other.root();
  EXPECT_THROW(write_curve_groups(root, "a/b", curves), InputError);
  write_curve_groups(root, "ok", curves);
  EXPECT_THROW(write_curve_groups(root, "ok", curves), InputError);  // the group exists
}

}  // namespace
