// /market/<scenario> and /auction/<scenario> of a result file (docs/hdf5-format.md): the market's provider tables and
// one row per beta, and the auction; every array with its dimensions (docs/hdf5-format.md, "Dimensions").
#include <string>
#include <vector>

#include "ttcgames/core/error.hpp"
#include "ttcgames/io/h5.hpp"
#include "ttcgames/run/results.hpp"

namespace ttcg {

namespace {

using h5::Dims;

//! Column-gathering helpers: one value per β.
template <class T, class F>
std::vector<T> per_beta(const ScenarioResult& r, F f) {
  std::vector<T> v;
  v.reserve(r.betas.size());
  for (const BetaResult& b : r.betas) v.push_back(static_cast<T>(f(b)));
  return v;
}
template <class F>
std::vector<std::int32_t> per_beta_profile(const ScenarioResult& r, F f) {
  std::vector<std::int32_t> v;
  for (const BetaResult& b : r.betas)
    for (const int k : f(b)) v.push_back(k);
  return v;
}

//! The profile, or n entries of −1 when there is none (empty).
std::vector<int> profile_or_missing(const Profile& p, int n) {
  return p.empty() ? std::vector<int>(static_cast<std::size_t>(n), -1) : p;
}

void write_market(h5::Group& g, const ScenarioResult& r) {
  const MarketTable& t = r.table;
  const Scenario& s = r.scenario;
  const hsize_t n = h5::extent(t.n), K = h5::extent(t.K), B = h5::extent(r.betas.size());
  const Dims nK{n, K}, Bn{B, n};
  // Dimension names (docs/hdf5-format.md, "Dimensions"); R: the rows, one per beta.
  const h5::DimNames P{"provider"}, R{"beta"}, PL{"provider", "level"}, BP{"beta", "provider"};

  g.write_attribute_string("description", s.description);
  g.write_attribute_string("scenario", s.resolved_toml());
  g.write_attribute_string("scenario_file", s.path);
  g.write_attribute_f64("alpha", s.market.alpha);
  g.write_attribute_f64("baseline", s.market.baseline);
  g.write_attribute_f64("markup", s.market.markup);
  g.write_attribute_f64("v0", s.market.v0);
  g.write_attribute_string("value_curve", s.market.value_curve.describe());
  write_dynamics_attributes(g, s.dynamics);
  g.write_attribute_string("provider_order", to_string(s.dynamics.order));
  g.write_attribute_i64("seed", static_cast<std::int64_t>(s.dynamics.seed));
  g.write_attribute_string("backend", to_string(r.backend));
  g.write_attribute_f64("seconds", r.seconds);

  // Coordinate variables first (docs/hdf5-format.md, "Dimensions"): provider here, beta with the per-beta rows.
  g.write("provider", std::span<const std::string>(t.providers), {}, P, "1", "coordinate: the provider names");
  g.write("providers", std::span<const std::string>(t.providers), {}, P, "1", "provider (model) names, in input order");
  g.write("beta_values", std::span<const double>(s.beta_values), {}, {"listed_beta"}, "1/USD",
          "the beta values the scenario lists (the leading rows of beta; the sweep follows)");
  g.write("theta", std::span<const double>(t.theta), {}, {"level"}, "1",
          "test-time-compute level: number of samples, or relative-effort bin");
  g.write("usd_per_token", std::span<const double>(t.usd_per_token), {}, P, "USD", "price per billed output token");
  g.write("accuracy", std::span<const double>(t.accuracy), nK, PL, "1", "expected accuracy a_i(k) [provider, level]");
  g.write("tokens", std::span<const double>(t.tokens), nK, PL, "token", "expected billed output tokens per query");
  g.write("quality", std::span<const double>(t.q), nK, PL, "USD", "expected quality q = alpha (b + (1 - b) f(a))");
  g.write("price", std::span<const double>(t.p), nK, PL, "USD", "price per query p = tokens x usd_per_token");
  g.write("cost", std::span<const double>(t.c), nK, PL, "USD", "provider cost per query c = p / (1 + markup)");
  g.write("user_value", std::span<const double>(t.V), nK, PL, "USD", "user value V = q - p");
  g.write("surplus", std::span<const double>(t.W), nK, PL, "USD", "social surplus of one served query W = q - c");

  const auto f64 = [&](const std::string& name, const std::vector<double>& v, const char* units, const std::string& d) {
    g.write(name, std::span<const double>(v), {}, R, units, d);
  };
  f64("beta", per_beta<double>(r, [](const BetaResult& b) { return b.beta; }), "1/USD",
      "user rationality (logit inverse temperature); listed values first, then the sweep");
  const std::vector<std::int32_t> eq = per_beta_profile(r, [](const BetaResult& b) { return b.dynamics.profile; });
  g.write("equilibrium_profile", std::span<const std::int32_t>(eq), Bn, BP, "1",
          "level index per provider at the profile reached by the dynamics [beta, provider]");
  f64("equilibrium_welfare", per_beta<double>(r, [](const BetaResult& b) { return b.welfare; }), "USD",
      "social welfare SW at the reached profile (the paper's Equilibrium SW)");
  f64("optimal_welfare", per_beta<double>(r, [](const BetaResult& b) { return b.optimum.welfare; }), "USD",
      "social optimum SW* (exact, fractional programming)");
  const std::vector<std::int32_t> opt = per_beta_profile(r, [](const BetaResult& b) { return b.optimum.profile; });
  g.write("optimal_profile", std::span<const std::int32_t>(opt), Bn, BP, "1",
          "a profile attaining SW* [beta, provider]");
  f64("optimum_gap", per_beta<double>(r, [](const BetaResult& b) { return b.optimum.gap; }), "USD",
      "optimality certificate: max_k (N(k) - SW* D(k)) / D(k*) at the optimum; <= ~1e-18 certifies SW*");
  f64("price_of_anarchy", per_beta<double>(r, [](const BetaResult& b) { return b.price_of_anarchy; }), "1",
      "SW* / SW(reached profile), the paper's price of anarchy; inefficiency % = 100 (PoA - 1)");
  f64("max_regret", per_beta<double>(r, [](const BetaResult& b) { return b.certificate.max_regret; }), "USD",
      "certificate of the reached profile: max over providers and deviations of u_i(dev) - u_i");
  f64("max_relative_regret", per_beta<double>(r, [](const BetaResult& b) { return b.certificate.max_relative_regret; }),
      "1", "max over providers and deviations of u_i(dev)/u_i - 1 (from log-utilities; inf when u_i underflows)");
  std::vector<double> shares;
  for (const BetaResult& b : r.betas) shares.insert(shares.end(), b.shares.begin(), b.shares.end());
  g.write("shares", std::span<const double>(shares), Bn, BP, "1", "logit market shares at the reached profile");
  f64("outside_share", per_beta<double>(r, [](const BetaResult& b) { return b.outside_share; }), "1",
      "share of users taking the outside option");
  f64("potential", per_beta<double>(r, [](const BetaResult& b) { return b.potential; }), "1",
      "potential Phi at the reached profile (log-utility units)");
  const auto rounds = per_beta<std::int32_t>(r, [](const BetaResult& b) { return b.dynamics.rounds; });
  g.write("rounds", std::span<const std::int32_t>(rounds), {}, R, "1", "dynamics rounds (the last one without a move)");
  const auto turns = per_beta<std::int64_t>(r, [](const BetaResult& b) { return b.dynamics.turns; });
  g.write("turns", std::span<const std::int64_t>(turns), {}, R, "1", "provider visits until convergence");
  const auto moves = per_beta<std::int64_t>(r, [](const BetaResult& b) { return b.dynamics.moves; });
  g.write("moves", std::span<const std::int64_t>(moves), {}, R, "1", "strategy changes along the dynamics");
  const auto conv = per_beta<std::uint8_t>(r, [](const BetaResult& b) { return b.dynamics.converged; });
  g.write("converged", std::span<const std::uint8_t>(conv), {}, R, "1", "1 when a round ended without a move");
  f64("weighted_value", per_beta<double>(r, [](const BetaResult& b) { return b.stats.weighted_value; }), "USD",
      "sum_i s_i V_i at the reached profile (Avg weighted value)");
  f64("mean_value", per_beta<double>(r, [](const BetaResult& b) { return b.stats.mean_value; }), "USD",
      "mean_i V_i (Avg value)");
  f64("weighted_price", per_beta<double>(r, [](const BetaResult& b) { return b.stats.weighted_price; }), "USD",
      "sum_i s_i p_i (Avg weighted price)");
  f64("mean_price", per_beta<double>(r, [](const BetaResult& b) { return b.stats.mean_price; }), "USD",
      "mean_i p_i (Avg price)");
  f64("weighted_utility", per_beta<double>(r, [](const BetaResult& b) { return b.stats.weighted_utility; }), "USD",
      "sum_i s_i (p_i - c_i) (Avg weighted utility)");
  f64("mean_utility", per_beta<double>(r, [](const BetaResult& b) { return b.stats.mean_utility; }), "USD",
      "mean_i (p_i - c_i) (Avg utility)");

  const bool enumerated = !r.betas.empty() && r.betas.front().equilibria.has_value();
  g.write_attribute_i64("enumerated", enumerated ? 1 : 0);
  if (enumerated) {
    g.write_attribute_f64("enumeration_tolerance", s.enumeration.relative_tolerance);
    g.write_attribute_string("enumeration_algorithm", to_string(s.enumeration.algorithm));
    const auto count = per_beta<std::int64_t>(r, [](const BetaResult& b) { return b.equilibria->count; });
    g.write("num_equilibria", std::span<const std::int64_t>(count), {}, R, "1", "number of pure Nash equilibria");
    f64("worst_equilibrium_welfare",
        per_beta<double>(r, [](const BetaResult& b) { return b.equilibria->worst_welfare; }), "USD",
        "min SW over all pure Nash equilibria (NaN when there are none)");
    f64("best_equilibrium_welfare", per_beta<double>(r, [](const BetaResult& b) { return b.equilibria->best_welfare; }),
        "USD", "max SW over all pure Nash equilibria");
    const auto worst =
        per_beta_profile(r, [&](const BetaResult& b) { return profile_or_missing(b.equilibria->worst_profile, t.n); });
    g.write("worst_equilibrium_profile", std::span<const std::int32_t>(worst), Bn, BP, "1",
            "lowest-index equilibrium attaining the worst welfare (-1 when none)");
    const auto best =
        per_beta_profile(r, [&](const BetaResult& b) { return profile_or_missing(b.equilibria->best_profile, t.n); });
    g.write("best_equilibrium_profile", std::span<const std::int32_t>(best), Bn, BP, "1",
            "lowest-index equilibrium attaining the best welfare (-1 when none)");
    f64("price_of_anarchy_worst", per_beta<double>(r, [](const BetaResult& b) { return b.price_of_anarchy_worst(); }),
        "1", "textbook price of anarchy SW* / min over pure NE");
    f64("price_of_stability", per_beta<double>(r, [](const BetaResult& b) { return b.price_of_stability(); }), "1",
        "price of stability SW* / max over pure NE");
    std::vector<std::int64_t> offsets{0};
    std::vector<std::int32_t> stored;
    for (const BetaResult& b : r.betas) {
      for (const Profile& p : b.equilibria->stored) stored.insert(stored.end(), p.begin(), p.end());
      offsets.push_back(offsets.back() + static_cast<std::int64_t>(b.equilibria->stored.size()));
    }
    g.write("equilibria", std::span<const std::int32_t>(stored),
            {h5::extent(static_cast<std::size_t>(offsets.back())), n}, {"equilibrium", "provider"}, "1",
            "stored equilibria (first max_stored per beta, ascending profile index) [row, provider]");
    g.write("equilibria_offsets", std::span<const std::int64_t>(offsets), {}, {"beta_offset"}, "1",
            "rows equilibria_offsets[j]..equilibria_offsets[j+1] of `equilibria` belong to beta[j]");
  }

  const bool history = !r.betas.empty() && !r.betas.front().dynamics.history.empty();
  if (history) {
    std::vector<std::int64_t> offsets{0};
    std::vector<std::int32_t> profiles;
    std::vector<double> potential;
    for (const BetaResult& b : r.betas) {
      for (const Profile& p : b.dynamics.history) profiles.insert(profiles.end(), p.begin(), p.end());
      potential.insert(potential.end(), b.dynamics.potential.begin(), b.dynamics.potential.end());
      offsets.push_back(offsets.back() + static_cast<std::int64_t>(b.dynamics.history.size()));
    }
    const hsize_t H = h5::extent(static_cast<std::size_t>(offsets.back()));
    g.write("history_profile", std::span<const std::int32_t>(profiles), {H, n}, {"history", "provider"}, "1",
            "profile at the start and after every move of the dynamics [row, provider]");
    g.write("history_potential", std::span<const double>(potential), {}, {"history"}, "1",
            "potential Phi at each history row");
    g.write("history_offsets", std::span<const std::int64_t>(offsets), {}, {"beta_offset"}, "1",
            "rows history_offsets[j]..history_offsets[j+1] belong to beta[j]");
  }
}

void write_auction(h5::Group& g, const ScenarioResult& r) {
  const MarketTable& t = r.table;
  const AuctionOutcome& a = r.auction;
  const Clearing& c = a.clearing;
  g.write_attribute_string("reserve", to_string(r.scenario.reserve));
  g.write_attribute_f64("v0", t.params.v0);
  const std::string winner = c.winner >= 0 ? t.providers[c.winner] : "";
  const std::string runner = c.runner_up >= 0 ? t.providers[c.runner_up] : (c.winner >= 0 ? "outside-option" : "");
  g.write_scalar("winner", winner, "1", "winning provider (empty: no trade)");
  g.write_scalar("runner_up", runner, "1", "provider whose score sets the price (\"outside-option\": v0 does)");
  g.write_scalar("winner_index", static_cast<std::int32_t>(c.winner), "1", "index of the winner (-1: no trade)");
  g.write_scalar("runner_up_index", static_cast<std::int32_t>(c.runner_up), "1",
                 "index of the runner-up (-1: the outside option or none)");
  g.write_scalar("trade", static_cast<std::uint8_t>(a.trade), "1", "1 when a provider serves the query");
  g.write_scalar("welfare", a.welfare, "USD", "social welfare S_(1) = W of the winner (v0 without trade)");
  g.write_scalar("user_value", a.user_value, "USD", "user value q_w - price = S_(2)");
  g.write_scalar("price", a.price, "USD", "price paid to the winner q_w - S_(2)");
  g.write_scalar("winner_utility", a.winner_utility, "USD", "winner's profit price - c_w = S_(1) - S_(2)");
  std::vector<std::int32_t> levels(a.level.begin(), a.level.end());
  g.write("provider", std::span<const std::string>(t.providers), {}, {"provider"}, "1",
          "coordinate of dimension provider: the provider names (as /market/<scenario>/providers)");
  g.write("theta_index_choice", std::span<const std::int32_t>(levels), {}, {"provider"}, "1",
          "each provider's truthful level argmax_k W_i(k)");
  g.write("scores", std::span<const double>(a.score), {}, {"provider"}, "USD",
          "each provider's truthful score W_i(level)");
}

}  // namespace

void write_scenario_groups(h5::Group& root, const ScenarioResult& r) {
  if (root.exists("market/" + r.scenario.name))
    throw InputError("two scenarios are named '" + r.scenario.name + "': names must be unique within a run");
  h5::Group m = root.create_group("market/" + r.scenario.name);
  write_market(m, r);
  h5::Group a = root.create_group("auction/" + r.scenario.name);
  write_auction(a, r);
}

}  // namespace ttcg
