#include "ttcgames/inference/curve_estimators.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/tally.hpp"
#include "ttcgames/inference/cuda_curves.hpp"

namespace ttcg {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
//! Above this many factors, subset_avoid_probability uses the log-gamma ratio instead of the product.
constexpr std::int64_t PRODUCT_FACTORS_MAX = std::int64_t{1} << 20;
//! Smallest argument for which the Stirling series of log Γ is used (error below 1e-17 there).
constexpr double STIRLING_MIN = 20.0;
//! Below this many resampled values a bootstrap runs on one thread (a parallel region costs more).
constexpr std::int64_t PARALLEL_MIN_WORK = std::int64_t{1} << 16;

//! Stirling correction s(y) of log Γ(y) = (y − ½) log y − y + ½ log 2π + s(y).
double stirling_correction(double y) {
  const double r = 1.0 / y, r2 = r * r;
  return r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 * (1.0 / 1680.0))));
}

//! log Γ(x + a) − log Γ(x) for x ≥ 1, a ≥ 0, without the cancellation of two large log-gamma values.
double log_gamma_ratio(double x, double a) {
  if (x < STIRLING_MIN) return std::lgamma(x + a) - std::lgamma(x);
  return (x - 0.5) * std::log1p(a / x) + a * std::log(x + a) - a +
         (stirling_correction(x + a) - stirling_correction(x));
}

}  // namespace

double mean_in_order(std::span<const double> values) {
  if (values.empty()) return NaN;
  double s = 0.0;
  for (const double x : values) s += x;
  return s / static_cast<double>(values.size());
}

std::vector<int> reference_theta_grid(std::int64_t samples) {
  std::vector<int> grid;
  int floor_log2 = 0;
  while (floor_log2 < 62 && (std::int64_t{1} << (floor_log2 + 1)) <= samples) ++floor_log2;
  for (int i = 0; i < floor_log2 && i < 31; ++i)
    if (i != 1) grid.push_back(1 << i);
  return grid;
}

PermutationView SampleMatrix::view(const std::vector<std::int32_t>& theta, std::uint64_t seed) const {
  PermutationView v;
  v.Q = Q;
  v.N = N;
  v.K = static_cast<std::int32_t>(theta.size());
  v.label = label.data();
  v.correct = correct.data();
  v.reward = reward.data();
  v.tokens = tokens.data();
  v.labels = labels.data();
  v.theta = theta.data();
  v.key = rng::make_key(seed, PERMUTATION_STREAM);
  return v;
}

SampleMatrix sample_matrix(const RunLog& log, std::int64_t samples) {
  const std::string who = "model '" + log.model + "'";
  if (log.questions() == 0) throw InputError(who + ": the run log has no questions");
  if (samples < 1 || samples > std::numeric_limits<std::int32_t>::max())
    throw InputError(who + ": " + std::to_string(samples) + " samples per question; valid: 1 to 2^31 - 1");
  const std::size_t S = static_cast<std::size_t>(log.offset.back());
  if (log.offset.size() != log.questions() + 1 || log.label.size() != S || log.correct.size() != S ||
      log.tokens.size() != S || (!log.reward.empty() && log.reward.size() != S))
    throw std::logic_error("sample_matrix: the arrays of the run log of " + who + " disagree in length");
  SampleMatrix m;
  m.model = log.model;
  m.qid = log.qid;
  m.Q = static_cast<std::int64_t>(log.questions());
  m.N = static_cast<std::int32_t>(samples);
  const std::size_t cells = static_cast<std::size_t>(m.Q) * static_cast<std::size_t>(m.N);
  m.label.resize(cells);
  m.correct.resize(cells);
  m.reward.resize(cells);
  m.tokens.resize(cells);
  m.labels.resize(static_cast<std::size_t>(m.Q));
  // Token counts are known for every sample, or for none (a log without counts: token curves are NaN).
  const bool tokens_known = !std::all_of(log.tokens.begin(), log.tokens.end(), [](double t) { return std::isnan(t); });
  std::vector<std::int32_t> renumber;
  for (std::int64_t q = 0; q < m.Q; ++q) {
    const std::size_t qs = static_cast<std::size_t>(q);
    if (log.samples(qs) < samples)
      throw InputError(who + ": question '" + log.qid[qs] + "' has " + std::to_string(log.samples(qs)) +
                       " samples, fewer than " + std::to_string(samples));
    renumber.clear();
    std::int32_t classes = 0;
    for (std::int32_t j = 0; j < m.N; ++j) {
      const std::size_t from = static_cast<std::size_t>(log.offset[qs] + j);
      const std::size_t to = qs * static_cast<std::size_t>(m.N) + static_cast<std::size_t>(j);
      const auto where = [&] { return who + ": question '" + log.qid[qs] + "', sample " + std::to_string(j); };
      const std::int32_t l = log.label[from];
      if (l < -1) throw InputError(where() + ": answer class " + std::to_string(l) + "; valid: -1 (none) or >= 0");
      if (l >= 0) {
        if (static_cast<std::size_t>(l) >= renumber.size()) renumber.resize(static_cast<std::size_t>(l) + 1, -1);
        if (renumber[static_cast<std::size_t>(l)] < 0) renumber[static_cast<std::size_t>(l)] = classes++;
        m.label[to] = renumber[static_cast<std::size_t>(l)];
      } else {
        m.label[to] = -1;
      }
      m.correct[to] = log.correct[from] ? 1 : 0;
      const double r = log.reward.empty() ? -INFINITY : log.reward[from];
      if (std::isnan(r)) throw InputError(where() + ": reward is NaN; valid: a number, or missing (-inf)");
      m.reward[to] = r;
      const double t = log.tokens[from];
      if (std::isnan(t) != !tokens_known || (tokens_known && (!(t >= 0.0) || !std::isfinite(t))))
        throw InputError(where() + ": token count " + std::to_string(t) + "; valid: a finite count >= 0 " +
                         (tokens_known ? "(other samples have counts)" : "or none for every sample"));
      m.tokens[to] = t;
    }
    m.labels[qs] = classes;
  }
  return m;
}

std::int64_t permutation_blocks(std::int64_t permutations) {
  return (permutations + PERMUTATION_BLOCK - 1) / PERMUTATION_BLOCK;
}

PermutationBlock compute_permutation_block(const PermutationView& v, std::int64_t permutations, std::int64_t block) {
  PermutationBlock b;
  b.first = block * PERMUTATION_BLOCK;
  b.count = std::min(PERMUTATION_BLOCK, permutations - b.first);
  const std::size_t K = static_cast<std::size_t>(v.K);
  const std::size_t pk = static_cast<std::size_t>(b.count) * K, qk = static_cast<std::size_t>(v.Q) * K;
  b.trial_majority.assign(pk, 0);
  b.trial_best.assign(pk, 0);
  b.trial_any.assign(pk, 0);
  b.trial_tokens.assign(pk, 0.0);
  b.question_majority.assign(qk, 0);
  b.question_best.assign(qk, 0);
  b.question_any.assign(qk, 0);
  b.question_tokens.assign(qk, 0.0);

  const std::size_t N = static_cast<std::size_t>(v.N);
  std::vector<std::uint32_t> order(N), count(N), first_seen(N);
  std::vector<std::uint8_t> label_correct(N);
  const PermutationScratch scratch{order.data(), count.data(), first_seen.data(), label_correct.data(), 1};
  std::vector<std::uint8_t> majority(K), best(K), any(K);
  std::vector<double> tokens(K);
  // Question-major, so that a question's samples stay in cache across the block's permutations; every sum still
  // runs in increasing question order per permutation and in increasing permutation order per question.
  for (std::int64_t q = 0; q < v.Q; ++q) {
    const std::size_t question = static_cast<std::size_t>(q) * K;
    for (std::int64_t i = 0; i < b.count; ++i) {
      const std::uint32_t p = static_cast<std::uint32_t>(b.first + i);
      const std::size_t trial = static_cast<std::size_t>(i) * K;
      permutation_outcomes(v, p, static_cast<std::uint32_t>(q), scratch, majority.data(), best.data(), any.data(),
                           tokens.data());
      for (std::size_t k = 0; k < K; ++k) {
        b.trial_majority[trial + k] += majority[k];
        b.trial_best[trial + k] += best[k];
        b.trial_any[trial + k] += any[k];
        b.trial_tokens[trial + k] += tokens[k];
        b.question_majority[question + k] += majority[k];
        b.question_best[question + k] += best[k];
        b.question_any[question + k] += any[k];
        b.question_tokens[question + k] += tokens[k];
      }
    }
  }
  return b;
}

PermutationTallies merge_permutation_blocks(const PermutationView& v, std::int64_t permutations,
                                            std::span<const PermutationBlock> blocks) {
  std::vector<const PermutationBlock*> in_order;
  for (const PermutationBlock& b : blocks) in_order.push_back(&b);
  std::sort(in_order.begin(), in_order.end(),
            [](const PermutationBlock* a, const PermutationBlock* b) { return a->first < b->first; });
  PermutationTallies t;
  t.resize(permutations, v.Q, v.K);
  const std::size_t K = static_cast<std::size_t>(v.K);
  std::int64_t next = 0;
  for (const PermutationBlock* b : in_order) {
    if (b->first != next || b->count < 1 || b->first + b->count > permutations)
      throw std::logic_error("merge_permutation_blocks: blocks do not tile permutations [0, " +
                             std::to_string(permutations) + ")");
    next += b->count;
    const std::size_t at = static_cast<std::size_t>(b->first) * K;
    std::copy(b->trial_majority.begin(), b->trial_majority.end(), t.trial_majority.begin() + at);
    std::copy(b->trial_best.begin(), b->trial_best.end(), t.trial_best.begin() + at);
    std::copy(b->trial_any.begin(), b->trial_any.end(), t.trial_any.begin() + at);
    std::copy(b->trial_tokens.begin(), b->trial_tokens.end(), t.trial_tokens.begin() + at);
    for (std::size_t i = 0; i < t.question_tokens.size(); ++i) {
      t.question_majority[i] += b->question_majority[i];
      t.question_best[i] += b->question_best[i];
      t.question_any[i] += b->question_any[i];
      t.question_tokens[i] += b->question_tokens[i];
    }
  }
  if (next != permutations)
    throw std::logic_error("merge_permutation_blocks: blocks cover " + std::to_string(next) + " of " +
                           std::to_string(permutations) + " permutations");
  return t;
}

PermutationTallies permutation_tallies(const PermutationView& v, std::int64_t permutations, Backend backend) {
  if (v.K < 1 || v.N < 1 || v.Q < 1) throw std::logic_error("permutation_tallies: empty view");
  if (v.Q > std::numeric_limits<std::uint32_t>::max())
    throw InputError("permutation estimator: " + std::to_string(v.Q) + " questions; at most 2^32 - 1 are supported");
  if (permutations < 1 || permutations > std::numeric_limits<std::uint32_t>::max())
    throw InputError("permutations = " + std::to_string(permutations) + ": valid: 1 to 4294967295");
  for (std::int32_t k = 0; k < v.K; ++k)
    if (v.theta[k] < 1 || v.theta[k] > v.N || (k > 0 && v.theta[k] <= v.theta[k - 1]))
      throw std::logic_error("permutation_tallies: levels must increase strictly within [1, N]");
  if (backend == Backend::cuda) return cuda::permutation_tallies(v, permutations);
  const std::int64_t blocks = permutation_blocks(permutations);
  std::vector<PermutationBlock> results(static_cast<std::size_t>(blocks));
#pragma omp parallel for schedule(dynamic, 1) if (blocks > 1)
  for (std::int64_t b = 0; b < blocks; ++b)
    results[static_cast<std::size_t>(b)] = compute_permutation_block(v, permutations, b);
  return merge_permutation_blocks(v, permutations, results);
}

double subset_avoid_probability(std::int64_t n, std::int64_t bad, std::int64_t k) {
  if (n < 0 || bad < 0 || k < 0 || bad > n || k > n)
    throw std::invalid_argument("subset_avoid_probability: need 0 <= bad <= n and 0 <= k <= n");
  if (bad == 0 || k == 0) return 1.0;
  if (k > n - bad) return 0.0;
  const std::int64_t factors = std::min(k, bad);
  const std::int64_t other = std::max(k, bad);
  const double dn = static_cast<double>(n);
  if (factors <= PRODUCT_FACTORS_MAX) {
    // Π_{i<factors} (1 − other/(n − i)), summed as logarithms.
    double log_p = 0.0;
    for (std::int64_t i = 0; i < factors; ++i)
      log_p += std::log1p(-static_cast<double>(other) / (dn - static_cast<double>(i)));
    return std::exp(log_p);
  }
  // C(n−k, b)/C(n, b) = Γ(n−k+1)Γ(n−b+1) / (Γ(n−k−b+1)Γ(n+1)).
  const double a = static_cast<double>(bad);
  const double x = static_cast<double>(n - k - bad + 1);
  const double y = static_cast<double>(n - bad + 1);
  return std::exp(log_gamma_ratio(x, a) - log_gamma_ratio(y, a));
}

double pass_at_k(std::int64_t n, std::int64_t c, std::int64_t k) {
  if (n < 1 || k < 1 || k > n || c < 0 || c > n)
    throw std::invalid_argument("pass_at_k: need 1 <= k <= n and 0 <= c <= n");
  return 1.0 - subset_avoid_probability(n, c, k);
}

std::vector<double> best_of_exact(std::span<const double> reward, std::span<const std::uint8_t> correct,
                                  std::span<const std::int32_t> theta) {
  const std::int64_t N = static_cast<std::int64_t>(reward.size());
  std::vector<std::int64_t> order(static_cast<std::size_t>(N));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) { return reward[a] > reward[b]; });
  // Groups of equal reward, highest first: (samples above, size, correct in group).
  struct Group {
    std::int64_t above, size, correct;
  };
  std::vector<Group> groups;
  for (std::int64_t i = 0; i < N;) {
    std::int64_t j = i, c = 0;
    while (j < N && reward[order[j]] == reward[order[i]]) c += correct[order[j++]] ? 1 : 0;
    groups.push_back({i, j - i, c});
    i = j;
  }
  std::vector<double> p(theta.size(), 0.0);
  std::vector<double> avoid(static_cast<std::size_t>(N) + 1);  // avoid[x] = C(N − x, θ)/C(N, θ)
  for (std::size_t k = 0; k < theta.size(); ++k) {
    const std::int64_t t = theta[k];
    if (t < 1 || t > N) throw std::invalid_argument("best_of_exact: levels must lie in [1, N]");
    avoid[0] = 1.0;
    for (std::int64_t x = 0; x < N; ++x)
      avoid[static_cast<std::size_t>(x) + 1] =
          N - x - t <= 0
              ? 0.0
              : avoid[static_cast<std::size_t>(x)] * (static_cast<double>(N - x - t) / static_cast<double>(N - x));
    double sum = 0.0;
    for (const Group& g : groups) {
      const double top = avoid[static_cast<std::size_t>(g.above)] - avoid[static_cast<std::size_t>(g.above + g.size)];
      sum += top * (static_cast<double>(g.correct) / static_cast<double>(g.size));
    }
    p[k] = std::clamp(sum, 0.0, 1.0);
  }
  return p;
}

ErrorBars percentile_bars(std::span<const double> values, double confidence) {
  std::vector<double> sorted;
  for (const double x : values)
    if (!std::isnan(x)) sorted.push_back(x);
  if (sorted.empty()) return {NaN, NaN};
  const double mean = mean_in_order(sorted);
  std::sort(sorted.begin(), sorted.end());
  const double alpha = 1.0 - confidence;
  return {std::max(0.0, mean - sorted_quantile(sorted, alpha / 2.0)),
          std::max(0.0, sorted_quantile(sorted, 1.0 - alpha / 2.0) - mean)};
}

BootstrapBars bootstrap_ratio(const std::vector<double>& num, const std::vector<double>& den, std::int64_t units,
                              int columns, const std::vector<double>& estimate, int B, std::uint64_t seed,
                              std::uint32_t entity, double confidence) {
  BootstrapBars bars{std::vector<double>(columns, NaN), std::vector<double>(columns, NaN),
                     std::vector<double>(columns, NaN)};
  if (B <= 0 || units <= 0) return bars;
  const rng::Philox4x32Key key = rng::make_key(seed, BOOTSTRAP_STREAM);
  const std::size_t C = static_cast<std::size_t>(columns);
  std::vector<double> stats(static_cast<std::size_t>(B) * C);
  const std::int64_t work = static_cast<std::int64_t>(B) * units * columns;
#pragma omp parallel if (work > PARALLEL_MIN_WORK)
  {
    std::vector<double> n(C), d(C);
#pragma omp for schedule(static)
    for (int b = 0; b < B; ++b) {
      std::fill(n.begin(), n.end(), 0.0);
      std::fill(d.begin(), d.end(), 0.0);
      WordStream words(key, static_cast<std::uint32_t>(b), entity);
      for (std::int64_t i = 0; i < units; ++i) {
        const std::size_t u = words.below(static_cast<std::uint32_t>(units));
        for (std::size_t c = 0; c < C; ++c) {
          n[c] += num[u * C + c];
          d[c] += den.empty() ? 1.0 : den[u * C + c];
        }
      }
      for (std::size_t c = 0; c < C; ++c) stats[static_cast<std::size_t>(b) * C + c] = n[c] / d[c];
    }
  }
  const double alpha = 1.0 - confidence;
  std::vector<double> column(static_cast<std::size_t>(B));
  for (std::size_t c = 0; c < C; ++c) {
    for (int b = 0; b < B; ++b) column[static_cast<std::size_t>(b)] = stats[static_cast<std::size_t>(b) * C + c];
    if (std::any_of(column.begin(), column.end(), [](double x) { return std::isnan(x); })) continue;  // NaN bars
    std::sort(column.begin(), column.end());
    bars.lo[c] = estimate[c] - sorted_quantile(column, alpha / 2.0);
    bars.hi[c] = sorted_quantile(column, 1.0 - alpha / 2.0) - estimate[c];
    if (B > 1) {
      const double m = mean_in_order(column);
      double ss = 0.0;
      for (const double x : column) ss += (x - m) * (x - m);
      bars.sd[c] = std::sqrt(ss / static_cast<double>(B - 1));
    }
  }
  return bars;
}

}  // namespace ttcg
