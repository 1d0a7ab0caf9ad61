// /ensemble/<name> of a result file (docs/hdf5-format.md) and the ensemble summary printed by `ttcgames run` and
// `ttcgames summary`.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

#include "ttcgames/core/error.hpp"
#include "ttcgames/run/results.hpp"
#include "ttcgames/run/scenario.hpp"

namespace ttcg {

namespace {

using h5::Dims;

hsize_t hs(std::int64_t v) {
  return static_cast<hsize_t>(v);
}

const char* to_string(Spacing s) {
  return s == Spacing::log ? "log" : "uniform";
}

const char* to_string(JitterKind k) {
  switch (k) {
    case JitterKind::none:
      return "none";
    case JitterKind::uniform:
      return "uniform";
    case JitterKind::lognormal:
      return "lognormal";
  }
  return "?";
}

std::string describe_range(const ParameterRange& r) {
  std::ostringstream s;
  if (r.fixed())
    s << r.low;
  else
    s << r.low << ".." << r.high << " (" << to_string(r.spacing) << ")";
  return s.str();
}

std::string describe_jitter(const PriceJitter& j) {
  std::ostringstream s;
  switch (j.kind) {
    case JitterKind::none:
      s << "none";
      break;
    case JitterKind::uniform:
      s << "uniform factor in [" << j.low << ", " << j.high << "]";
      break;
    case JitterKind::lognormal:
      s << "lognormal factor exp(" << j.sigma << " z)";
      break;
  }
  return s.str();
}

//! One-line description of an ensemble's draws.
std::string describe_settings(const EnsembleProblem& p) {
  const EnsembleSpec& e = p.spec();
  std::ostringstream s;
  s << e.markets << " markets of " << e.min_providers;
  if (e.max_providers != e.min_providers) s << ".." << e.max_providers;
  s << " providers from a pool of " << p.pool_names().size() << " (seed " << e.seed << "); beta "
    << describe_range(e.beta) << ", markup " << describe_range(*e.markup) << ", alpha " << describe_range(*e.alpha)
    << " USD, v0 " << describe_range(*e.v0) << " USD; price jitter " << describe_jitter(e.price_jitter);
  return s.str();
}

//! A tallied quantity: its name in the file, its label, and where it lives in the tallies.
struct Quantity {
  const char* name;
  const char* label;
  const char* description;
  const Tally EnsembleTallies::*tally;
  const Histogram EnsembleTallies::*histogram;   //!< nullptr: no histogram
  std::vector<double> EnsembleRecords::*values;  //!< per-market values for exact quantiles (nullptr: none)
  bool percent_of_ratio;                         //!< values are ratios; the quantity is 100·(ratio − 1)
};

const std::vector<Quantity>& quantities() {
  static const std::vector<Quantity> q{
      {"inefficiency_percent", "inefficiency 100(PoA-1) %",
       "100 (PoA - 1) at the equilibrium reached by the dynamics, percent (finite PoA only)",
       &EnsembleTallies::inefficiency, &EnsembleTallies::inefficiency_histogram, &EnsembleRecords::price_of_anarchy,
       true},
      {"price_of_anarchy", "PoA = SW*/SW", "SW* / SW(reached profile) (finite values only)",
       &EnsembleTallies::price_of_anarchy, nullptr, &EnsembleRecords::price_of_anarchy, false},
      {"worst_inefficiency_percent", "worst-NE inefficiency %",
       "100 (SW*/min_NE SW - 1), percent, over enumerated markets with a pure NE", &EnsembleTallies::worst_inefficiency,
       &EnsembleTallies::worst_inefficiency_histogram, &EnsembleRecords::price_of_anarchy_worst, true},
      {"best_inefficiency_percent", "best-NE inefficiency (PoS-1) %",
       "100 (SW*/max_NE SW - 1) = 100 (PoS - 1), percent, over enumerated markets with a pure NE",
       &EnsembleTallies::best_inefficiency, nullptr, &EnsembleRecords::price_of_stability, true},
      {"auction_to_optimum", "auction SW / SW*",
       "welfare of the truthful reverse second-price auction over the market optimum SW*",
       &EnsembleTallies::auction_to_optimum, &EnsembleTallies::auction_to_optimum_histogram, nullptr, false},
      {"auction_to_equilibrium", "auction SW / SW(reached)",
       "welfare of the auction over the welfare at the equilibrium reached by the dynamics",
       &EnsembleTallies::auction_to_equilibrium, &EnsembleTallies::auction_to_equilibrium_histogram, nullptr, false},
      {"num_equilibria", "number of pure NE", "number of pure Nash equilibria of enumerated markets",
       &EnsembleTallies::num_equilibria, nullptr, nullptr, false},
      {"max_relative_regret", "max relative regret",
       "certificate of the reached profile: max_i max_k u_i(dev)/u_i - 1 (finite values only)",
       &EnsembleTallies::max_relative_regret, nullptr, &EnsembleRecords::max_relative_regret, false},
      {"rounds", "dynamics rounds", "rounds of the dynamics (the last one without a move)", &EnsembleTallies::rounds,
       nullptr, nullptr, false},
  };
  return q;
}

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

void write_tally(h5::Group& g, const Tally& t, const std::string& description) {
  g.write_attribute_string("description", description);
  g.write_scalar("count", t.count, "1", "number of values tallied");
  g.write_scalar("sum", t.sum, "1", "sum of the values");
  g.write_scalar("sum_sq", t.sum_sq, "1", "sum of the squared values (with sum and count: merges exactly)");
  g.write_scalar("min", t.count > 0 ? t.min : std::numeric_limits<double>::quiet_NaN(), "1", "smallest value");
  g.write_scalar("max", t.count > 0 ? t.max : std::numeric_limits<double>::quiet_NaN(), "1", "largest value");
  g.write_scalar("mean", t.mean(), "1", "sum / count");
  g.write_scalar("std", t.stddev(), "1", "sample standard deviation");
  g.write_scalar("ci95_half_width", t.ci95_half_width(), "1", "half-width of the normal 95% interval of the mean");
}

void write_histogram(h5::Group& g, const Histogram& h, const std::string& description) {
  g.write_attribute_string("description", description);
  g.write("counts", std::span<const std::int64_t>(h.counts), {}, {"bin"}, "1", "values per bin");
  std::vector<double> edges(static_cast<std::size_t>(h.bins()) + 1);
  for (int b = 0; b <= h.bins(); ++b) edges[static_cast<std::size_t>(b)] = h.lo + b * h.bin_width();
  g.write("edges", std::span<const double>(edges), {}, {"bin_edge"}, "1", "bin edges: bin b is [edges[b], edges[b+1])");
  g.write_scalar("underflow", h.underflow, "1", "values below edges[0]");
  g.write_scalar("overflow", h.overflow, "1", "values at or above the last edge, +inf and NaN");
}

void write_records(h5::Group& g, const EnsembleRecords& r, bool enumerated) {
  const hsize_t M = hs(r.size()), W = hs(r.width);
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

void write_range_attributes(h5::Group& g, const std::string& name, const ParameterRange& r) {
  g.write_attribute_f64(name + "_low", r.low);
  g.write_attribute_f64(name + "_high", r.high);
  g.write_attribute_string(name + "_spacing", to_string(r.spacing));
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

  g.write_attribute_string("description", describe_settings(p));
  g.write_attribute_string("scenario", result.scenario_toml);
  g.write_attribute_i64("seed", static_cast<std::int64_t>(e.seed));
  g.write_attribute_i64("markets", e.markets);
  g.write_attribute_i64("block_size", e.block_size);
  g.write_attribute_i64("blocks", p.blocks());
  g.write_attribute_i64("min_providers", e.min_providers);
  g.write_attribute_i64("max_providers", e.max_providers);
  g.write_attribute_string("price_jitter", to_string(e.price_jitter.kind));
  g.write_attribute_f64("price_jitter_low", e.price_jitter.low);
  g.write_attribute_f64("price_jitter_high", e.price_jitter.high);
  g.write_attribute_f64("price_jitter_sigma", e.price_jitter.sigma);
  write_range_attributes(g, "beta", e.beta);
  write_range_attributes(g, "markup", *e.markup);
  write_range_attributes(g, "alpha", *e.alpha);
  write_range_attributes(g, "v0", *e.v0);
  g.write_attribute_f64("baseline", p.market().baseline);
  g.write_attribute_string("value_curve", p.market().value_curve.describe());
  g.write_attribute_string("dynamics_rule", to_string(p.dynamics().rule));
  g.write_attribute_string("provider_order", to_string(e.order));
  g.write_attribute_string("start", p.params().start == StartLevel::lowest ? "lowest" : "highest");
  g.write_attribute_f64("tolerance", p.dynamics().relative_tolerance);
  g.write_attribute_f64("absolute_tolerance", p.dynamics().absolute_tolerance);
  g.write_attribute_i64("max_rounds", p.dynamics().max_rounds);
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
  count("not_converged", t.not_converged, "markets whose dynamics hit max_rounds");
  count("infinite_price_of_anarchy", t.infinite_poa, "markets with SW <= 0 < SW* (PoA = +inf, left out of tallies)");
  count("enumerated_markets", t.enumerated, "markets whose pure equilibria were all enumerated");
  count("markets_without_equilibrium", t.no_equilibrium, "enumerated markets without a pure NE");
  count("auction_no_trade", t.auction_no_trade, "markets whose auction had no trade");

  g.write("inefficiency_thresholds", std::span<const double>(e.thresholds), {}, {"threshold"}, "1",
          "inefficiency thresholds, percent");
  g.write("markets_above_threshold", std::span<const std::int64_t>(t.above_threshold), {}, {"threshold"}, "1",
          "markets with inefficiency 100 (PoA - 1) above each threshold (+inf included)");
  std::vector<double> fraction;
  for (const std::int64_t a : t.above_threshold)
    fraction.push_back(t.markets > 0 ? static_cast<double>(a) / static_cast<double>(t.markets) : 0.0);
  g.write("fraction_above_threshold", std::span<const double>(fraction), {}, {"threshold"}, "1",
          "fraction of markets above each inefficiency threshold");

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
  for (const Quantity& q : quantities()) {
    h5::Group sg = g.create_group(std::string("statistics/") + q.name);
    write_tally(sg, t.*q.tally, q.description);
    if (q.histogram) {
      h5::Group hg = g.create_group(std::string("histograms/") + q.name);
      write_histogram(hg, t.*q.histogram, q.description);
      std::vector<double> qv;
      for (const double pr : e.quantiles) qv.push_back((t.*q.histogram).quantile(pr));
      g.write(std::string("quantiles/") + q.name, std::span<const double>(qv), {}, {"quantile"}, "1",
              std::string("quantiles from the histogram (exact to one bin width) of: ") + q.description);
    }
    if (e.store_markets && has_exact_values(q)) {
      const std::vector<double> qv = exact_quantiles(finite_values(s.records, q), e.quantiles);
      g.write(std::string("quantiles_exact/") + q.name, std::span<const double>(qv), {}, {"quantile"}, "1",
              std::string("exact quantiles (numpy linear interpolation) of the finite values of: ") + q.description);
    }
  }
  if (e.store_markets) {
    h5::Group mg = g.create_group("markets");
    write_records(mg, s.records, p.params().enumerate_all || p.params().enumeration_max_profiles > 0);
  }
}

// ---- the printed summary ----

EnsembleReport summarize(const EnsembleResult& result) {
  const EnsembleProblem& p = *result.problem;
  const EnsembleSpec& e = p.spec();
  const EnsembleTallies& t = result.summary.tallies;
  EnsembleReport r;
  r.name = result.name;
  r.settings = describe_settings(p);
  r.markets = t.markets;
  r.not_converged = t.not_converged;
  r.infinite_poa = t.infinite_poa;
  r.enumerated = t.enumerated;
  r.no_equilibrium = t.no_equilibrium;
  r.auction_no_trade = t.auction_no_trade;
  r.quantile_probabilities = e.quantiles;
  r.thresholds = e.thresholds;
  r.above = t.above_threshold;
  r.worst = t.worst;
  r.backend = to_string(result.backend);
  r.threads = result.threads;
  r.seconds = result.seconds;
  for (const Quantity& q : quantities()) {
    const std::string name = q.name;
    if (name == "price_of_anarchy" || name == "num_equilibria" || name == "rounds" || name == "max_relative_regret")
      continue;
    EnsembleStatistic st;
    st.label = q.label;
    st.tally = t.*q.tally;
    if (e.store_markets && has_exact_values(q)) {
      st.quantiles = exact_quantiles(finite_values(result.summary.records, q), e.quantiles);
    } else if (q.histogram) {
      for (const double pr : e.quantiles) st.quantiles.push_back((t.*q.histogram).quantile(pr));
    }
    r.statistics.push_back(std::move(st));
  }
  return r;
}

std::vector<EnsembleReport> read_ensemble_reports(const std::string& path) {
  using h5::ANY;
  const h5::File file = open_results_file(path);
  const h5::Group root = file.root();
  std::vector<EnsembleReport> out;
  if (!root.exists("ensemble")) return out;
  const h5::Group ensembles = root.open_group("ensemble");
  for (const std::string& name : ensembles.list()) {
    const h5::Group g = ensembles.open_group(name);
    EnsembleReport r;
    r.name = name;
    r.settings = g.read_attribute_string("description");
    r.markets = g.read_scalar_i64("num_markets");
    r.not_converged = g.read_scalar_i64("not_converged");
    r.infinite_poa = g.read_scalar_i64("infinite_price_of_anarchy");
    r.enumerated = g.read_scalar_i64("enumerated_markets");
    r.no_equilibrium = g.read_scalar_i64("markets_without_equilibrium");
    r.auction_no_trade = g.read_scalar_i64("auction_no_trade");
    h5::Dims found;
    r.quantile_probabilities = g.read_f64("quantile_probabilities", {ANY}, &found);
    const hsize_t Q = found[0];
    r.thresholds = g.read_f64("inefficiency_thresholds", {ANY}, &found);
    r.above = g.read_i64("markets_above_threshold", {found[0]});
    const std::vector<std::int64_t> wi = g.read_i64("worst_markets", {ANY}, &found);
    const std::vector<double> wp = g.read_f64("worst_markets_price_of_anarchy", {found[0]});
    for (std::size_t j = 0; j < wi.size(); ++j) r.worst.push_back(WorstMarket{wi[j], wp[j]});
    r.backend = g.read_attribute_string("backend");
    const std::int64_t threads = g.read_attribute_i64("threads");
    if (threads < 1 || threads > std::numeric_limits<int>::max())
      throw InputError(g.where() + "@threads: value " + std::to_string(threads) + ", expected a thread count >= 1");
    r.threads = static_cast<int>(threads);
    r.seconds = g.read_attribute_f64("seconds");
    for (const Quantity& q : quantities()) {
      const std::string qn = q.name;
      if (qn == "price_of_anarchy" || qn == "num_equilibria" || qn == "rounds" || qn == "max_relative_regret") continue;
      const h5::Group sg = g.open_group("statistics/" + qn);
      EnsembleStatistic st;
      st.label = q.label;
      st.tally.count = sg.read_scalar_i64("count");
      st.tally.sum = sg.read_scalar_f64("sum");
      st.tally.sum_sq = sg.read_scalar_f64("sum_sq");
      st.tally.min = sg.read_scalar_f64("min");
      st.tally.max = sg.read_scalar_f64("max");
      if (g.exists("quantiles_exact/" + qn))
        st.quantiles = g.read_f64("quantiles_exact/" + qn, {Q});
      else if (g.exists("quantiles/" + qn))
        st.quantiles = g.read_f64("quantiles/" + qn, {Q});
      r.statistics.push_back(std::move(st));
    }
    out.push_back(std::move(r));
  }
  return out;
}

void print_ensemble_report(std::ostream& out, const EnsembleReport& r) {
  const auto old_flags = out.flags();
  const auto old_precision = out.precision();
  out << "\n== ensemble " << r.name << ": " << r.settings << "\n";
  out << std::defaultfloat << std::setprecision(4) << "   " << r.markets << " markets in " << r.seconds << " s ("
      << (r.seconds > 0 ? static_cast<double>(r.markets) / r.seconds : 0.0) << " markets/s, " << r.backend << ", "
      << r.threads << " threads)\n";
  out << "   " << std::left << std::setw(32) << "quantity" << std::right << std::setw(10) << "markets" << std::setw(11)
      << "mean" << std::setw(10) << "+-95%" << std::setw(10) << "sd" << std::setw(10) << "min" << std::setw(10)
      << "max";
  for (const double p : r.quantile_probabilities) {
    std::ostringstream h;
    h << "q" << 100.0 * p;
    out << std::setw(9) << h.str();
  }
  out << "\n" << std::fixed;
  for (const EnsembleStatistic& s : r.statistics) {
    if (s.tally.count == 0) continue;
    out << "   " << std::left << std::setw(32) << s.label << std::right << std::setw(10) << s.tally.count
        << std::setprecision(4) << std::setw(11) << s.tally.mean() << std::setw(10) << s.tally.ci95_half_width()
        << std::setw(10) << s.tally.stddev() << std::setw(10) << s.tally.min << std::setw(10) << s.tally.max
        << std::setprecision(3);
    for (const double q : s.quantiles) out << std::setw(9) << q;
    out << "\n";
  }
  out << std::defaultfloat << std::setprecision(4) << "   markets above an inefficiency of";
  for (std::size_t t = 0; t < r.thresholds.size(); ++t)
    out << (t ? "," : "") << " " << r.thresholds[t]
        << "%: " << (r.markets > 0 ? 100.0 * static_cast<double>(r.above[t]) / static_cast<double>(r.markets) : 0.0)
        << "%";
  out << "\n";
  out << "   worst markets (index: inefficiency):";
  for (const WorstMarket& w : r.worst) {
    out << " " << w.market << ": ";
    if (std::isfinite(w.price_of_anarchy))
      out << std::fixed << std::setprecision(1) << 100.0 * (w.price_of_anarchy - 1.0) << "%" << std::defaultfloat;
    else
      out << "inf";
  }
  out << "\n   not converged " << r.not_converged << ", infinite PoA " << r.infinite_poa << ", enumerated "
      << r.enumerated << " (without a pure NE " << r.no_equilibrium << "), auctions without trade "
      << r.auction_no_trade << "\n";
  out.flags(old_flags);
  out.precision(old_precision);
}

}  // namespace ttcg
