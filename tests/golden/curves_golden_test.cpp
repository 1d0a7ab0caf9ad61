// The inference stage against published numbers and independent counts, on the shipped run logs (inputs/runlogs):
// (a) the synthetic logs against the reference implementation's curves (tests/data/reference/runlog_curves.json):
//     majority, best-of-n and tokens within 4 standard deviations of the reference's mean over 20 seeds, the exact
//     estimators too; relative-effort accuracy and tokens equal to the reference to 1e-9 with numpy's jitter;
// (b) Tree of Thoughts' Table 2 (Yao et al., 2023) from its own Game-of-24 logs;
// (c) Qwen2.5-Math's rm_maj example: maj@k, rm@k and pass@k by that repository's rule (the first k samples,
//     exact-string votes, ties to the first seen answer) counted independently from the raw JSON, and the random-
//     subset estimates against exact expectations enumerated over all orders.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "ttcgames/inference/curves.hpp"
#include "ttcgames/inference/field_mapping.hpp"
#include "ttcgames/inference/runlog_reader.hpp"

namespace {

using namespace ttcg;
using nlohmann::json;

//! The issue's criterion for estimates of the reference's curves, in standard deviations over seeds.
constexpr double REFERENCE_SD_TOLERANCE = 4.0;
//! Relative-effort values must equal the reference's to this (the jitter only breaks ties).
constexpr double RELATIVE_EFFORT_TOLERANCE = 1e-9;
//! Agreement of a Monte Carlo estimate with its exact expectation, in standard errors.
constexpr double K_SIGMA = 5.0;
//! Counts turned into fractions and sums of equal shares: rounding only.
constexpr double COUNT_TOLERANCE = 1e-12;
//! Half a unit of the last digit the Tree of Thoughts paper prints (percent with one decimal).
constexpr double PAPER_ROUNDING = 0.0005;
constexpr std::uint64_t SEED = 0;

std::string runlog_path(const std::string& relative) {
  return std::string(TTCG_INPUTS_DIR) + "/runlogs/" + relative;
}

json load_json(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return json::parse(in);
}

RunLog read_with_mapping(const std::string& file, const std::string& mapping) {
  RunLogOptions o;
  if (!mapping.empty()) o.mapping = load_field_mapping(runlog_path(mapping));
  return read_runlog({runlog_path(file)}, o);
}

CurveOptions options(Estimator estimator, std::vector<int> theta = {}, std::int64_t permutations = 1000) {
  CurveOptions o;
  o.estimator = estimator;
  o.theta = std::move(theta);
  o.permutations = permutations;
  o.seed = SEED;
  o.bootstrap = 100;
  return o;
}

// ---- (a) synthetic logs against the reference implementation ------------------------------------------------

const char* const SYNTHETIC_MODELS[] = {"SynthA-7B", "SynthB-1B", "SynthC-3B"};

std::string synthetic_file(const std::string& model) {
  return "synthetic/" + model + "--temp-0.7--samples-64--max-512.jsonl";
}

void expect_within_reference(const std::vector<double>& ours, const json& mean, const json& sd,
                             const std::string& what) {
  ASSERT_EQ(ours.size(), mean.size()) << what;
  for (std::size_t k = 0; k < ours.size(); ++k)
    EXPECT_NEAR(ours[k], mean[k].get<double>(), REFERENCE_SD_TOLERANCE * sd[k].get<double>())
        << what << " at level index " << k << " (seed " << SEED << ")";
}

TEST(CurvesGolden, SyntheticLogsMatchTheReferenceEstimators) {
  const json ref = load_json(std::string(TTCG_TEST_DATA_DIR) + "/reference/runlog_curves.json")["instruct"];
  std::vector<RunLog> logs;
  for (const char* model : SYNTHETIC_MODELS) logs.push_back(read_with_mapping(synthetic_file(model), ""));
  const std::vector<CurveMethod> methods{CurveMethod::majority, CurveMethod::best_of_n};
  const auto perm = sample_count_curves(logs, methods, options(Estimator::permutations));
  const auto exact = sample_count_curves(logs, methods, options(Estimator::exact));
  for (std::size_t i = 0; i < logs.size(); ++i) {
    const std::string model = SYNTHETIC_MODELS[i];
    const json& r = ref[model];
    ASSERT_EQ(logs[i].model, model);
    EXPECT_EQ(perm[0].theta, r["thetas"].get<std::vector<double>>());
    expect_within_reference(perm[0].models[i].accuracy, r["majority_mean20"], r["majority_sd20"], model + " majority");
    expect_within_reference(perm[1].models[i].accuracy, r["best_of_n_mean20"], r["best_of_n_sd20"],
                            model + " best-of-n");
    expect_within_reference(perm[0].models[i].tokens, r["tokens_mean20"], r["tokens_sd20"], model + " tokens");
    EXPECT_EQ(perm[0].models[i].tokens, perm[1].models[i].tokens);  // one token curve prices both methods
    EXPECT_EQ(exact[1].estimator, Estimator::exact);
    expect_within_reference(exact[1].models[i].accuracy, r["best_of_n_mean20"], r["best_of_n_sd20"],
                            model + " exact best-of-n");
    expect_within_reference(exact[1].models[i].tokens, r["tokens_mean20"], r["tokens_sd20"], model + " exact tokens");
  }
}

TEST(CurvesGolden, SyntheticRelativeEffortEqualsTheReferenceWithNumpyJitter) {
  const json ref = load_json(std::string(TTCG_TEST_DATA_DIR) + "/reference/runlog_curves.json")["reasoning"];
  const RunLog log = read_with_mapping("synthetic/reason-SynthR-7B--temp-0.6--samples-32--max-2048.jsonl", "");
  const json& r = ref["reason-SynthR-7B"];
  CurveOptions o = options(Estimator::permutations);
  o.effort.jitter = Jitter::numpy;
  const ModelCurve c = relative_effort_curve(log, o);
  EXPECT_EQ(c.samples, r["kept_samples"].get<std::int64_t>());
  for (std::size_t b = 0; b < 5; ++b) {
    EXPECT_NEAR(c.accuracy[b], r["accuracy"][b].get<double>(), RELATIVE_EFFORT_TOLERANCE) << "bin " << b + 1;
    EXPECT_NEAR(c.tokens[b], r["tokens"][b].get<double>(), RELATIVE_EFFORT_TOLERANCE) << "bin " << b + 1;
  }
  // With the Philox jitter, tied thinking lengths that straddle a bin edge fall differently: the values move, but
  // only by a few samples, well inside the reference's own bootstrap error bars.
  o.effort.jitter = Jitter::philox;
  const ModelCurve philox = relative_effort_curve(log, o);
  EXPECT_EQ(philox.samples, c.samples);
  for (std::size_t b = 0; b < 5; ++b) {
    EXPECT_NEAR(philox.accuracy[b], c.accuracy[b], r["accuracy_err"][b][0].get<double>()) << "bin " << b + 1;
    EXPECT_NEAR(philox.tokens[b], c.tokens[b], r["tokens_err"][b][0].get<double>()) << "bin " << b + 1;
  }
}

// ---- (b) Tree of Thoughts, Table 2 ------------------------------------------------------------------------------

const char* const TOT_COT = "tot-game24/gpt-4_0.7_naive_cot_sample_100_start900_end1000.json";
const char* const TOT_IO = "tot-game24/gpt-4_0.7_naive_standard_sample_100_start900_end1000.json";

//! Output tokens per puzzle from the cumulative usage counter (a decrease is a restart from zero).
double tokens_per_puzzle(const std::string& file) {
  const json records = load_json(runlog_path(file));
  double previous = 0.0, total = 0.0;
  for (const json& r : records) {
    const double counter = r["usage_so_far"]["completion_tokens"].get<double>();
    total += counter >= previous ? counter - previous : counter;
    previous = counter;
  }
  return total / static_cast<double>(records.size());
}

TEST(CurvesGolden, TreeOfThoughtsTable2FromItsOwnLogs) {
  const RunLog cot = read_with_mapping(TOT_COT, "tot-game24-cot.toml");
  const RunLog io = read_with_mapping(TOT_IO, "tot-game24-standard.toml");
  ASSERT_EQ(cot.questions(), 100u);
  ASSERT_EQ(cot.min_samples(), 100);
  const std::vector<int> theta{1, 10, 100};
  const auto exact = sample_count_curves({io, cot}, {CurveMethod::pass_at_k}, options(Estimator::exact, theta));
  const ModelCurve &io_pass = exact[0].models[0], &cot_pass = exact[0].models[1];
  EXPECT_NEAR(io_pass.accuracy[0], 0.073, PAPER_ROUNDING);   // IO, per sample (734 of 10000)
  EXPECT_NEAR(cot_pass.accuracy[0], 0.040, PAPER_ROUNDING);  // CoT, per sample (403 of 10000)
  EXPECT_NEAR(io_pass.accuracy[0] * 1e4, 734.0, 1e-8);
  EXPECT_NEAR(cot_pass.accuracy[0] * 1e4, 403.0, 1e-8);
  EXPECT_NEAR(io_pass.accuracy[2], 0.33, COUNT_TOLERANCE);   // IO, best of 100 (any correct)
  EXPECT_NEAR(cot_pass.accuracy[2], 0.49, COUNT_TOLERANCE);  // CoT, best of 100
  // Self-consistency over the 100 samples as logged (abstentions never vote; ties to the first seen answer).
  const auto logged = sample_count_curves({cot}, {CurveMethod::majority}, options(Estimator::logged_order, theta));
  EXPECT_NEAR(logged[0].models[0].accuracy[2], 0.09, COUNT_TOLERANCE);
  // Tokens per puzzle: the differences of the cumulative counter, restart at idx 932 included.
  for (const auto& [file, curve] : {std::pair{TOT_COT, &cot_pass}, std::pair{TOT_IO, &io_pass}}) {
    const double per_puzzle = tokens_per_puzzle(file);
    EXPECT_NEAR(curve->tokens[2], per_puzzle, COUNT_TOLERANCE * per_puzzle) << file;
    EXPECT_NEAR(curve->tokens[0], per_puzzle / 100.0, COUNT_TOLERANCE * per_puzzle) << file;
  }
  // With ties broken by a random order instead, the expectation of self-consistency@100 is the share of correct
  // answers among the most-voted ones, averaged over puzzles (the ToT README's 9.17 %); the permutation estimator
  // must agree within its standard error.
  double expected = 0.0, variance = 0.0;
  for (std::size_t q = 0; q < cot.questions(); ++q) {
    std::map<std::int32_t, std::pair<int, bool>> votes;  // label -> (count, some sample correct)
    for (std::int64_t j = cot.offset[q]; j < cot.offset[q + 1]; ++j)
      if (cot.label[j] >= 0) {
        votes[cot.label[j]].first += 1;
        votes[cot.label[j]].second = votes[cot.label[j]].second || cot.correct[j];
      }
    int top = 0, tied = 0, right = 0;
    for (const auto& [label, v] : votes) top = std::max(top, v.first);
    for (const auto& [label, v] : votes)
      if (v.first == top) {
        ++tied;
        right += v.second ? 1 : 0;
      }
    const double p = tied > 0 ? static_cast<double>(right) / tied : 0.0;
    expected += p / 100.0;
    variance += p * (1.0 - p) / 1e4;
  }
  EXPECT_NEAR(expected, 0.0917, 5e-5);
  const auto perm = sample_count_curves({cot}, {CurveMethod::majority}, options(Estimator::permutations, theta, 2000));
  EXPECT_NEAR(perm[0].models[0].accuracy[2], expected, K_SIGMA * std::sqrt(variance / 2000.0)) << "seed " << SEED;
}

// ---- (c) Qwen2.5-Math rm_maj example ----------------------------------------------------------------------------

const char* const QWEN = "qwen25-math-rm-maj/math_cot_100.jsonl";

struct QwenRecord {
  std::vector<std::string> pred;
  std::vector<int> score;
  std::vector<double> reward;
};

std::vector<QwenRecord> qwen_records() {
  std::vector<QwenRecord> out;
  std::ifstream in(runlog_path(QWEN));
  std::string line;
  while (std::getline(in, line)) {
    const json r = json::parse(line);
    QwenRecord q;
    q.pred = r["pred"].get<std::vector<std::string>>();
    for (const json& s : r["score"]) q.score.push_back(s.get<bool>() ? 1 : 0);
    for (const json& s : r["pred_score"]) q.reward.push_back(s[0].get<double>());
    out.push_back(q);
  }
  return out;
}

//! The repository's maj@k, rm@k and pass@k on the first k samples (most common prediction, first seen on ties;
//! the verdict of its first sample; the first highest reward).
std::array<double, 3> repository_rule(const std::vector<QwenRecord>& records, int k) {
  std::array<double, 3> right{};
  for (const QwenRecord& r : records) {
    std::vector<std::string> order;
    std::map<std::string, int> count;
    for (int j = 0; j < k; ++j)
      if (count[r.pred[j]]++ == 0) order.push_back(r.pred[j]);
    std::string majority = order.front();
    for (const std::string& p : order)
      if (count[p] > count[majority]) majority = p;
    const int first = static_cast<int>(std::find(r.pred.begin(), r.pred.end(), majority) - r.pred.begin());
    right[0] += r.score[first];
    const int best = static_cast<int>(std::max_element(r.reward.begin(), r.reward.begin() + k) - r.reward.begin());
    right[1] += r.score[best];
    right[2] += *std::max_element(r.score.begin(), r.score.begin() + k);
  }
  for (double& x : right) x /= static_cast<double>(records.size());
  return right;
}

//! P(majority@k correct) of one question under a uniformly random order, by enumerating all orders: the reference's
//! rule on the first k (count of each position's answer, the first position with the highest count decides; correct
//! when a sample with that answer is correct).
double majority_expectation(const QwenRecord& r, int k) {
  std::vector<int> id(r.pred.size());
  for (std::size_t j = 0; j < r.pred.size(); ++j)
    id[j] = static_cast<int>(std::find(r.pred.begin(), r.pred.end(), r.pred[j]) - r.pred.begin());
  std::vector<int> order(r.pred.size());
  std::iota(order.begin(), order.end(), 0);
  double right = 0.0, orders = 0.0;
  do {
    int pos = 0, top = -1;
    for (int i = 0; i < k; ++i) {
      int c = 0;
      for (int j = 0; j < k; ++j) c += id[order[j]] == id[order[i]] ? 1 : 0;
      if (c > top) {
        top = c;
        pos = i;
      }
    }
    bool correct = false;
    for (int j = 0; j < k; ++j) correct = correct || (id[order[j]] == id[order[pos]] && r.score[order[j]]);
    right += correct ? 1.0 : 0.0;
    orders += 1.0;
  } while (std::next_permutation(order.begin(), order.end()));
  return right / orders;
}

TEST(CurvesGolden, QwenMathFollowsItsRepositoryRuleOnTheFirstKSamples) {
  const RunLog log = read_with_mapping(QWEN, "qwen25-math.toml");
  ASSERT_EQ(log.questions(), 100u);
  const std::vector<QwenRecord> records = qwen_records();
  const std::vector<int> ks{1, 2, 4, 8};
  const std::vector<CurveMethod> methods{CurveMethod::majority, CurveMethod::best_of_n, CurveMethod::pass_at_k};
  const auto logged = sample_count_curves({log}, methods, options(Estimator::logged_order, ks));
  for (std::size_t k = 0; k < ks.size(); ++k) {
    const std::array<double, 3> rule = repository_rule(records, ks[k]);
    for (std::size_t m = 0; m < 3; ++m)
      EXPECT_NEAR(logged[m].models[0].accuracy[k], rule[m], COUNT_TOLERANCE) << to_string(methods[m]) << "@" << ks[k];
  }
  EXPECT_TRUE(std::isnan(logged[0].models[0].tokens[0]));  // the log has no token counts
}

TEST(CurvesGolden, QwenMathRandomSubsetsAgreeWithExactExpectations) {
  const RunLog log = read_with_mapping(QWEN, "qwen25-math.toml");
  const std::vector<QwenRecord> records = qwen_records();
  const std::vector<int> ks{1, 2, 4, 8};
  constexpr std::int64_t P = 2000;
  const std::vector<CurveMethod> methods{CurveMethod::majority, CurveMethod::best_of_n, CurveMethod::pass_at_k};
  const auto perm = sample_count_curves({log}, methods, options(Estimator::permutations, ks, P));
  const auto exact = sample_count_curves({log}, methods, options(Estimator::exact, ks));
  const double Q = static_cast<double>(records.size());
  for (std::size_t k = 0; k < ks.size(); ++k) {
    std::vector<double> majority(records.size());
    for (std::size_t q = 0; q < records.size(); ++q) majority[q] = majority_expectation(records[q], ks[k]);
    for (std::size_t m = 0; m < 3; ++m) {
      const QuestionTable& table = exact[m].models[0].table;
      double expected = 0.0, variance = 0.0;
      for (std::size_t q = 0; q < records.size(); ++q) {
        const double p = m == 0 ? majority[q] : table.p_correct[table.at(q, static_cast<int>(k))];
        expected += p / Q;
        variance += p * (1.0 - p) / (Q * Q);
      }
      EXPECT_NEAR(perm[m].models[0].accuracy[k], expected, K_SIGMA * std::sqrt(variance / P) + COUNT_TOLERANCE)
          << to_string(methods[m]) << "@" << ks[k] << " seed " << SEED;
    }
  }
}

}  // namespace
