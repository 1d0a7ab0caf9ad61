#include "ttcgames/inference/curves.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <sstream>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/numpy_random.hpp"
#include "ttcgames/core/tally.hpp"

namespace ttcg {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
//! The reference's bin edges of the relative effort: the quintiles.
constexpr std::array<double, RELATIVE_EFFORT_BINS + 1> EFFORT_QUANTILES{0.0, 0.2, 0.4, 0.6, 0.8, 1.0};

//! Fills the question-bootstrap fields of `curve` from its table (p_correct and tokens per question).
void bootstrap_questions(ModelCurve& curve, const CurveOptions& o) {
  const QuestionTable& t = curve.table;
  const int K = t.K();
  const std::int64_t Q = static_cast<std::int64_t>(t.questions());
  std::vector<double> values(static_cast<std::size_t>(Q) * 2 * K);
  for (std::int64_t q = 0; q < Q; ++q)
    for (int k = 0; k < K; ++k) {
      values[static_cast<std::size_t>(q) * 2 * K + k] = t.p_correct[t.at(q, k)];
      values[static_cast<std::size_t>(q) * 2 * K + K + k] = t.tokens[t.at(q, k)];
    }
  std::vector<double> estimate(curve.accuracy);
  estimate.insert(estimate.end(), curve.tokens.begin(), curve.tokens.end());
  const BootstrapBars bars = bootstrap_ratio(values, {}, Q, 2 * K, estimate, o.bootstrap, o.seed, 0, o.confidence);
  curve.accuracy_bootstrap_lo.assign(bars.lo.begin(), bars.lo.begin() + K);
  curve.accuracy_bootstrap_hi.assign(bars.hi.begin(), bars.hi.begin() + K);
  curve.accuracy_sd.assign(bars.sd.begin(), bars.sd.begin() + K);
  curve.tokens_bootstrap_lo.assign(bars.lo.begin() + K, bars.lo.end());
  curve.tokens_bootstrap_hi.assign(bars.hi.begin() + K, bars.hi.end());
  curve.tokens_sd.assign(bars.sd.begin() + K, bars.sd.end());
}

}  // namespace

void check_curve_options(const CurveOptions& o) {
  if (o.permutations < 1 || o.permutations > std::numeric_limits<std::uint32_t>::max())
    throw InputError("permutations = " + std::to_string(o.permutations) + ": valid: 1 to 4294967295");
  if (o.bootstrap < 0) throw InputError("bootstrap = " + std::to_string(o.bootstrap) + ": valid: >= 0 (0: none)");
  if (!(o.confidence > 0.0 && o.confidence < 1.0))
    throw InputError("confidence = " + std::to_string(o.confidence) + ": valid: strictly between 0 and 1");
}

// ---- names -------------------------------------------------------------------------------------------------------

const char* to_string(CurveMethod method) {
  switch (method) {
    case CurveMethod::majority:
      return "majority";
    case CurveMethod::best_of_n:
      return "best-of-n";
    case CurveMethod::pass_at_k:
      return "pass@k";
    case CurveMethod::relative_effort:
      return "relative-effort";
  }
  return "?";
}

const char* to_string(Estimator estimator) {
  switch (estimator) {
    case Estimator::permutations:
      return "permutations";
    case Estimator::exact:
      return "exact";
    case Estimator::logged_order:
      return "logged-order";
  }
  return "?";
}

Estimator parse_estimator(const std::string& text) {
  for (const Estimator e : {Estimator::permutations, Estimator::exact, Estimator::logged_order})
    if (text == to_string(e)) return e;
  throw InputError("unknown estimator '" + text + "': valid: permutations, exact, logged-order");
}

const char* to_string(Jitter jitter) {
  return jitter == Jitter::numpy ? "numpy" : "philox";
}

CurveMethod parse_curve_method(const std::string& text) {
  for (const CurveMethod m :
       {CurveMethod::majority, CurveMethod::best_of_n, CurveMethod::pass_at_k, CurveMethod::relative_effort})
    if (text == to_string(m)) return m;
  throw InputError("unknown curve method '" + text + "': valid: majority, best-of-n, pass@k, relative-effort");
}

// ---- sample-count curves -----------------------------------------------------------------------------------------

namespace {

//! Curve and table from the permutation tallies for one method.
ModelCurve curve_from_tallies(CurveMethod method, const PermutationTallies& t, const SampleMatrix& m,
                              const std::vector<double>& theta, const CurveOptions& o) {
  const std::vector<std::int64_t>& trial = method == CurveMethod::majority    ? t.trial_majority
                                           : method == CurveMethod::best_of_n ? t.trial_best
                                                                              : t.trial_any;
  const std::vector<std::int64_t>& question = method == CurveMethod::majority    ? t.question_majority
                                              : method == CurveMethod::best_of_n ? t.question_best
                                                                                 : t.question_any;
  const std::size_t K = static_cast<std::size_t>(t.K);
  const double Q = static_cast<double>(t.Q), P = static_cast<double>(t.P);
  ModelCurve c;
  c.model = m.model;
  c.questions = m.Q;
  c.samples = m.N;
  std::vector<double> acc(static_cast<std::size_t>(t.P)), tok(static_cast<std::size_t>(t.P));
  for (std::size_t k = 0; k < K; ++k) {
    for (std::size_t p = 0; p < acc.size(); ++p) {
      acc[p] = static_cast<double>(trial[p * K + k]) / Q;
      tok[p] = t.trial_tokens[p * K + k] / Q;
    }
    c.accuracy.push_back(mean_in_order(acc));
    c.tokens.push_back(mean_in_order(tok));
    const ErrorBars a = percentile_bars(acc, o.confidence), b = percentile_bars(tok, o.confidence);
    c.accuracy_lo.push_back(a.lo);
    c.accuracy_hi.push_back(a.hi);
    c.tokens_lo.push_back(b.lo);
    c.tokens_hi.push_back(b.hi);
  }
  QuestionTable& table = c.table;
  table.model = m.model;
  table.method = to_string(method);
  table.theta = theta;
  table.qid = m.qid;
  table.p_correct.resize(question.size());
  table.tokens.resize(question.size());
  for (std::size_t i = 0; i < question.size(); ++i) {
    table.p_correct[i] = static_cast<double>(question[i]) / P;
    table.tokens[i] = t.question_tokens[i] / P;
  }
  return c;
}

//! Closed-form curve and table (best-of-n or pass@k).
ModelCurve exact_curve(CurveMethod method, const SampleMatrix& m, const std::vector<std::int32_t>& levels,
                       const std::vector<double>& theta) {
  const std::size_t K = levels.size(), N = static_cast<std::size_t>(m.N);
  ModelCurve c;
  c.model = m.model;
  c.questions = m.Q;
  c.samples = m.N;
  QuestionTable& table = c.table;
  table.model = m.model;
  table.method = to_string(method);
  table.theta = theta;
  table.qid = m.qid;
  table.p_correct.resize(static_cast<std::size_t>(m.Q) * K);
  table.tokens.resize(table.p_correct.size());
  for (std::int64_t q = 0; q < m.Q; ++q) {
    const std::size_t row = static_cast<std::size_t>(q) * N;
    double token_sum = 0.0;
    std::int64_t right = 0;
    for (std::size_t j = 0; j < N; ++j) {
      token_sum += m.tokens[row + j];
      right += m.correct[row + j];
    }
    const double mean_tokens = token_sum / static_cast<double>(N);
    std::vector<double> p;
    if (method == CurveMethod::best_of_n) {
      p = best_of_exact(std::span<const double>(m.reward.data() + row, N),
                        std::span<const std::uint8_t>(m.correct.data() + row, N), levels);
    } else {
      for (const std::int32_t t : levels) p.push_back(pass_at_k(m.N, right, t));
    }
    for (std::size_t k = 0; k < K; ++k) {
      table.p_correct[static_cast<std::size_t>(q) * K + k] = p[k];
      table.tokens[static_cast<std::size_t>(q) * K + k] = static_cast<double>(levels[k]) * mean_tokens;
    }
  }
  c.accuracy = table.mean_accuracy();
  c.tokens = table.mean_tokens();
  c.accuracy_lo.assign(K, NaN);
  c.accuracy_hi.assign(K, NaN);
  c.tokens_lo.assign(K, NaN);
  c.tokens_hi.assign(K, NaN);
  return c;
}

//! One log's curves under the sample-count methods `methods` (indices into plan.methods, all sharing plan.levels):
//! one permutation pass serves them all.
std::vector<ModelCurve> sample_count_model(const RunLog& log, const CurvesPlan& plan,
                                           const std::vector<std::size_t>& methods, const CurveOptions& o) {
  const std::vector<double>& theta = plan.methods[methods.front()].theta;
  bool any_permutations = false;
  for (const std::size_t m : methods)
    any_permutations = any_permutations || plan.methods[m].estimator == Estimator::permutations;
  const bool logged = o.estimator == Estimator::logged_order;
  const SampleMatrix matrix = sample_matrix(log, log.min_samples());
  PermutationTallies tallies;
  if (any_permutations || logged) {
    PermutationView v = matrix.view(plan.levels, o.seed);
    v.shuffle = logged ? 0 : 1;
    tallies = permutation_tallies(v, logged ? 1 : o.permutations, o.backend);
  }
  std::vector<ModelCurve> out;
  for (const std::size_t m : methods) {
    const MethodCurves& mc = plan.methods[m];
    ModelCurve c = mc.estimator == Estimator::exact ? exact_curve(mc.method, matrix, plan.levels, theta)
                                                    : curve_from_tallies(mc.method, tallies, matrix, theta, o);
    if (logged) {
      std::fill(c.accuracy_lo.begin(), c.accuracy_lo.end(), NaN);
      std::fill(c.accuracy_hi.begin(), c.accuracy_hi.end(), NaN);
      std::fill(c.tokens_lo.begin(), c.tokens_lo.end(), NaN);
      std::fill(c.tokens_hi.begin(), c.tokens_hi.end(), NaN);
    }
    bootstrap_questions(c, o);
    c.table.validate("curves");
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

std::vector<ModelCurve> log_curves(const RunLog& log, std::size_t index, const CurvesPlan& plan,
                                   const CurveOptions& o) {
  std::vector<std::size_t> counting;
  bool effort = false;
  for (const std::size_t m : plan.methods_of(index)) {
    if (plan.methods[m].method == CurveMethod::relative_effort)
      effort = true;
    else
      counting.push_back(m);
  }
  std::vector<ModelCurve> out;
  if (!counting.empty()) out = sample_count_model(log, plan, counting, o);
  if (effort) out.push_back(relative_effort_curve(log, o));  // the relative effort is the plan's last method
  return out;
}

// ---- relative effort ---------------------------------------------------------------------------------------------
ModelCurve relative_effort_curve(const RunLog& log, const CurveOptions& o) {
  check_curve_options(o);
  const std::string who = "model '" + log.model + "'";
  check_thinking_tokens(log);
  constexpr int B = RELATIVE_EFFORT_BINS;
  const RelativeEffortOptions& e = o.effort;
  NumpyPcg64 numpy_generator(o.seed);
  const rng::Philox4x32Key jitter_key = rng::make_key(o.seed, JITTER_STREAM);

  ModelCurve c;
  c.model = log.model;
  QuestionTable& table = c.table;
  table.model = log.model;
  table.method = to_string(CurveMethod::relative_effort);
  for (int b = 1; b <= B; ++b) table.theta.push_back(b);

  std::array<std::vector<double>, B> pooled;  // per bin: (verdict, total tokens) pairs, flattened
  std::vector<double> unit_num, unit_den;     // per question with kept samples: [correct sums | token sums] and counts
  std::vector<double> think, total, jittered, sorted;
  std::vector<std::uint8_t> verdict;
  for (std::size_t q = 0; q < log.questions(); ++q) {
    think.clear();
    total.clear();
    verdict.clear();
    for (std::int64_t j = log.offset[q]; j < log.offset[q + 1]; ++j) {
      const double th = log.think_tokens[static_cast<std::size_t>(j)], to = log.tokens[static_cast<std::size_t>(j)];
      if (std::isnan(th) || !(th > e.min_think) || !(to < e.max_total)) continue;
      think.push_back(th);
      total.push_back(to);
      verdict.push_back(log.correct[static_cast<std::size_t>(j)] ? 1 : 0);
    }
    if (think.empty()) continue;
    jittered.resize(think.size());
    WordStream words(jitter_key, static_cast<std::uint32_t>(q), 0);
    for (std::size_t i = 0; i < think.size(); ++i) {
      double u;
      if (e.jitter == Jitter::numpy) {
        u = numpy_generator.uniform(0.0, RELATIVE_EFFORT_JITTER);
      } else {
        const std::uint32_t hi = words.next(), lo = words.next();
        u = RELATIVE_EFFORT_JITTER * rng::to_unit_double(hi, lo);
      }
      jittered[i] = think[i] + u;
    }
    sorted = jittered;
    std::sort(sorted.begin(), sorted.end());
    std::array<double, B + 1> edge{};
    for (int b = 0; b <= B; ++b) edge[b] = sorted_quantile(sorted, EFFORT_QUANTILES[b]);
    for (int b = 1; b <= B; ++b)
      if (edge[b] <= edge[b - 1]) edge[b] = edge[b - 1] + RELATIVE_EFFORT_EDGE_NUDGE;
    std::array<double, B> n{}, right{}, tok{};
    for (std::size_t i = 0; i < think.size(); ++i) {
      const double x = std::min(std::max(jittered[i], edge[0]), edge[B]);
      for (int b = 0; b < B; ++b) {
        const bool in = x >= edge[b] && (b == B - 1 ? x <= edge[b + 1] : x < edge[b + 1]);
        if (!in) continue;
        pooled[b].push_back(verdict[i]);
        pooled[b].push_back(total[i]);
        n[b] += 1.0;
        right[b] += verdict[i];
        tok[b] += total[i];
      }
    }
    c.samples += static_cast<std::int64_t>(think.size());
    ++c.questions;
    for (int b = 0; b < B; ++b) unit_num.push_back(right[b]);
    for (int b = 0; b < B; ++b) unit_num.push_back(tok[b]);
    for (int b = 0; b < B; ++b) unit_den.push_back(n[b]);
    for (int b = 0; b < B; ++b) unit_den.push_back(n[b]);
    if (std::all_of(n.begin(), n.end(), [](double x) { return x > 0.0; })) {
      table.qid.push_back(log.qid[q]);
      for (int b = 0; b < B; ++b) table.p_correct.push_back(right[b] / n[b]);
      for (int b = 0; b < B; ++b) table.tokens.push_back(tok[b] / n[b]);
    }
  }
  // The reference's curve and error bars: pooled means, and the percentile bootstrap of each pooled mean.
  for (int b = 0; b < B; ++b) {
    const std::vector<double>& v = pooled[b];
    const std::int64_t count = static_cast<std::int64_t>(v.size() / 2);
    c.bin_samples.push_back(count);
    double right = 0.0, tok = 0.0;
    for (std::size_t i = 0; i < v.size(); i += 2) {
      right += v[i];
      tok += v[i + 1];
    }
    const double acc = count > 0 ? right / static_cast<double>(count) : NaN;
    const double mean_tokens = count > 0 ? tok / static_cast<double>(count) : NaN;
    c.accuracy.push_back(acc);
    c.tokens.push_back(mean_tokens);
    const BootstrapBars bars = bootstrap_ratio(v, {}, count, 2, {acc, mean_tokens}, o.bootstrap, o.seed,
                                               static_cast<std::uint32_t>(1 + b), o.confidence);
    c.accuracy_lo.push_back(bars.lo[0]);
    c.accuracy_hi.push_back(bars.hi[0]);
    c.tokens_lo.push_back(bars.lo[1]);
    c.tokens_hi.push_back(bars.hi[1]);
  }
  // Bootstrap over questions (each resampled question brings its kept samples).
  std::vector<double> estimate(c.accuracy);
  estimate.insert(estimate.end(), c.tokens.begin(), c.tokens.end());
  const BootstrapBars q =
      bootstrap_ratio(unit_num, unit_den, c.questions, 2 * B, estimate, o.bootstrap, o.seed, 0, o.confidence);
  c.accuracy_bootstrap_lo.assign(q.lo.begin(), q.lo.begin() + B);
  c.accuracy_bootstrap_hi.assign(q.hi.begin(), q.hi.begin() + B);
  c.accuracy_sd.assign(q.sd.begin(), q.sd.begin() + B);
  c.tokens_bootstrap_lo.assign(q.lo.begin() + B, q.lo.end());
  c.tokens_bootstrap_hi.assign(q.hi.begin() + B, q.hi.end());
  c.tokens_sd.assign(q.sd.begin() + B, q.sd.end());
  if (c.samples == 0)
    throw InputError(who + ": no sample passes the relative-effort filter (think > " + std::to_string(e.min_think) +
                     " and total < " + std::to_string(e.max_total) + " tokens)");
  table.validate("relative effort");
  return c;
}

}  // namespace ttcg
