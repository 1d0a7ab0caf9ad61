#include "ttcgames/population/population_results.hpp"

#include <cmath>

#include "ttcgames/core/error.hpp"
#include "ttcgames/io/statistic_group.hpp"
#include "ttcgames/market/auction.hpp"
#include "ttcgames/market/welfare_math.hpp"

namespace ttcg {

namespace {

using h5::Dims;

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
    h5::Group qg = h5::write_statistic(g, q.name, *q.tally, q.units, q.what);
    if (q.hist) h5::write_histogram(qg, *q.hist, q.units, POPULATION_QUANTILES);
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

namespace {

//! The per-replicate scalars that get a tally across replicates.
struct ReplicateColumns {
  std::vector<double> equilibrium_welfare, optimal_welfare, optimal_upper, first_best, price_of_anarchy,
      first_best_ratio, realized_market, realized_auction, expected_auction, inefficiency_market, inefficiency_auction,
      max_regret, max_relative_regret;
};

//! The columns of every replicate, or of the converged ones only (what the summary over replicates tallies).
ReplicateColumns columns(const PopulationResult& r, bool converged_only) {
  ReplicateColumns c;
  for (const ReplicateResult& x : r.replicates) {
    if (converged_only && !x.dynamics.converged) continue;
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
  const hsize_t n = h5::extent(t.n), K = h5::extent(t.K), R = h5::extent(r.replicates.size());

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
  write_dynamics_attributes(g, r.dynamics);
  g.write_attribute_string("provider_order", to_string(r.dynamics.order));
  g.write_attribute_i64("dynamics_seed", static_cast<std::int64_t>(r.dynamics.seed));
  g.write_attribute_string("reserve", to_string(r.reserve));
  g.write_attribute_string("optimum", to_string(s.optimum));
  g.write_attribute_f64("max_enumeration", s.max_enumeration);
  g.write_attribute_f64("histogram_tail", POPULATION_HISTOGRAM_TAIL);
  g.write_attribute_i64("realized", s.realize ? 1 : 0);
  std::int64_t converged_count = 0;
  for (const ReplicateResult& x : r.replicates) converged_count += x.dynamics.converged ? 1 : 0;
  g.write_scalar("converged", converged_count, "1",
                 "replicates whose dynamics reached an equilibrium (in the statistics)");
  g.write_scalar("non_converged", static_cast<std::int64_t>(r.replicates.size()) - converged_count, "1",
                 "replicates whose dynamics stopped at max_rounds: left out of every statistic and mean");

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
    const ReplicateColumns c = columns(r, false);
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
    sg.write_attribute_string("description",
                              "statistics over the converged replicates of the per-replicate quantities (replicates "
                              "whose dynamics did not reach an equilibrium are left out and counted in "
                              "non_converged)");
    const ReplicateColumns c = columns(r, true);
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
      h5::Group qg =
          h5::write_statistic(sg, q.name, tally_of(*q.v), q.units, std::string("over converged replicates: ") + q.name);
      std::vector<double> finite;
      for (const double x : *q.v)
        if (!std::isnan(x)) finite.push_back(x);
      const std::vector<double> quantiles = exact_quantiles(std::move(finite), POPULATION_QUANTILES);
      h5::write_quantiles(qg, POPULATION_QUANTILES, quantiles, q.units,
                          "exact quantiles over converged replicates (linear interpolation, as numpy)");
    }
  }

  if (s.realize) {
    write_regime(
        g, "market", r.outcomes.market, t,
        "realized outcomes per user, converged replicates: the pay-per-compute market at each replicate's reached "
        "profile");
    write_regime(g, "auction", r.outcomes.auction, t,
                 "realized outcomes per user, converged replicates: the reverse second-price auction per query with "
                 "expected-quality bids");
    h5::write_statistic(g, "first_best", r.outcomes.first_best, "USD",
                        "per-user first best max(v0, max W), converged replicates");
  }
  (void)K;
}

}  // namespace ttcg
