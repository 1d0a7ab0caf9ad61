#include "ttcgames/ensemble/ensemble_results.hpp"

#include <cmath>
#include <sstream>

#include "ttcgames/core/error.hpp"
#include "ttcgames/io/statistic_group.hpp"
#include "ttcgames/market/market_math.hpp"
#include "ttcgames/market/welfare_math.hpp"

namespace ttcg {

namespace {

using h5::Dims;

//! A per-market parameter's spacing as the file names it: "log" for a log-uniform range, else "uniform".
const char* spacing_name(const dist::Distribution& d) {
  return d.kind == dist::DistributionKind::log_uniform ? "log" : "uniform";
}

//! The price jitter's kind as the file names it: "none" (fixed factor 1), "uniform" or "lognormal".
const char* jitter_name(const dist::Distribution& j) {
  return j.kind == dist::DistributionKind::fixed ? "none" : dist::to_string(j.kind);
}

std::string describe_range(const dist::Distribution& d) {
  std::ostringstream s;
  if (d.constant())
    s << d.lower_bound(0.0);
  else
    s << d.lower_bound(0.0) << ".." << d.upper_bound(0.0) << " (" << spacing_name(d) << ")";
  return s.str();
}

std::string describe_jitter(const dist::Distribution& j) {
  std::ostringstream s;
  switch (j.kind) {
    case dist::DistributionKind::uniform:
      s << "uniform factor in [" << j.low << ", " << j.high << "]";
      break;
    case dist::DistributionKind::lognormal:
      s << "lognormal factor exp(" << j.sigma << " z)";
      break;
    default:
      s << "none";
      break;
  }
  return s.str();
}

}  // namespace

std::string describe_ensemble_settings(const EnsembleProblem& p) {
  const EnsembleSpec& e = p.spec();
  std::ostringstream s;
  s << e.markets << " markets of " << e.min_providers;
  if (e.max_providers != e.min_providers) s << ".." << e.max_providers;
  s << " providers from a pool of " << p.pool_names().size() << " (seed " << e.seed << "); beta "
    << describe_range(e.beta) << ", markup " << describe_range(*e.markup) << ", alpha " << describe_range(*e.alpha)
    << " USD, v0 " << describe_range(*e.v0) << " USD; price jitter " << describe_jitter(e.price_jitter);
  return s.str();
}

const std::vector<EnsembleQuantity>& ensemble_quantities() {
  static const std::vector<EnsembleQuantity> q{
      {"inefficiency_percent", "inefficiency 100(PoA-1) %", "percent",
       "100 (PoA - 1) at the equilibrium reached by the dynamics, percent (finite PoA only)",
       &EnsembleTallies::inefficiency, &EnsembleTallies::inefficiency_histogram, &EnsembleRecords::price_of_anarchy,
       true},
      {"price_of_anarchy", "PoA = SW*/SW", "1", "SW* / SW(reached profile) (finite values only)",
       &EnsembleTallies::price_of_anarchy, nullptr, &EnsembleRecords::price_of_anarchy, false},
      {"worst_inefficiency_percent", "worst-NE inefficiency %", "percent",
       "100 (SW*/min_NE SW - 1), percent, over enumerated markets with a pure NE", &EnsembleTallies::worst_inefficiency,
       &EnsembleTallies::worst_inefficiency_histogram, &EnsembleRecords::price_of_anarchy_worst, true},
      {"best_inefficiency_percent", "best-NE inefficiency (PoS-1) %", "percent",
       "100 (SW*/max_NE SW - 1) = 100 (PoS - 1), percent, over enumerated markets with a pure NE",
       &EnsembleTallies::best_inefficiency, nullptr, &EnsembleRecords::price_of_stability, true},
      {"auction_to_optimum", "auction SW / SW*", "1",
       "welfare of the truthful reverse second-price auction over the market optimum SW*",
       &EnsembleTallies::auction_to_optimum, &EnsembleTallies::auction_to_optimum_histogram, nullptr, false},
      {"auction_to_equilibrium", "auction SW / SW(reached)", "1",
       "welfare of the auction over the welfare at the equilibrium reached by the dynamics",
       &EnsembleTallies::auction_to_equilibrium, &EnsembleTallies::auction_to_equilibrium_histogram, nullptr, false},
      {"num_equilibria", "number of pure NE", "1", "number of pure Nash equilibria of enumerated markets",
       &EnsembleTallies::num_equilibria, nullptr, nullptr, false},
      {"max_relative_regret", "max relative regret", "1",
       "certificate of the reached profile: max_i max_k u_i(dev)/u_i - 1 (finite values only)",
       &EnsembleTallies::max_relative_regret, nullptr, &EnsembleRecords::max_relative_regret, false},
      {"rounds", "dynamics rounds", "1", "rounds of the dynamics (the last one without a move)",
       &EnsembleTallies::rounds, nullptr, nullptr, false},
  };
  return q;
}

namespace {

using Quantity = EnsembleQuantity;

//! Finite per-market values of a quantity (auction ratios are derived from the welfare columns).
std::vector<double> finite_values(const EnsembleRecords& r, const Quantity& q) {
  std::vector<double> v;
  const std::size_t M = static_cast<std::size_t>(r.size());
  v.reserve(M);
  for (std::size_t m = 0; m < M; ++m) {
    double x;
    if (q.values)
      x = (r.*q.values)[m];
    else if (std::string(q.name) == "auction_to_optimum")
      x = welfare_ratio(r.auction_welfare[m], r.optimal_welfare[m]);
    else if (std::string(q.name) == "auction_to_equilibrium")
      x = welfare_ratio(r.auction_welfare[m], r.equilibrium_welfare[m]);
    else
      continue;
    if (q.percent_of_ratio) x = 100.0 * (x - 1.0);
    if (std::isfinite(x)) v.push_back(x);
  }
  return v;
}

bool has_exact_values(const Quantity& q) {
  const std::string name = q.name;
  return q.values || name == "auction_to_optimum" || name == "auction_to_equilibrium";
}

void write_records(h5::Group& g, const EnsembleRecords& r, bool enumerated) {
  const hsize_t M = h5::extent(r.size()), W = h5::extent(r.width);
  const Dims MW{M, W};
  // Per-market arrays: dimension market (M), and slot (W, the most providers of a market) for the per-provider ones.
  auto names = [](const Dims& d) { return d.empty() ? h5::DimNames{"market"} : h5::DimNames{"market", "slot"}; };
  auto i32 = [&](const char* name, const std::vector<std::int32_t>& v, const Dims& d, const std::string& desc) {
    g.write(name, std::span<const std::int32_t>(v), d, names(d), "1", desc);
  };
  auto f64 = [&](const char* name, const std::vector<double>& v, const Dims& d, const char* units,
                 const std::string& desc) { g.write(name, std::span<const double>(v), d, names(d), units, desc); };
  i32("num_providers", r.num_providers, {}, "number of providers n of each market");
  i32("providers", r.providers, MW, "pool index of each provider, ascending (-1 past n) [market, slot]");
  f64("price_factor", r.price_factor, MW, "1",
      "jitter of each provider's price per token: usd_per_token = pool_usd_per_token x factor (NaN past n)");
  f64("beta", r.beta, {}, "1/USD", "user rationality of each market");
  f64("markup", r.markup, {}, "1", "markup m of each market");
  f64("alpha", r.alpha, {}, "USD", "dollar value of a query in each market");
  f64("v0", r.v0, {}, "USD", "outside-option value of each market");
  i32("equilibrium_profile", r.equilibrium_profile, MW, "level index per slot at the reached profile (-1 past n)");
  i32("optimal_profile", r.optimal_profile, MW, "a profile attaining SW* (-1 past n)");
  f64("equilibrium_welfare", r.equilibrium_welfare, {}, "USD", "SW at the profile reached by the dynamics");
  f64("optimal_welfare", r.optimal_welfare, {}, "USD", "social optimum SW* (exact)");
  f64("optimum_gap", r.optimum_gap, {}, "USD", "optimality certificate of SW* (a few ulps certify it)");
  f64("price_of_anarchy", r.price_of_anarchy, {}, "1", "SW*/SW(reached); +inf when SW <= 0 < SW*");
  f64("max_regret", r.max_regret, {}, "USD", "certificate of the reached profile: max regret");
  f64("max_relative_regret", r.max_relative_regret, {}, "1", "max relative regret of the reached profile");
  i32("rounds", r.rounds, {}, "dynamics rounds (the last one without a move)");
  g.write("converged", std::span<const std::uint8_t>(r.converged), {}, {"market"}, "1",
          "1 when a round ended without a move");
  i32("auction_winner", r.auction_winner, {}, "pool index of the auction's winner (-1: no trade)");
  f64("auction_welfare", r.auction_welfare, {}, "USD", "welfare of the truthful reverse second-price auction");
  f64("auction_price", r.auction_price, {}, "USD", "price the user pays the auction's winner");
  if (!enumerated) return;
  g.write("enumerated", std::span<const std::uint8_t>(r.enumerated), {}, {"market"}, "1",
          "1 when every pure NE of the market was enumerated (structural: every market; exhaustive: K^n <= "
          "enumeration_max_profiles)");
  g.write("num_equilibria", std::span<const std::int64_t>(r.num_equilibria), {}, {"market"}, "1",
          "number of pure Nash equilibria (-1 when not enumerated)");
  f64("worst_equilibrium_welfare", r.worst_equilibrium_welfare, {}, "USD", "min SW over pure NE (NaN: none/not)");
  f64("best_equilibrium_welfare", r.best_equilibrium_welfare, {}, "USD", "max SW over pure NE (NaN: none/not)");
  f64("price_of_anarchy_worst", r.price_of_anarchy_worst, {}, "1", "SW* / min over pure NE (NaN: none/not)");
  f64("price_of_stability", r.price_of_stability, {}, "1", "SW* / max over pure NE (NaN: none/not)");
}

void write_range_attributes(h5::Group& g, const std::string& name, const dist::Distribution& d) {
  g.write_attribute_f64(name + "_low", d.lower_bound(0.0));
  g.write_attribute_f64(name + "_high", d.upper_bound(0.0));
  g.write_attribute_string(name + "_spacing", spacing_name(d));
}

}  // namespace

void write_ensemble_group(h5::Group& root, const EnsembleResult& result) {
  if (root.exists("ensemble/" + result.name))
    throw InputError("two ensembles are named '" + result.name + "': names must be unique within a run");
  const EnsembleProblem& p = *result.problem;
  const EnsembleSpec& e = p.spec();
  const EnsembleSummary& s = result.summary;
  const EnsembleTallies& t = s.tallies;
  h5::Group g = root.create_group("ensemble/" + result.name);

  g.write_attribute_string("description", describe_ensemble_settings(p));
  g.write_attribute_string("scenario", result.scenario_toml);
  g.write_attribute_i64("seed", static_cast<std::int64_t>(e.seed));
  g.write_attribute_i64("markets", e.markets);
  g.write_attribute_i64("block_size", e.block_size);
  g.write_attribute_i64("blocks", p.blocks());
  g.write_attribute_i64("min_providers", e.min_providers);
  g.write_attribute_i64("max_providers", e.max_providers);
  const dist::Distribution& jitter = e.price_jitter;
  const bool uniform_jitter = jitter.kind == dist::DistributionKind::uniform;
  g.write_attribute_string("price_jitter", jitter_name(jitter));
  g.write_attribute_f64("price_jitter_low", uniform_jitter ? jitter.low : 1.0);
  g.write_attribute_f64("price_jitter_high", uniform_jitter ? jitter.high : 1.0);
  g.write_attribute_f64("price_jitter_sigma", jitter.kind == dist::DistributionKind::lognormal ? jitter.sigma : 0.0);
  write_range_attributes(g, "beta", e.beta);
  write_range_attributes(g, "markup", *e.markup);
  write_range_attributes(g, "alpha", *e.alpha);
  write_range_attributes(g, "v0", *e.v0);
  g.write_attribute_f64("baseline", p.market().baseline);
  g.write_attribute_string("value_curve", p.market().value_curve.describe());
  write_dynamics_attributes(g, p.dynamics());
  g.write_attribute_string("provider_order", to_string(e.order));
  g.write_attribute_string("start", p.params().start == StartLevel::lowest ? "lowest" : "highest");
  g.write_attribute_string("reserve", to_string(p.params().reserve));
  g.write_attribute_i64("enumeration_max_profiles",
                        p.params().enumerate_all ? -1 : p.params().enumeration_max_profiles);
  g.write_attribute_f64("enumeration_tolerance", p.enumeration_tolerance());
  g.write_attribute_string("enumeration_algorithm", to_string(p.enumeration_algorithm()));
  g.write_attribute_string("backend", to_string(result.backend));
  g.write_attribute_i64("threads", result.threads);
  g.write_attribute_f64("seconds", result.seconds);
  g.write_attribute_i64("stored_markets", e.store_markets ? 1 : 0);

  g.write("pool_providers", std::span<const std::string>(p.pool_names()), {}, {"pool"}, "1",
          "the pool's providers (models)");
  std::vector<double> per_token;
  for (const double x : p.pool_usd_per_million()) per_token.push_back(usd_per_token(x));
  g.write("pool_usd_per_token", std::span<const double>(per_token), {}, {"pool"}, "USD",
          "pool price per token before jitter");
  g.write("theta", std::span<const double>(p.theta()), {}, {"level"}, "1",
          "test-time-compute levels shared by the pool");

  const auto count = [&](const char* name, std::int64_t v, const char* d) { g.write_scalar(name, v, "1", d); };
  count("num_markets", t.markets, "markets tallied");
  count("converged", t.markets - t.not_converged, "markets whose dynamics reached an equilibrium");
  count("non_converged", t.not_converged, "markets whose dynamics hit max_rounds");
  count("infinite_price_of_anarchy", t.infinite_poa, "markets with SW <= 0 < SW* (PoA = +inf, left out of tallies)");
  count("enumerated_markets", t.enumerated, "markets whose pure equilibria were all enumerated");
  count("markets_without_equilibrium", t.no_equilibrium, "enumerated markets without a pure NE");
  count("auction_no_trade", t.auction_no_trade, "markets whose auction had no trade");

  g.write("inefficiency_thresholds", std::span<const double>(e.thresholds), {}, {"threshold"}, "1",
          "inefficiency thresholds, percent");
  g.write("markets_above_threshold", std::span<const std::int64_t>(t.above_threshold), {}, {"threshold"}, "1",
          "converged markets with inefficiency 100 (PoA - 1) above each threshold (+inf included)");
  std::vector<double> fraction;
  const std::int64_t converged = t.markets - t.not_converged;
  for (const std::int64_t a : t.above_threshold)
    fraction.push_back(converged > 0 ? static_cast<double>(a) / static_cast<double>(converged) : 0.0);
  g.write("fraction_above_threshold", std::span<const double>(fraction), {}, {"threshold"}, "1",
          "fraction of the converged markets above each inefficiency threshold");

  std::vector<std::int64_t> worst_index;
  std::vector<double> worst_poa;
  for (const WorstMarket& w : t.worst) worst_index.push_back(w.market), worst_poa.push_back(w.price_of_anarchy);
  g.write("worst_markets", std::span<const std::int64_t>(worst_index), {}, {"worst"}, "1",
          "indices of the markets with the highest PoA, worst first (ties: lower index)");
  g.write("worst_markets_price_of_anarchy", std::span<const double>(worst_poa), {}, {"worst"}, "1", "their PoA");

  g.write("quantile", std::span<const double>(e.quantiles), {}, {"quantile"}, "1",
          "coordinate of dimension quantile: the probabilities of the quantiles (as quantile_probabilities)");
  g.write("quantile_probabilities", std::span<const double>(e.quantiles), {}, {"quantile"}, "1",
          "probabilities of the quantiles");
  h5::Group statistics = g.create_group("statistics");
  statistics.write_attribute_string("description", "one statistic group per tallied quantity (docs/hdf5-format.md)");
  for (const Quantity& q : ensemble_quantities()) {
    h5::Group sg = h5::write_statistic(statistics, q.name, t.*q.tally, q.units, q.description);
    if (e.store_markets && has_exact_values(q)) {
      const std::vector<double> qv = exact_quantiles(finite_values(s.records, q), e.quantiles);
      h5::write_quantiles(sg, e.quantiles, qv, q.units,
                          "exact quantiles (numpy linear interpolation) of the finite per-market values");
    }
    if (q.histogram) h5::write_histogram(sg, t.*q.histogram, q.units, e.quantiles);
  }
  if (e.store_markets) {
    h5::Group mg = g.create_group("markets");
    write_records(mg, s.records, p.params().enumerate_all || p.params().enumeration_max_profiles > 0);
  }
}

}  // namespace ttcg
