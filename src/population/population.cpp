#include "ttcgames/population/population.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "simd.hpp"
#include "ttcgames/core/cuda_device.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/core/tally_archive.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/welfare_math.hpp"
#include "ttcgames/population/cuda_population.hpp"

namespace ttcg {

using population::OnlineLogSum;

const char* to_string(QuerySourceKind kind) {
  switch (kind) {
    case QuerySourceKind::providers:
      return "providers";
    case QuerySourceKind::curves:
      return "curves";
    case QuerySourceKind::questions:
      return "questions";
    case QuerySourceKind::runlogs:
      return "runlogs";
  }
  return "?";
}

const char* to_string(OptimumMethod method) {
  switch (method) {
    case OptimumMethod::automatic:
      return "auto";
    case OptimumMethod::enumeration:
      return "enumeration";
    case OptimumMethod::local_search:
      return "local-search";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------------------------
// Users

population::UsersView Population::view() const {
  return population::UsersView{size(), alpha.data(), beta.data(), v0.data(), question.data()};
}

BlockRange block_range(std::int64_t users, std::int64_t block_size, std::int64_t b) {
  BlockRange r;
  r.begin = std::min(users, b * block_size);
  r.end = std::min(users, r.begin + block_size);
  return r;
}

namespace {
dist::AliasTable benchmark_alias(const QueryTables& t) {
  return dist::build_alias_table(t.benchmark_weight);
}
}  // namespace

PopulationSampler::PopulationSampler(const PopulationSpec& spec, const QueryTables& tables)
    : value_scale(spec.value_scale),
      beta(spec.beta),
      v0(spec.v0),
      benchmark(benchmark_alias(tables)),
      benchmark_offset(tables.benchmark_offset),
      benchmark_alpha(tables.benchmark_alpha),
      seed(spec.seed) {}

population::SamplingView PopulationSampler::view() const {
  population::SamplingView s;
  s.value_scale = value_scale.view();
  s.beta = beta.view();
  s.v0 = v0.view();
  s.benchmark = benchmark.view();
  s.benchmark_offset = benchmark_offset.data();
  s.benchmark_alpha = benchmark_alpha.data();
  return s;
}

TTCG_SIMD_CLONES void sample_block(const PopulationSampler& sampler, std::int64_t replicate, std::int64_t block_size,
                                   std::int64_t b, Population& out) {
  const population::SamplingView s = sampler.view();
  const rng::Philox4x32Key key = rng::make_key(sampler.seed, population::USERS_STREAM);
  const BlockRange r = block_range(out.size(), block_size, b);
  for (std::int64_t u = r.begin; u < r.end; ++u) {
    const population::UserDraws d =
        population::draw_user(s, key, static_cast<std::uint32_t>(replicate), static_cast<std::uint32_t>(u));
    out.alpha[u] = d.alpha;
    out.beta[u] = d.beta;
    out.v0[u] = d.v0;
    out.question[u] = d.question;
  }
}

Population sample_population(const PopulationSampler& sampler, std::int64_t users, std::int64_t replicate,
                             std::int64_t block_size) {
  Population p;
  p.replicate = replicate;
  p.alpha.resize(users);
  p.beta.resize(users);
  p.v0.resize(users);
  p.question.resize(users);
  const std::int64_t blocks = (users + block_size - 1) / block_size;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t b = 0; b < blocks; ++b) sample_block(sampler, replicate, block_size, b, p);
  return p;
}

// ---------------------------------------------------------------------------------------------------------------
// Partial sums

void DemandSums::merge(const DemandSums& o) {
  if (shares.empty()) {
    *this = o;
    return;
  }
  users += o.users;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    shares[i] += o.shares[i];
    profit[i] += o.profit[i];
  }
  outside += o.outside;
  welfare += o.welfare;
  value += o.value;
  price += o.price;
}

Demand DemandSums::mean() const {
  Demand d;
  const double count = static_cast<double>(users);
  for (std::size_t i = 0; i < shares.size(); ++i) {
    d.shares.push_back(shares[i] / count);
    d.profit.push_back(profit[i] / count);
  }
  d.outside_share = outside / count;
  d.welfare = welfare / count;
  d.weighted_value = value / count;
  d.weighted_price = price / count;
  return d;
}

void UtilitySums::merge(const UtilitySums& o) {
  if (levels.empty()) {
    *this = o;
    return;
  }
  for (std::size_t k = 0; k < levels.size(); ++k) levels[k].merge(o.levels[k]);
}

void WelfareSums::merge(const WelfareSums& o) {
  if (levels.empty()) {
    *this = o;
    return;
  }
  for (std::size_t k = 0; k < levels.size(); ++k) levels[k] += o.levels[k];
}

ProfileTables::ProfileTables(const QueryTables& t, std::span<const int> profile) {
  const std::size_t cells = static_cast<std::size_t>(t.Q) * t.n;
  value_fraction.resize(cells);
  price.resize(cells);
  cost.resize(cells);
  for (std::int64_t q = 0; q < t.Q; ++q)
    for (int i = 0; i < t.n; ++i) {
      const std::size_t a = t.at(q, i, profile[i]), b = static_cast<std::size_t>(q * t.n + i);
      value_fraction[b] = t.value_fraction[a];
      price[b] = t.price[a];
      cost[b] = t.cost[a];
    }
}

population::ProfileView ProfileTables::view(int n, std::int64_t Q) const {
  return population::ProfileView{n, Q, value_fraction.data(), price.data(), cost.data()};
}

// ---------------------------------------------------------------------------------------------------------------
// Realized outcomes

void RegimeTallies::merge(const RegimeTallies& o) {
  welfare.merge(o.welfare);
  user_surplus.merge(o.user_surplus);
  payment.merge(o.payment);
  profit.merge(o.profit);
  tokens.merge(o.tokens);
  expected_welfare.merge(o.expected_welfare);
  correct.merge(o.correct);
  for (std::size_t i = 0; i < choices.size(); ++i) choices[i] += o.choices[i];
  for (std::size_t i = 0; i < provider_profit_sum.size(); ++i) {
    provider_profit_sum[i] += o.provider_profit_sum[i];
    provider_profit_sum_sq[i] += o.provider_profit_sum_sq[i];
  }
  welfare_hist.merge(o.welfare_hist);
  user_surplus_hist.merge(o.user_surplus_hist);
  payment_hist.merge(o.payment_hist);
  profit_hist.merge(o.profit_hist);
}

void OutcomeTallies::merge(const OutcomeTallies& o) {
  market.merge(o.market);
  auction.merge(o.auction);
  first_best.merge(o.first_best);
}

namespace {

RegimeTallies make_regime(int n, const HistogramRanges& r) {
  RegimeTallies t;
  t.choices.assign(n + 1, 0);
  t.provider_profit_sum.assign(n, 0.0);
  t.provider_profit_sum_sq.assign(n, 0.0);
  t.welfare_hist = Histogram(r.welfare_lo, r.welfare_hi, r.bins);
  t.user_surplus_hist = Histogram(r.surplus_lo, r.surplus_hi, r.bins);
  t.payment_hist = Histogram(r.payment_lo, r.payment_hi, r.bins);
  t.profit_hist = Histogram(r.profit_lo, r.profit_hi, r.bins);
  return t;
}

void tally_one(const population::Outcome& o, int n, RegimeTallies& t) {
  t.welfare.add(o.welfare);
  t.user_surplus.add(o.user_surplus);
  t.payment.add(o.payment);
  t.profit.add(o.profit);
  t.tokens.add(o.tokens);
  t.expected_welfare.add(o.expected_welfare);
  if (o.provider >= 0) t.correct.add(static_cast<double>(o.correct));
  ++t.choices[o.provider >= 0 ? o.provider : n];
  if (o.provider >= 0) {
    t.provider_profit_sum[o.provider] += o.profit;
    t.provider_profit_sum_sq[o.provider] += o.profit * o.profit;
  }
  t.welfare_hist.add(o.welfare);
  t.user_surplus_hist.add(o.user_surplus);
  t.payment_hist.add(o.payment);
  t.profit_hist.add(o.profit);
}

}  // namespace

OutcomeTallies make_outcome_tallies(int n, const HistogramRanges& ranges) {
  OutcomeTallies t;
  t.market = make_regime(n, ranges);
  t.auction = make_regime(n, ranges);
  return t;
}

HistogramRanges histogram_ranges(const QueryTables& t, const PopulationSpec& spec) {
  const double tail = POPULATION_HISTOGRAM_TAIL;
  double alpha_min = INFINITY, alpha_max = 0.0;
  for (const double a : t.benchmark_alpha) alpha_min = std::min(alpha_min, a), alpha_max = std::max(alpha_max, a);
  const double a_lo = std::max(0.0, spec.value_scale.lower_bound(tail)) * alpha_min;
  const double a_hi = std::max(0.0, spec.value_scale.upper_bound(tail)) * alpha_max;
  const double v_lo = spec.v0.lower_bound(tail), v_hi = spec.v0.upper_bound(tail);
  const double b = t.market.baseline;
  double price_max = 0.0, cost_max = 0.0, margin_min = 0.0, margin_max = 0.0, w_min = INFINITY;
  for (std::size_t a = 0; a < t.price.size(); ++a) {
    price_max = std::max(price_max, t.price[a]);
    cost_max = std::max(cost_max, t.cost[a]);
    margin_min = std::min(margin_min, t.price[a] - t.cost[a]);
    margin_max = std::max(margin_max, t.price[a] - t.cost[a]);
    w_min = std::min({w_min, a_lo * t.value_fraction[a] - t.cost[a], a_hi * t.value_fraction[a] - t.cost[a]});
  }
  const double payment_hi = std::max(price_max, a_hi - std::min({w_min, v_lo, 0.0}));
  HistogramRanges r{};
  r.bins = spec.histogram_bins;
  r.welfare_lo = std::min(v_lo, a_lo * b - cost_max);
  r.welfare_hi = std::max(v_hi, a_hi);
  r.surplus_lo = std::min(v_lo, a_lo * b - payment_hi);
  r.surplus_hi = std::max(v_hi, a_hi);
  r.payment_lo = 0.0;
  r.payment_hi = payment_hi;
  r.profit_lo = std::min(0.0, margin_min);
  r.profit_hi = std::max(margin_max, payment_hi);
  // Widen a little so that the extreme values fall inside [lo, hi).
  for (auto [lo, hi] : {std::pair<double*, double*>{&r.welfare_lo, &r.welfare_hi},
                        {&r.surplus_lo, &r.surplus_hi},
                        {&r.payment_lo, &r.payment_hi},
                        {&r.profit_lo, &r.profit_hi}}) {
    const double pad = std::max(1e-12, 1e-6 * (*hi - *lo));
    *lo -= pad;
    *hi += pad;
  }
  return r;
}

// Scalar per-user code: the clones give the portable functions' fma() a hardware instruction instead of a libm call.
TTCG_SIMD_CLONES UserOutcomes user_outcomes(const population::QueryView& g, const ProfileTables& at_profile,
                                            std::span<const int> profile, const population::UsersView& users,
                                            Reserve reserve, std::uint64_t seed, std::int64_t replicate,
                                            BlockRange range) {
  const population::ProfileView t = at_profile.view(g.n, g.Q);
  const rng::Philox4x32Key key = rng::make_key(seed, population::OUTCOMES_STREAM);
  UserOutcomes out;
  const std::size_t count = static_cast<std::size_t>(range.end - range.begin);
  out.market.resize(count);
  out.auction.resize(count);
  out.first_best.resize(count);
  double e[population::MAX_PROVIDERS], score[population::MAX_PROVIDERS];
  int level[population::MAX_PROVIDERS];
  for (std::int64_t u = range.begin; u < range.end; ++u) {
    const std::size_t j = static_cast<std::size_t>(u - range.begin);
    const rng::Philox4x32Ctr w = rng::draw(key, static_cast<std::uint32_t>(replicate), 0, static_cast<std::uint32_t>(u),
                                           population::DRAW_OUTCOME);
    const double alpha = users.alpha[u], beta = users.beta[u], v0 = users.v0[u];
    const std::int32_t q = users.question[u];
    out.market[j] = population::market_outcome(g, t, profile.data(), alpha, beta, v0, q, w, e);
    out.auction[j] = population::auction_outcome(g, alpha, v0, q, reserve, w, score, level);
    out.first_best[j] = population::first_best(g, alpha, v0, q);
  }
  return out;
}

void tally_outcomes(const UserOutcomes& records, const population::UsersView&, BlockRange range, OutcomeTallies& out) {
  const int n = static_cast<int>(out.market.provider_profit_sum.size());
  const std::size_t count = static_cast<std::size_t>(range.end - range.begin);
  for (std::size_t j = 0; j < count; ++j) {
    tally_one(records.market[j], n, out.market);
    tally_one(records.auction[j], n, out.auction);
    out.first_best.add(records.first_best[j]);
  }
}

OutcomeTallies outcome_block(const population::QueryView& g, const ProfileTables& at_profile,
                             std::span<const int> profile, const population::UsersView& users, Reserve reserve,
                             std::uint64_t seed, std::int64_t replicate, BlockRange range,
                             const HistogramRanges& ranges) {
  OutcomeTallies t = make_outcome_tallies(g.n, ranges);
  tally_outcomes(user_outcomes(g, at_profile, profile, users, reserve, seed, replicate, range), users, range, t);
  return t;
}

}  // namespace ttcg
