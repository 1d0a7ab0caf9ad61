#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

#include "ttcgames/core/error.hpp"
#include "ttcgames/population/population_results.hpp"
#include "ttcgames/run/results.hpp"
#include "ttcgames/run/run.hpp"

namespace ttcg {

namespace {

using h5::Dims;

hsize_t hs(std::size_t v) {
  return static_cast<hsize_t>(v);
}

std::string squared(const std::string& units) {
  return units == "1" ? "1" : units + "^2";
}

//! A tally as a group: count, sum, sum_sq, min, max, and the derived mean, sd, standard error and 95% CI.
h5::Group write_tally(h5::Group& parent, const std::string& name, const Tally& t, const std::string& units,
                      const std::string& description) {
  h5::Group g = parent.create_group(name);
  g.write_attribute_string("description", description);
  g.write_attribute_string("units", units);
  g.write_scalar("count", t.count, "1", "number of values tallied");
  g.write_scalar("sum", t.sum, units, "sum of the values");
  g.write_scalar("sum_sq", t.sum_sq, squared(units), "sum of the squared values");
  g.write_scalar("min", t.count > 0 ? t.min : NAN, units, "smallest value");
  g.write_scalar("max", t.count > 0 ? t.max : NAN, units, "largest value");
  const MeanCI m = mean_ci(t);
  g.write_scalar("mean", m.mean, units, "mean = sum / count");
  g.write_scalar("sd", m.sd, units, "sample standard deviation (n - 1), from sum and sum_sq");
  g.write_scalar("standard_error", t.standard_error(), units, "standard error of the mean, sd / sqrt(count)");
  g.write_scalar("ci95_low", m.lo, units, "lower end of the normal 95% confidence interval of the mean");
  g.write_scalar("ci95_high", m.hi, units, "upper end of the normal 95% confidence interval of the mean");
  return g;
}

void write_histogram(h5::Group& g, const Histogram& h, const std::string& units) {
  g.write("histogram", std::span<const std::int64_t>(h.counts), {}, {"bin"}, "1",
          "counts in equal-width bins over histogram_range (lo <= x < hi)");
  const std::vector<double> range{h.lo, h.hi};
  g.write("histogram_range", std::span<const double>(range), {}, {"bound"}, units, "[lo, hi) of the histogram bins");
  g.write_scalar("underflow", h.underflow, "1", "values below histogram_range[0]");
  g.write_scalar("overflow", h.overflow, "1", "values at or above histogram_range[1] (and NaN)");
  std::vector<double> q;
  for (const double p : POPULATION_QUANTILES) q.push_back(h.quantile(p));
  g.write("quantile_probabilities", std::span<const double>(POPULATION_QUANTILES), {}, {"quantile"}, "1",
          "probabilities of the quantiles");
  g.write("quantiles", std::span<const double>(q), {}, {"quantile"}, units,
          "quantiles from the histogram (linear inside a bin: exact to one bin width; +-inf in under/overflow)");
}

void write_regime(h5::Group& parent, const std::string& name, const RegimeTallies& r, const QueryTables& t,
                  const std::string& description) {
  h5::Group g = parent.create_group(name);
  g.write_attribute_string("description", description);
  const struct {
    const char* name;
    const Tally* tally;
    const Histogram* hist;
    const char* units;
    const char* what;
  } quantities[] = {
      {"welfare", &r.welfare, &r.welfare_hist, "USD", "realized welfare per user: realized quality - cost, or v0"},
      {"user_surplus", &r.user_surplus, &r.user_surplus_hist, "USD",
       "realized user surplus: realized quality - payment, or v0 for the outside option"},
      {"payment", &r.payment, &r.payment_hist, "USD", "payment by the user to the serving provider (0 if none)"},
      {"provider_profit", &r.profit, &r.profit_hist, "USD", "profit of the serving provider: payment - cost"},
      {"tokens", &r.tokens, nullptr, "token", "billed output tokens per user (0 if not served)"},
      {"correct", &r.correct, nullptr, "1", "realized correctness (0/1) over the users served by a provider"},
      {"expected_welfare", &r.expected_welfare, nullptr, "USD",
       "the regime's expected welfare per user given the user (market: logit SW_u; auction: S_(1) or v0)"},
  };
  for (const auto& q : quantities) {
    h5::Group qg = write_tally(g, q.name, *q.tally, q.units, q.what);
    if (q.hist) write_histogram(qg, *q.hist, q.units);
  }
  const h5::DimNames per_n{"provider"};  // dimensions (docs/hdf5-format.md, "Dimensions")
  g.write("provider", std::span<const std::string>(t.providers), {}, per_n, "1", "coordinate: the provider names");
  g.write("choices", std::span<const std::int64_t>(r.choices), {}, {"choice"}, "1",
          "users served by each provider; the last entry is the outside option (no purchase / no trade)");
  std::vector<double> mean;
  for (const double x : r.provider_profit_sum) mean.push_back(x / static_cast<double>(r.welfare.count));
  const std::vector<double>& sum = r.provider_profit_sum;
  const std::vector<double>& sum_sq = r.provider_profit_sum_sq;
  g.write("provider_profit_sum", std::span<const double>(sum), {}, per_n, "USD",
          "sum over users of each provider's realized profit (0 from users it did not serve)");
  g.write("provider_profit_sum_sq", std::span<const double>(sum_sq), {}, per_n, "USD^2", "sum of squares of the same");
  g.write("provider_profit_mean", std::span<const double>(mean), {}, per_n, "USD", "each provider's profit per user");
}

}  // namespace

MeanCI mean_ci(const Tally& t) {
  MeanCI m;
  m.count = t.count;
  m.mean = t.mean();
  m.sd = t.count >= 2 ? t.stddev() : NAN;
  const double h = t.count >= 2 ? t.ci95_half_width() : NAN;
  m.lo = m.mean - h;
  m.hi = m.mean + h;
  return m;
}

namespace {

//! The per-replicate scalars that get a tally across replicates.
struct ReplicateColumns {
  std::vector<double> equilibrium_welfare, optimal_welfare, optimal_upper, first_best, price_of_anarchy,
      first_best_ratio, realized_market, realized_auction, expected_auction, inefficiency_market, inefficiency_auction,
      max_regret, max_relative_regret;
};

ReplicateColumns columns(const PopulationResult& r) {
  ReplicateColumns c;
  for (const ReplicateResult& x : r.replicates) {
    c.equilibrium_welfare.push_back(x.equilibrium_welfare);
    c.optimal_welfare.push_back(x.optimum.welfare);
    c.optimal_upper.push_back(x.optimum.upper_bound);
    c.first_best.push_back(x.first_best);
    c.price_of_anarchy.push_back(x.price_of_anarchy);
    c.first_best_ratio.push_back(welfare_ratio(x.first_best, x.equilibrium_welfare));
    const double rm = r.spec.realize ? x.outcomes.market.welfare.mean() : NAN;
    const double ra = r.spec.realize ? x.outcomes.auction.welfare.mean() : NAN;
    c.realized_market.push_back(rm);
    c.realized_auction.push_back(ra);
    c.expected_auction.push_back(r.spec.realize ? x.outcomes.auction.expected_welfare.mean() : NAN);
    c.inefficiency_market.push_back(r.spec.realize ? welfare_ratio(x.optimum.welfare, rm) : NAN);
    c.inefficiency_auction.push_back(r.spec.realize ? welfare_ratio(x.optimum.welfare, ra) : NAN);
    c.max_regret.push_back(x.certificate.max_regret);
    c.max_relative_regret.push_back(x.certificate.max_relative_regret);
  }
  return c;
}

Tally tally_of(const std::vector<double>& v) {
  Tally t;
  for (const double x : v)
    if (!std::isnan(x)) t.add(x);
  return t;
}

}  // namespace

void write_population_group(h5::Group& root, const PopulationResult& r, const std::string& scenario_toml,
                            const std::string& scenario_file, const std::string& description) {
  if (root.exists("population/" + r.name))
    throw InputError("two scenarios are named '" + r.name + "': names must be unique within a run");
  h5::Group g = root.create_group("population/" + r.name);
  const QueryTables& t = r.tables;
  const PopulationSpec& s = r.spec;
  const hsize_t n = hs(t.n), K = hs(t.K), R = hs(r.replicates.size());

  g.write_attribute_string("description", description);
  g.write_attribute_string("scenario", scenario_toml);
  g.write_attribute_string("scenario_file", scenario_file);
  g.write_attribute_i64("users", s.users);
  g.write_attribute_i64("replicates", s.replicates);
  g.write_attribute_i64("seed", static_cast<std::int64_t>(s.seed));
  g.write_attribute_i64("block_size", s.block_size);
  g.write_attribute_i64("blocks", s.blocks());
  g.write_attribute_string("backend", to_string(r.backend));
  g.write_attribute_f64("seconds", r.seconds);
  g.write_attribute_string("value_scale", s.value_scale.describe());
  g.write_attribute_string("beta", s.beta.describe());
  g.write_attribute_string("v0", s.v0.describe());
  g.write_attribute_f64("alpha", t.market.alpha);
  g.write_attribute_f64("baseline", t.market.baseline);
  g.write_attribute_f64("markup", t.market.markup);
  g.write_attribute_string("value_curve", t.market.value_curve.describe());
  g.write_attribute_string("dynamics_rule", to_string(r.dynamics.rule));
  g.write_attribute_string("provider_order", to_string(r.dynamics.order));
  g.write_attribute_i64("dynamics_seed", static_cast<std::int64_t>(r.dynamics.seed));
  g.write_attribute_f64("tolerance", r.dynamics.relative_tolerance);
  g.write_attribute_f64("absolute_tolerance", r.dynamics.absolute_tolerance);
  g.write_attribute_i64("max_rounds", r.dynamics.max_rounds);
  g.write_attribute_string("reserve", to_string(r.reserve));
  g.write_attribute_string("optimum", to_string(s.optimum));
  g.write_attribute_f64("max_enumeration", s.max_enumeration);
  g.write_attribute_f64("histogram_tail", POPULATION_HISTOGRAM_TAIL);
  g.write_attribute_i64("realized", s.realize ? 1 : 0);

  // Coordinate variables first (docs/hdf5-format.md, "Dimensions").
  const h5::DimNames per_n{"provider"}, per_r{"replicate"}, per_rn{"replicate", "provider"}, per_b{"benchmark"};
  g.write("provider", std::span<const std::string>(t.providers), {}, per_n, "1", "coordinate: the provider names");
  g.write("providers", std::span<const std::string>(t.providers), {}, per_n, "1",
          "provider (model) names, in input order");
  g.write("theta", std::span<const double>(t.theta), {}, {"level"}, "1", "test-time-compute levels");
  g.write("usd_per_token", std::span<const double>(t.usd_per_token), {}, per_n, "USD", "price per billed output token");

  {
    h5::Group b = g.create_group("benchmarks");
    b.write_attribute_string("description",
                             "the query mix: a user's query comes from benchmark b with probability "
                             "weight[b] / sum(weight), then a uniform question of it");
    b.write("name", std::span<const std::string>(t.benchmarks), {}, per_b, "1", "benchmark names");
    b.write("weight", std::span<const double>(t.benchmark_weight), {}, per_b, "1", "relative weights");
    b.write("alpha", std::span<const double>(t.benchmark_alpha), {}, per_b, "USD", "alpha_b, dollar value of a query");
    b.write("source", std::span<const std::string>(t.benchmark_source), {}, per_b, "1",
            "\"providers\" (scenario curves), \"curves\" (a curves CSV) or \"questions\" (per-question tables)");
    std::vector<std::int64_t> questions, dropped = t.questions_dropped;
    for (std::size_t j = 0; j + 1 < t.benchmark_offset.size(); ++j)
      questions.push_back(t.benchmark_offset[j + 1] - t.benchmark_offset[j]);
    b.write("questions", std::span<const std::int64_t>(questions), {}, per_b, "1",
            "questions used (in every provider's table; 1 for curves: the average question)");
    b.write("questions_dropped", std::span<const std::int64_t>(dropped), {}, per_b, "1",
            "question ids missing from some provider's table, left out");
  }

  // One row per replicate.
  {
    h5::Group rg = g.create_group("replicates");
    rg.write_attribute_string("description", "one row per replicate: an independent population of users");
    std::vector<std::int32_t> eq, opt;
    std::vector<double> shares, utility, outside, value, price;
    std::vector<std::int32_t> rounds;
    std::vector<std::int64_t> turns, moves, passes, replicate;
    std::vector<std::uint8_t> converged;
    std::vector<std::string> method;
    for (const ReplicateResult& x : r.replicates) {
      replicate.push_back(x.replicate);
      eq.insert(eq.end(), x.dynamics.profile.begin(), x.dynamics.profile.end());
      opt.insert(opt.end(), x.optimum.profile.begin(), x.optimum.profile.end());
      shares.insert(shares.end(), x.demand.shares.begin(), x.demand.shares.end());
      utility.insert(utility.end(), x.demand.profit.begin(), x.demand.profit.end());
      outside.push_back(x.demand.outside_share);
      value.push_back(x.demand.weighted_value);
      price.push_back(x.demand.weighted_price);
      rounds.push_back(x.dynamics.rounds);
      turns.push_back(x.dynamics.turns);
      moves.push_back(x.dynamics.moves);
      passes.push_back(x.passes);
      converged.push_back(x.dynamics.converged ? 1 : 0);
      method.push_back(x.optimum.method);
    }
    const ReplicateColumns c = columns(r);
    const Dims Rn{R, n};
    const auto f64 = [&](const char* name, const std::vector<double>& v, const char* units, const char* d) {
      rg.write(name, std::span<const double>(v), {}, per_r, units, d);
    };
    rg.write("replicate", std::span<const std::int64_t>(replicate), {}, per_r, "1", "replicate index (Philox counter)");
    rg.write("provider", std::span<const std::string>(t.providers), {}, per_n, "1", "coordinate: the provider names");
    rg.write("equilibrium_profile", std::span<const std::int32_t>(eq), Rn, per_rn, "1",
             "level index per provider at the profile reached by the dynamics under population demand");
    rg.write("shares", std::span<const double>(shares), Rn, per_rn, "1",
             "population-mean logit shares at that profile");
    f64("outside_share", outside, "1", "population-mean share of the outside option");
    rg.write("provider_utility", std::span<const double>(utility), Rn, per_rn, "USD",
             "u_i = mean_u s_iu (p_iu - c_iu): each provider's expected profit per user");
    f64("equilibrium_welfare", c.equilibrium_welfare, "USD",
        "SW at the reached profile: mean_u [sum_i s_iu W_iu + s_0u v0_u]");
    f64("weighted_value", value, "USD", "mean_u sum_i s_iu V_iu at the reached profile");
    f64("weighted_price", price, "USD", "mean_u sum_i s_iu p_iu at the reached profile");
    f64("max_regret", c.max_regret, "USD", "certificate: largest gain of a unilateral deviation (full aggregates)");
    f64("max_relative_regret", c.max_relative_regret, "1", "certificate: largest u_i(dev)/u_i - 1");
    rg.write("rounds", std::span<const std::int32_t>(rounds), {}, per_r, "1", "dynamics rounds");
    rg.write("turns", std::span<const std::int64_t>(turns), {}, per_r, "1", "provider visits");
    rg.write("moves", std::span<const std::int64_t>(moves), {}, per_r, "1", "strategy changes");
    rg.write("converged", std::span<const std::uint8_t>(converged), {}, per_r, "1",
             "1 when a round ended without a move");
    rg.write("passes", std::span<const std::int64_t>(passes), {}, per_r, "1",
             "passes over the users (demand, oracle, ...)");
    rg.write("optimal_profile", std::span<const std::int32_t>(opt), Rn, per_rn, "1",
             "profile attaining optimal_welfare");
    f64("optimal_welfare", c.optimal_welfare, "USD",
        "SW* = max over profiles of SW under population demand (as found by optimum_method)");
    f64("optimal_welfare_upper_bound", c.optimal_upper, "USD",
        "certified upper bound on SW*: = optimal_welfare when enumerated, else mean_u of each user's own logit "
        "optimum (Dinkelbach)");
    rg.write("optimum_method", std::span<const std::string>(method), {}, per_r, "1",
             "\"enumeration\" (exact: every profile) or \"local-search\" (coordinate ascent, bounded above)");
    f64("first_best_welfare", c.first_best, "USD",
        "mean_u max(v0_u, max_{i,k} W_iu(k)): every query at its best level");
    f64("price_of_anarchy", c.price_of_anarchy, "1", "optimal_welfare / equilibrium_welfare");
    f64("first_best_ratio", c.first_best_ratio, "1", "first_best_welfare / equilibrium_welfare");
    f64("realized_welfare_market", c.realized_market, "USD",
        "mean realized welfare per user, market (NaN: not realized)");
    f64("realized_welfare_auction", c.realized_auction, "USD", "mean realized welfare per user, auction");
    f64("expected_welfare_auction", c.expected_auction, "USD", "mean_u S_(1) (or v0 without trade)");
    f64("realized_inefficiency_market", c.inefficiency_market, "1", "optimal_welfare / realized_welfare_market");
    f64("realized_inefficiency_auction", c.inefficiency_auction, "1", "optimal_welfare / realized_welfare_auction");
  }

  // Across replicates: tallies and exact quantiles of the replicate-level quantities.
  {
    h5::Group sg = g.create_group("summary");
    sg.write_attribute_string("description", "tallies over replicates of the per-replicate quantities");
    const ReplicateColumns c = columns(r);
    const struct {
      const char* name;
      const std::vector<double>* v;
      const char* units;
    } list[] = {{"equilibrium_welfare", &c.equilibrium_welfare, "USD"},
                {"optimal_welfare", &c.optimal_welfare, "USD"},
                {"first_best_welfare", &c.first_best, "USD"},
                {"price_of_anarchy", &c.price_of_anarchy, "1"},
                {"first_best_ratio", &c.first_best_ratio, "1"},
                {"realized_welfare_market", &c.realized_market, "USD"},
                {"realized_welfare_auction", &c.realized_auction, "USD"},
                {"realized_inefficiency_market", &c.inefficiency_market, "1"},
                {"realized_inefficiency_auction", &c.inefficiency_auction, "1"}};
    for (const auto& q : list) {
      h5::Group qg = write_tally(sg, q.name, tally_of(*q.v), q.units, std::string("over replicates: ") + q.name);
      std::vector<double> finite, quantiles;
      for (const double x : *q.v)
        if (!std::isnan(x)) finite.push_back(x);
      quantiles = exact_quantiles(std::move(finite), POPULATION_QUANTILES);
      qg.write("quantile_probabilities", std::span<const double>(POPULATION_QUANTILES), {}, {"quantile"}, "1",
               "probabilities of the quantiles");
      qg.write("quantiles", std::span<const double>(quantiles), {}, {"quantile"}, q.units,
               "exact quantiles over replicates (linear interpolation, as numpy)");
    }
  }

  if (s.realize) {
    write_regime(g, "market", r.outcomes.market, t,
                 "realized outcomes per user, all replicates: the pay-per-compute market at each replicate's reached "
                 "profile");
    write_regime(g, "auction", r.outcomes.auction, t,
                 "realized outcomes per user, all replicates: the reverse second-price auction per query with "
                 "expected-quality bids");
    write_tally(g, "first_best", r.outcomes.first_best, "USD", "per-user first best max(v0, max W), all replicates");
  }
  (void)K;
}

// ---------------------------------------------------------------------------------------------------------------
// Summary

PopulationSummary summarize_population(const PopulationResult& r) {
  PopulationSummary s;
  s.name = r.name;
  s.backend = to_string(r.backend);
  s.beta_text = r.spec.beta.describe();
  s.value_scale_text = r.spec.value_scale.describe();
  s.v0_text = r.spec.v0.describe();
  s.users = r.spec.users;
  s.replicates = r.spec.replicates;
  s.questions = r.tables.Q;
  s.seed = r.spec.seed;
  s.n = r.tables.n;
  s.K = r.tables.K;
  s.providers = r.tables.providers;
  s.theta = r.tables.theta;
  s.seconds = r.seconds;
  const ReplicateColumns c = columns(r);
  s.equilibrium_welfare = mean_ci(tally_of(c.equilibrium_welfare));
  s.optimal_welfare = mean_ci(tally_of(c.optimal_welfare));
  s.first_best = mean_ci(tally_of(c.first_best));
  s.price_of_anarchy = mean_ci(tally_of(c.price_of_anarchy));
  s.mean_shares.assign(s.n, 0.0);
  for (const ReplicateResult& x : r.replicates) {
    for (int i = 0; i < s.n; ++i) s.mean_shares[i] += x.demand.shares[i] / static_cast<double>(r.replicates.size());
    s.outside_share += x.demand.outside_share / static_cast<double>(r.replicates.size());
    s.max_regret = std::max(s.max_regret, x.certificate.max_regret);
    s.max_relative_regret = std::max(s.max_relative_regret, x.certificate.max_relative_regret);
    s.optimum_gap = std::max(s.optimum_gap, x.optimum.upper_bound - x.optimum.welfare);
    s.converged += x.dynamics.converged ? 1 : 0;
  }
  if (!r.replicates.empty()) {
    s.first_profile = r.replicates.front().dynamics.profile;
    s.optimum_method = r.replicates.front().optimum.method;
  }
  s.realized = r.spec.realize;
  if (s.realized) {
    const RegimeTallies &m = r.outcomes.market, &a = r.outcomes.auction;
    s.market_welfare = mean_ci(m.welfare);
    s.market_surplus = mean_ci(m.user_surplus);
    s.market_payment = mean_ci(m.payment);
    s.market_profit = mean_ci(m.profit);
    s.auction_welfare = mean_ci(a.welfare);
    s.auction_surplus = mean_ci(a.user_surplus);
    s.auction_payment = mean_ci(a.payment);
    s.auction_profit = mean_ci(a.profit);
    s.market_welfare_median = m.welfare_hist.quantile(0.5);
    s.auction_welfare_median = a.welfare_hist.quantile(0.5);
  }
  return s;
}

namespace {

MeanCI read_mean_ci(const h5::Group& g) {
  MeanCI m;
  m.count = g.read_scalar_i64("count");
  m.mean = g.read_scalar_f64("mean");
  m.sd = g.read_scalar_f64("sd");
  m.lo = g.read_scalar_f64("ci95_low");
  m.hi = g.read_scalar_f64("ci95_high");
  return m;
}

//! The median of a tally group's histogram quantiles (at POPULATION_QUANTILES).
double read_median(const h5::Group& g) {
  const std::size_t P = POPULATION_QUANTILES.size();
  const std::vector<double> p = g.read_f64("quantile_probabilities", {P});
  const std::vector<double> q = g.read_f64("quantiles", {P});
  for (std::size_t i = 0; i < P; ++i)
    if (p[i] == 0.5) return q[i];
  throw InputError(g.where("quantile_probabilities") + ": has no 0.5 (the median)");
}

}  // namespace

std::vector<PopulationSummary> read_population_summaries(const std::string& path) {
  using h5::ANY;
  const h5::File file = open_results_file(path);
  const h5::Group root = file.root();
  std::vector<PopulationSummary> out;
  if (!root.exists("population")) return out;
  const h5::Group all = root.open_group("population");
  for (const std::string& name : all.list()) {
    const h5::Group g = all.open_group(name);
    PopulationSummary s;
    s.name = name;
    s.description = g.read_attribute_string("description");
    s.backend = g.read_attribute_string("backend");
    s.beta_text = g.read_attribute_string("beta");
    s.value_scale_text = g.read_attribute_string("value_scale");
    s.v0_text = g.read_attribute_string("v0");
    s.users = g.read_attribute_i64("users");
    s.replicates = g.read_attribute_i64("replicates");
    s.seed = static_cast<std::uint64_t>(g.read_attribute_i64("seed"));
    s.seconds = g.read_attribute_f64("seconds");
    h5::Dims found;
    s.providers = g.read_strings("providers", {ANY}, &found);
    const hsize_t n = found[0];
    s.theta = g.read_f64("theta", {ANY}, &found);
    const hsize_t K = found[0];
    if (n < 1 || K < 1)
      throw InputError(g.where() + ": " + std::to_string(n) + " providers x " + std::to_string(K) +
                       " levels; a population's market has at least one of each");
    s.n = static_cast<int>(n);
    s.K = static_cast<int>(K);
    const h5::Group b = g.open_group("benchmarks");
    for (const std::int64_t q : b.read_i64("questions", {ANY})) {
      if (q < 0 || q > std::numeric_limits<std::int64_t>::max() - s.questions)
        throw InputError(b.where("questions") + ": value " + std::to_string(q) + " is not a count of questions");
      s.questions += q;
    }
    const h5::Group rg = g.open_group("replicates");
    const auto outside = rg.read_f64("outside_share", {ANY}, &found);
    const hsize_t R = found[0];
    if (s.replicates < 0 || static_cast<std::uint64_t>(s.replicates) != R)
      throw InputError(rg.where("outside_share") + ": " + std::to_string(R) +
                       " rows, but the group's attribute "
                       "replicates is " +
                       std::to_string(s.replicates));
    const auto profile = rg.read_i32("equilibrium_profile", {R, n});
    for (std::size_t i = 0; i < profile.size(); ++i)
      if (profile[i] < 0 || static_cast<hsize_t>(profile[i]) >= K)
        throw InputError(rg.where("equilibrium_profile") + ": value " + std::to_string(profile[i]) + " at index " +
                         std::to_string(i) + " is not a level index in [0, " + std::to_string(K) + ")");
    s.first_profile.assign(profile.begin(), profile.begin() + std::min<std::size_t>(profile.size(), n));
    const auto shares = rg.read_f64("shares", {R, n});
    s.mean_shares.assign(n, 0.0);
    for (std::size_t x = 0; x < R; ++x) {
      for (std::size_t i = 0; i < n; ++i) s.mean_shares[i] += shares[x * n + i] / static_cast<double>(R);
      s.outside_share += outside[x] / static_cast<double>(R);
    }
    for (const double v : rg.read_f64("max_regret", {R})) s.max_regret = std::max(s.max_regret, v);
    for (const double v : rg.read_f64("max_relative_regret", {R}))
      s.max_relative_regret = std::max(s.max_relative_regret, v);
    const auto opt = rg.read_f64("optimal_welfare", {R}), upper = rg.read_f64("optimal_welfare_upper_bound", {R});
    for (std::size_t x = 0; x < R; ++x) s.optimum_gap = std::max(s.optimum_gap, upper[x] - opt[x]);
    for (const std::uint8_t c : rg.read_u8("converged", {R})) s.converged += c;
    const auto methods = rg.read_strings("optimum_method", {R});
    if (!methods.empty()) s.optimum_method = methods.front();
    const h5::Group sg = g.open_group("summary");
    s.equilibrium_welfare = read_mean_ci(sg.open_group("equilibrium_welfare"));
    s.optimal_welfare = read_mean_ci(sg.open_group("optimal_welfare"));
    s.first_best = read_mean_ci(sg.open_group("first_best_welfare"));
    s.price_of_anarchy = read_mean_ci(sg.open_group("price_of_anarchy"));
    const std::int64_t realized = g.read_attribute_i64("realized");
    if (realized != 0 && realized != 1)
      throw InputError(g.where() + "@realized: value " + std::to_string(realized) + ", expected 0 or 1");
    s.realized = realized != 0;
    if (s.realized) {
      const h5::Group m = g.open_group("market"), a = g.open_group("auction");
      s.market_welfare = read_mean_ci(m.open_group("welfare"));
      s.market_surplus = read_mean_ci(m.open_group("user_surplus"));
      s.market_payment = read_mean_ci(m.open_group("payment"));
      s.market_profit = read_mean_ci(m.open_group("provider_profit"));
      s.auction_welfare = read_mean_ci(a.open_group("welfare"));
      s.auction_surplus = read_mean_ci(a.open_group("user_surplus"));
      s.auction_payment = read_mean_ci(a.open_group("payment"));
      s.auction_profit = read_mean_ci(a.open_group("provider_profit"));
      s.market_welfare_median = read_median(m.open_group("welfare"));
      s.auction_welfare_median = read_median(a.open_group("welfare"));
    }
    out.push_back(std::move(s));
  }
  return out;
}

void print_population_summary(std::ostream& out, const PopulationSummary& s) {
  const auto old_flags = out.flags();
  const auto old_precision = out.precision();
  const auto ci = [](const MeanCI& m) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(6) << m.mean;
    if (std::isfinite(m.hi - m.lo)) o << " +- " << std::scientific << std::setprecision(1) << 0.5 * (m.hi - m.lo);
    return o.str();
  };
  out << "\n== population " << s.name << (s.description.empty() ? "" : ": " + s.description) << "\n";
  out << "   " << s.users << " users x " << s.replicates << " replicate(s), seed " << s.seed << ", " << s.n
      << " providers x " << s.K << " levels, " << s.questions << " question(s); backend " << s.backend << "; "
      << std::setprecision(3) << s.seconds << " s\n";
  out << "   beta: " << s.beta_text << "; value scale: " << s.value_scale_text << "; v0: " << s.v0_text << "\n";
  out << "   Reached profile (replicate 0), theta per provider and mean share:\n";
  for (int i = 0; i < s.n; ++i) {
    out << "     " << std::left << std::setw(24) << s.providers[i] << std::right << std::defaultfloat
        << std::setprecision(6);
    if (i < static_cast<int>(s.first_profile.size())) out << std::setw(8) << s.theta[s.first_profile[i]];
    out << std::fixed << std::setprecision(4) << std::setw(9) << s.mean_shares[i] << "\n";
  }
  out << std::fixed << std::setprecision(4) << "     outside option " << std::setw(25) << s.outside_share << "\n";
  out << "   Expected welfare per user (USD, mean +- 95% CI over replicates):\n"
      << "     equilibrium SW " << ci(s.equilibrium_welfare) << "; optimal SW* " << ci(s.optimal_welfare) << " ("
      << s.optimum_method << (s.optimum_gap > 0.0 ? ", gap to upper bound " : "");
  if (s.optimum_gap > 0.0) out << std::scientific << std::setprecision(2) << s.optimum_gap;
  out << "); first best " << ci(s.first_best) << "\n";
  out << "     price of anarchy SW*/SW " << ci(s.price_of_anarchy) << "; certificate: max regret " << std::scientific
      << std::setprecision(1) << s.max_regret << " USD (relative " << s.max_relative_regret << "), converged "
      << s.converged << "/" << s.replicates << "\n";
  if (s.realized) {
    out << "   Realized per user (USD, mean +- 95% CI):   welfare               user surplus          payment"
           "               provider profit\n";
    out << "     market   " << std::setw(22) << ci(s.market_welfare) << std::setw(22) << ci(s.market_surplus)
        << std::setw(22) << ci(s.market_payment) << std::setw(22) << ci(s.market_profit) << "\n";
    out << "     auction  " << std::setw(22) << ci(s.auction_welfare) << std::setw(22) << ci(s.auction_surplus)
        << std::setw(22) << ci(s.auction_payment) << std::setw(22) << ci(s.auction_profit) << "\n";
  }
  out.flags(old_flags);
  out.precision(old_precision);
}

}  // namespace ttcg
