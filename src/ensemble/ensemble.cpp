#include "ttcgames/ensemble/ensemble.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/tally_archive.hpp"
#include "ttcgames/ensemble/cuda_ensemble.hpp"
#include "ttcgames/io/toml_reader.hpp"

namespace ttcg {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw InputError("'ensemble." + key + "' " + what);
}

std::string describe(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

//! Checks a per-market parameter: fixed, uniform or log-uniform, finite, low <= high, low above `minimum`.
void check_parameter(const dist::Distribution& d, const std::string& key, double minimum, bool minimum_inclusive,
                     const std::string& valid) {
  using dist::DistributionKind;
  if (d.kind != DistributionKind::fixed && d.kind != DistributionKind::uniform &&
      d.kind != DistributionKind::log_uniform)
    fail(key, std::string("is ") + dist::to_string(d.kind) + "; valid: a number, or a uniform or log-uniform range");
  const double low = d.lower_bound(0.0), high = d.upper_bound(0.0);
  if (!std::isfinite(low) || !std::isfinite(high)) fail(key, "must be finite");
  if (high < low) fail(key, "has high < low (" + describe(high) + " < " + describe(low) + ")");
  if (minimum_inclusive ? low < minimum : low <= minimum) fail(key, "must be " + valid);
  if (d.kind == DistributionKind::log_uniform && !d.constant() && !(low > 0.0))
    fail(key, "needs low > 0 for spacing = \"log\" (or spacing = \"uniform\")");
}

//! The view of a per-market parameter (checked: never empirical, so it points to no host memory).
dist::DistributionView parameter_view(const dist::Distribution& d) {
  return dist::PreparedDistribution(d).view();
}

//! The largest price factor the jitter can draw (a standard normal from one Philox draw stays within ±9).
double max_jitter_factor(const dist::Distribution& j) {
  constexpr double NORMAL_DRAW_BOUND = 9.0;
  if (j.kind == dist::DistributionKind::lognormal) return std::exp(j.mu + j.sigma * NORMAL_DRAW_BOUND);
  return j.upper_bound(0.0);
}

//! NumericalError naming the ensemble, market and quantity unless the market's numbers are finite (PoA may be +inf
//! when SW ≤ 0 < SW*, the relative regret +inf where a utility underflows, the equilibrium welfare NaN without one).
void check_finite(const MarketOutcome& o, std::int64_t market, const EnsembleSpec& spec) {
  const auto fail = [&](const std::string& quantity, double v) {
    throw NumericalError(spec.name + " ensemble, market " + std::to_string(market) +
                         " (beta = " + describe(o.draw.beta) + "): " + quantity + " is " + describe(v) +
                         " (no convention allows a non-finite value here; please report this)");
  };
  const auto finite = [&](const std::string& quantity, double v) {
    if (!std::isfinite(v)) fail(quantity, v);
  };
  finite("the welfare at the reached profile", o.welfare);
  finite("the optimal welfare", o.optimum.welfare);
  finite("the maximum regret", o.certificate.max_regret);
  if (std::isnan(o.certificate.max_relative_regret)) fail("the maximum relative regret", NaN);
  if (std::isnan(o.price_of_anarchy) || o.price_of_anarchy == -INFINITY)
    fail("the price of anarchy", o.price_of_anarchy);
  finite("the auction welfare", o.auction.welfare);
  finite("the auction price", o.auction.price);
  finite("the auction's user value", o.auction.user_value);
  if (o.enumerated && o.equilibria.count > 0) {
    finite("the worst equilibrium welfare", o.equilibria.worst_welfare);
    finite("the best equilibrium welfare", o.equilibria.best_welfare);
  }
}

}  // namespace

EnsembleProblem::EnsembleProblem(const ProviderSet& providers, const MarketParams& market,
                                 const DynamicsOptions& dynamics, StartLevel start,
                                 const EnumerationOptions& enumeration, Reserve reserve, EnsembleSpec spec)
    : spec_(std::move(spec)), market_(market), dynamics_(dynamics), enumeration_(enumeration) {
  const double enumeration_tolerance = enumeration.relative_tolerance;
  EnsembleSpec& s = spec_;
  build_market_table(providers, market);  // the pool itself must be a valid market
  DynamicsOptions settings = dynamics;
  settings.start.clear();  // each market starts at its lowest or highest levels
  check_dynamics_options(settings, static_cast<int>(providers.providers.size()),
                         static_cast<int>(providers.theta.size()));
  if (s.markets < 1 || s.markets > ENSEMBLE_MAX_MARKETS)
    fail("markets", "must lie in 1.." + std::to_string(ENSEMBLE_MAX_MARKETS) + ", got " + std::to_string(s.markets));
  if (s.block_size < 1 || s.block_size > (std::int64_t{1} << 24))
    fail("block_size", "must lie in 1..16777216, got " + std::to_string(s.block_size));

  // The pool: the listed providers, in the scenario's order of listing, or all of them.
  std::vector<std::string> all;
  for (const ProviderCurves& p : providers.providers) all.push_back(p.name);
  std::vector<int> chosen;
  if (s.pool.empty()) {
    for (int i = 0; i < static_cast<int>(all.size()); ++i) chosen.push_back(i);
  } else {
    std::set<std::string> seen;
    for (const std::string& name : s.pool) {
      if (!seen.insert(name).second) fail("pool", "lists provider '" + name + "' twice");
      const auto it = std::find(all.begin(), all.end(), name);
      if (it == all.end()) {
        const std::string hint = closest_match(name, all);
        fail("pool", "names '" + name + "', which is not a provider of the scenario" +
                         (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
      chosen.push_back(static_cast<int>(it - all.begin()));
    }
  }
  const int P = static_cast<int>(chosen.size());
  const int K = static_cast<int>(providers.theta.size());
  if (P > ENSEMBLE_MAX_POOL)
    fail("pool", "has " + std::to_string(P) + " providers; at most " + std::to_string(ENSEMBLE_MAX_POOL));
  if (K > ENSEMBLE_MAX_LEVELS)
    throw InputError("ensemble: the providers have " + std::to_string(K) + " levels; ensembles support at most " +
                     std::to_string(ENSEMBLE_MAX_LEVELS));
  if (s.min_providers == 0 && s.max_providers == 0) s.min_providers = s.max_providers = P;
  if (s.min_providers < 1 || s.min_providers > s.max_providers || s.max_providers > P)
    fail("providers", "must satisfy 1 <= min <= max <= " + std::to_string(P) + " (the pool size), got " +
                          std::to_string(s.min_providers) + ".." + std::to_string(s.max_providers));
  if (s.max_providers > ENSEMBLE_MAX_PROVIDERS)
    fail("providers", "allows at most " + std::to_string(ENSEMBLE_MAX_PROVIDERS) + " providers per market, got " +
                          std::to_string(s.max_providers));

  const dist::Distribution& j = s.price_jitter;
  using dist::DistributionKind;
  if (j.kind == DistributionKind::fixed && j.value != 1.0)
    fail("price_jitter", "is fixed at " + describe(j.value) + "; without jitter the factor is 1");
  if (j.kind == DistributionKind::uniform && !(j.low > 0.0 && j.low <= j.high && std::isfinite(j.high)))
    fail("price_jitter", "needs finite 0 < low <= high for kind = \"uniform\"");
  if (j.kind == DistributionKind::lognormal && !(j.mu == 0.0 && j.sigma >= 0.0 && j.sigma <= 10.0))
    fail("price_jitter", "needs 0 <= sigma <= 10 for kind = \"lognormal\" (median 1)");
  if (j.kind == DistributionKind::log_uniform || j.kind == DistributionKind::empirical)
    fail("price_jitter", std::string("is ") + dist::to_string(j.kind) + "; valid: none, uniform or lognormal");
  check_parameter(s.beta, "beta", 0.0, true, ">= 0 (an inverse temperature, 1/USD)");
  if (!s.markup) s.markup = dist::Distribution::fixed_value(market.markup);
  if (!s.alpha) s.alpha = dist::Distribution::fixed_value(market.alpha);
  if (!s.v0) s.v0 = dist::Distribution::fixed_value(market.v0);
  check_parameter(*s.markup, "markup", -1.0, false, "> -1 (cost = price / (1 + markup))");
  check_parameter(*s.alpha, "alpha", 0.0, true, ">= 0 (USD per query)");
  check_parameter(*s.v0, "v0", -std::numeric_limits<double>::infinity(), false, "finite");
  if (s.order != ProviderOrder::random && s.order != ProviderOrder::fixed)
    fail("order", "must be \"random\" or \"fixed\" (the reference order replays CPython's generator, host only)");
  if (s.enumeration_max_profiles < 1 || s.enumeration_max_profiles > ENSEMBLE_MAX_ENUMERATION_PROFILES)
    fail("enumeration_max_profiles",
         "must lie in 1.." + std::to_string(ENSEMBLE_MAX_ENUMERATION_PROFILES) + " (or set enumerate = false)");
  if (!(s.inefficiency_histogram_max > 0.0) || !std::isfinite(s.inefficiency_histogram_max) ||
      s.inefficiency_histogram_bins < 1 || s.inefficiency_histogram_bins > 1'000'000)
    fail("histogram", "needs a finite max > 0 (percent) and 1 <= bins <= 1000000");
  for (const double t : s.thresholds)
    if (!std::isfinite(t)) fail("thresholds", "must be finite (percent)");
  for (const double q : s.quantiles)
    if (!(q >= 0.0 && q <= 1.0)) fail("quantiles", "must lie in [0, 1]");
  if (!(enumeration_tolerance >= 0.0)) throw InputError("ensemble: the equilibrium tolerance must be >= 0");

  theta_ = providers.theta;
  for (const int i : chosen) {
    const ProviderCurves& pc = providers.providers[i];
    pool_names_.push_back(pc.name);
    pool_accuracy_.push_back(pc.accuracy);
    pool_price_.push_back(pc.usd_per_million_tokens);
    for (int k = 0; k < K; ++k) {
      pool_value_.push_back(market.value_curve(pc.accuracy[k]));
      pool_tokens_.push_back(pc.tokens[k]);
    }
  }

  // Every market's log attractions β·V and β·v0 within the engine's exact range (check_log_space), bounded over
  // the ranges up front: |V| ≤ α·1 + T·π·jitter (the value fraction is at most 1).
  double max_user_value = 0.0;
  for (std::size_t i = 0; i < pool_price_.size(); ++i)
    for (int k = 0; k < K; ++k)
      max_user_value =
          std::max(max_user_value, s.alpha->upper_bound(0.0) +
                                       usd_per_token(pool_price_[i] * max_jitter_factor(j)) * pool_tokens_[i * K + k]);
  const double beta_high = s.beta.upper_bound(0.0);
  const double max_x = std::max(beta_high * max_user_value, beta_high * std::max(std::fabs(s.v0->lower_bound(0.0)),
                                                                                 std::fabs(s.v0->upper_bound(0.0))));
  if (!(max_x <= LOG_ATTRACTION_LIMIT))
    fail("beta", "reaches " + describe(beta_high) + ", where a market's log attraction beta*V or beta*v0 can reach " +
                     describe(max_x) + ", beyond +-" + describe(LOG_ATTRACTION_LIMIT) +
                     " (the range computed exactly in double precision); lower the beta, alpha, v0 or price ranges");

  EnsembleParams& p = params_;
  p.pool_size = P;
  p.K = K;
  p.pool_value = pool_value_.data();
  p.pool_tokens = pool_tokens_.data();
  p.pool_price = pool_price_.data();
  p.min_providers = s.min_providers;
  p.max_providers = s.max_providers;
  p.jitter = parameter_view(s.price_jitter);
  p.beta = parameter_view(s.beta);
  p.markup = parameter_view(*s.markup);
  p.alpha = parameter_view(*s.alpha);
  p.v0 = parameter_view(*s.v0);
  p.baseline = market.baseline;
  p.dynamics = dynamics_settings(dynamics);
  p.random_order = s.order == ProviderOrder::random;
  p.start = start;
  p.reserve = reserve;
  const bool structural = enumeration.algorithm == EnumerationAlgorithm::structural;
  p.enumerate_all = s.enumerate && structural;
  p.enumeration_max_profiles = s.enumerate && !structural ? s.enumeration_max_profiles : 0;
  p.enumeration_log_tol = std::log1p(enumeration_tolerance);
  p.seed = s.seed;
  p.keys = EnsembleKeys::make(s.seed);
  dynamics_.order = s.order;
  dynamics_.seed = s.seed;
  dynamics_.order_stream = ENSEMBLE_ORDER_STREAM;
  dynamics_.start.clear();
  dynamics_.record_history = false;
}

std::int64_t EnsembleProblem::block_count(std::int64_t b) const {
  return std::min(spec_.block_size, spec_.markets - block_first(b));
}

ProviderSet EnsembleProblem::market_providers(const MarketDraw& d) const {
  ProviderSet set;
  set.theta = theta_;
  const int K = params_.K;
  for (int s = 0; s < d.n; ++s) {
    const int i = d.providers[s];
    ProviderCurves pc;
    pc.name = pool_names_[i];
    pc.accuracy = pool_accuracy_[i];
    pc.tokens.assign(pool_tokens_.begin() + i * K, pool_tokens_.begin() + (i + 1) * K);
    pc.usd_per_million_tokens = jittered_usd_per_million(params_, i, d.price_factor[s]);
    set.providers.push_back(std::move(pc));
  }
  return set;
}

MarketParams EnsembleProblem::market_params(const MarketDraw& d) const {
  MarketParams m = market_;
  m.alpha = d.alpha;
  m.markup = d.markup;
  m.v0 = d.v0;
  return m;
}

DynamicsOptions EnsembleProblem::market_dynamics(std::int64_t market, int n) const {
  DynamicsOptions o = dynamics_;
  o.order_replicate = static_cast<std::uint32_t>(market);
  if (params_.start == StartLevel::highest) o.start.assign(n, params_.K - 1);
  return o;
}

// ---- computing blocks ----

std::vector<MarketOutcome> solve_ensemble_markets(const EnsembleProblem& problem, std::int64_t first,
                                                  std::int64_t count, Backend backend) {
  if (first < 0 || count < 0 || first + count > problem.markets())
    throw InputError("ensemble: markets " + std::to_string(first) + ".." + std::to_string(first + count - 1) +
                     " lie outside 0.." + std::to_string(problem.markets() - 1));
  std::vector<MarketOutcome> out(static_cast<std::size_t>(count));
  if (count == 0) return out;
  if (backend == Backend::cuda) {
    cuda::solve_ensemble_markets(problem.params(), first, count, out.data());
    return out;
  }
  const EnsembleParams& p = problem.params();
#pragma omp parallel for schedule(dynamic, 64)
  for (std::int64_t i = 0; i < count; ++i) solve_ensemble_market(p, static_cast<std::uint32_t>(first + i), out[i]);
  return out;
}

std::vector<EnsembleBlockResult> compute_ensemble_blocks(const EnsembleProblem& problem, std::int64_t first_block,
                                                         std::int64_t count, Backend backend) {
  if (first_block < 0 || count < 0 || first_block + count > problem.blocks())
    throw InputError("ensemble: blocks " + std::to_string(first_block) + ".." +
                     std::to_string(first_block + count - 1) + " lie outside 0.." +
                     std::to_string(problem.blocks() - 1));
  std::vector<EnsembleBlockResult> results(static_cast<std::size_t>(count));
  if (count == 0) return results;
  const std::int64_t first = problem.block_first(first_block);
  const std::int64_t last_block = first_block + count - 1;
  const std::int64_t markets = problem.block_first(last_block) + problem.block_count(last_block) - first;
  const std::vector<MarketOutcome> outcomes = solve_ensemble_markets(problem, first, markets, backend);
  const EnsembleSpec& spec = problem.spec();
  for (std::int64_t i = 0; i < markets; ++i) check_finite(outcomes[static_cast<std::size_t>(i)], first + i, spec);
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t j = 0; j < count; ++j) {
    EnsembleBlockResult& r = results[static_cast<std::size_t>(j)];
    r.block = first_block + j;
    r.tallies = EnsembleTallies(spec);
    r.records.first = problem.block_first(r.block);
    r.records.width = problem.width();
    const std::int64_t begin = r.records.first - first;
    for (std::int64_t i = begin; i < begin + problem.block_count(r.block); ++i) {
      const MarketOutcome& o = outcomes[static_cast<std::size_t>(i)];
      r.tallies.add(first + i, o, spec);
      if (spec.store_markets) r.records.push_back(o);
    }
  }
  return results;
}

EnsembleBlockResult compute_ensemble_block(const EnsembleProblem& problem, std::int64_t block, Backend backend) {
  return std::move(compute_ensemble_blocks(problem, block, 1, backend).front());
}

// ---- merging ----

EnsembleSummary::EnsembleSummary(const EnsembleProblem& problem) : tallies(problem.spec()) {
  records.width = problem.width();
}

void EnsembleSummary::merge(const EnsembleBlockResult& block) {
  if (block.block != next_block)
    throw std::invalid_argument("EnsembleSummary::merge: got block " + std::to_string(block.block) + ", expected " +
                                std::to_string(next_block) + " (blocks merge in increasing order)");
  tallies.merge(block.tallies);
  records.append(block.records);
  ++next_block;
}

EnsembleSummary merge_ensemble_blocks(const EnsembleProblem& problem, std::vector<EnsembleBlockResult> blocks) {
  std::sort(blocks.begin(), blocks.end(), [](const auto& a, const auto& b) { return a.block < b.block; });
  EnsembleSummary s(problem);
  for (const EnsembleBlockResult& b : blocks) s.merge(b);
  return s;
}

}  // namespace ttcg
