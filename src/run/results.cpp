#include "ttcgames/run/results.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

#include "ttcgames/core/error.hpp"
#include "ttcgames/io/h5.hpp"
#include "ttcgames/population/population_results.hpp"
#include "ttcgames/core/version.hpp"

namespace ttcg {

namespace {

using h5::Dims;

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::ostringstream s;
  s << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  return s.str();
}

hsize_t hs(std::size_t v) {
  return static_cast<hsize_t>(v);
}

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
  const hsize_t n = hs(t.n), K = hs(t.K), B = hs(r.betas.size());
  const Dims nK{n, K}, Bn{B, n};

  g.write_attribute_string("description", s.description);
  g.write_attribute_string("scenario", s.resolved_toml());
  g.write_attribute_string("scenario_file", s.path);
  g.write_attribute_f64("alpha", s.market.alpha);
  g.write_attribute_f64("baseline", s.market.baseline);
  g.write_attribute_f64("markup", s.market.markup);
  g.write_attribute_f64("v0", s.market.v0);
  g.write_attribute_string("value_curve", s.market.value_curve.describe());
  g.write_attribute_string("dynamics_rule", to_string(s.dynamics.rule));
  g.write_attribute_string("provider_order", to_string(s.dynamics.order));
  g.write_attribute_i64("seed", static_cast<std::int64_t>(s.dynamics.seed));
  g.write_attribute_f64("tolerance", s.dynamics.relative_tolerance);
  g.write_attribute_f64("absolute_tolerance", s.dynamics.absolute_tolerance);
  g.write_attribute_i64("max_rounds", s.dynamics.max_rounds);
  g.write_attribute_string("backend", to_string(r.backend));
  g.write_attribute_f64("seconds", r.seconds);

  g.write("providers", std::span<const std::string>(t.providers), {}, "1", "provider (model) names, in input order");
  g.write("beta_values", std::span<const double>(s.beta_values), {}, "1/USD",
          "the beta values the scenario lists (the leading rows of beta; the sweep follows)");
  g.write("theta", std::span<const double>(t.theta), {}, "1",
          "test-time-compute level: number of samples, or relative-effort bin");
  g.write("usd_per_token", std::span<const double>(t.usd_per_token), {}, "USD", "price per billed output token");
  g.write("accuracy", std::span<const double>(t.accuracy), nK, "1", "expected accuracy a_i(k) [provider, level]");
  g.write("tokens", std::span<const double>(t.tokens), nK, "token", "expected billed output tokens per query");
  g.write("quality", std::span<const double>(t.q), nK, "USD", "expected quality q = alpha (b + (1 - b) f(a))");
  g.write("price", std::span<const double>(t.p), nK, "USD", "price per query p = tokens x usd_per_token");
  g.write("cost", std::span<const double>(t.c), nK, "USD", "provider cost per query c = p / (1 + markup)");
  g.write("user_value", std::span<const double>(t.V), nK, "USD", "user value V = q - p");
  g.write("surplus", std::span<const double>(t.W), nK, "USD", "social surplus of one served query W = q - c");

  const auto f64 = [&](const std::string& name, const std::vector<double>& v, const char* units, const std::string& d) {
    g.write(name, std::span<const double>(v), {}, units, d);
  };
  f64("beta", per_beta<double>(r, [](const BetaResult& b) { return b.beta; }), "1/USD",
      "user rationality (logit inverse temperature); listed values first, then the sweep");
  const std::vector<std::int32_t> eq = per_beta_profile(r, [](const BetaResult& b) { return b.dynamics.profile; });
  g.write("equilibrium_profile", std::span<const std::int32_t>(eq), Bn, "1",
          "level index per provider at the profile reached by the dynamics [beta, provider]");
  f64("equilibrium_welfare", per_beta<double>(r, [](const BetaResult& b) { return b.welfare; }), "USD",
      "social welfare SW at the reached profile (the paper's Equilibrium SW)");
  f64("optimal_welfare", per_beta<double>(r, [](const BetaResult& b) { return b.optimum.welfare; }), "USD",
      "social optimum SW* (exact, fractional programming)");
  const std::vector<std::int32_t> opt = per_beta_profile(r, [](const BetaResult& b) { return b.optimum.profile; });
  g.write("optimal_profile", std::span<const std::int32_t>(opt), Bn, "1", "a profile attaining SW* [beta, provider]");
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
  g.write("shares", std::span<const double>(shares), Bn, "1", "logit market shares at the reached profile");
  f64("outside_share", per_beta<double>(r, [](const BetaResult& b) { return b.outside_share; }), "1",
      "share of users taking the outside option");
  f64("potential", per_beta<double>(r, [](const BetaResult& b) { return b.potential; }), "1",
      "potential Phi at the reached profile (log-utility units)");
  const auto rounds = per_beta<std::int32_t>(r, [](const BetaResult& b) { return b.dynamics.rounds; });
  g.write("rounds", std::span<const std::int32_t>(rounds), {}, "1", "dynamics rounds (the last one without a move)");
  const auto turns = per_beta<std::int64_t>(r, [](const BetaResult& b) { return b.dynamics.turns; });
  g.write("turns", std::span<const std::int64_t>(turns), {}, "1", "provider visits until convergence");
  const auto moves = per_beta<std::int64_t>(r, [](const BetaResult& b) { return b.dynamics.moves; });
  g.write("moves", std::span<const std::int64_t>(moves), {}, "1", "strategy changes along the dynamics");
  const auto conv = per_beta<std::uint8_t>(r, [](const BetaResult& b) { return b.dynamics.converged; });
  g.write("converged", std::span<const std::uint8_t>(conv), {}, "1", "1 when a round ended without a move");
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
    g.write("num_equilibria", std::span<const std::int64_t>(count), {}, "1", "number of pure Nash equilibria");
    f64("worst_equilibrium_welfare",
        per_beta<double>(r, [](const BetaResult& b) { return b.equilibria->worst_welfare; }), "USD",
        "min SW over all pure Nash equilibria (NaN when there are none)");
    f64("best_equilibrium_welfare", per_beta<double>(r, [](const BetaResult& b) { return b.equilibria->best_welfare; }),
        "USD", "max SW over all pure Nash equilibria");
    const auto worst =
        per_beta_profile(r, [&](const BetaResult& b) { return profile_or_missing(b.equilibria->worst_profile, t.n); });
    g.write("worst_equilibrium_profile", std::span<const std::int32_t>(worst), Bn, "1",
            "lowest-index equilibrium attaining the worst welfare (-1 when none)");
    const auto best =
        per_beta_profile(r, [&](const BetaResult& b) { return profile_or_missing(b.equilibria->best_profile, t.n); });
    g.write("best_equilibrium_profile", std::span<const std::int32_t>(best), Bn, "1",
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
    g.write("equilibria", std::span<const std::int32_t>(stored), {hs(static_cast<std::size_t>(offsets.back())), n}, "1",
            "stored equilibria (first max_stored per beta, ascending profile index) [row, provider]");
    g.write("equilibria_offsets", std::span<const std::int64_t>(offsets), {}, "1",
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
    const hsize_t H = hs(static_cast<std::size_t>(offsets.back()));
    g.write("history_profile", std::span<const std::int32_t>(profiles), {H, n}, "1",
            "profile at the start and after every move of the dynamics [row, provider]");
    g.write("history_potential", std::span<const double>(potential), {}, "1", "potential Phi at each history row");
    g.write("history_offsets", std::span<const std::int64_t>(offsets), {}, "1",
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
  g.write("theta_index_choice", std::span<const std::int32_t>(levels), {}, "1",
          "each provider's truthful level argmax_k W_i(k)");
  g.write("scores", std::span<const double>(a.score), {}, "USD", "each provider's truthful score W_i(level)");
}

}  // namespace

void write_root_attributes(h5::Group& root, const RunInfo& info, std::uint64_t seed, const std::string& scenario_toml) {
  root.write_attribute_string("format", RESULTS_FORMAT);
  root.write_attribute_vector_i32("format_version",
                                  std::vector<std::int32_t>{RESULTS_FORMAT_MAJOR, RESULTS_FORMAT_MINOR});
  root.write_attribute_string("ttcgames_version", VERSION);
  root.write_attribute_string("git_commit", GIT_COMMIT);
  root.write_attribute_string("created_utc", utc_now());
  root.write_attribute_string("backend", info.backend);
  root.write_attribute_i64("threads", info.threads);
  root.write_attribute_i64("ranks", info.ranks);
  root.write_attribute_i64("seed", static_cast<std::int64_t>(seed));
  root.write_attribute_string("command_line", info.command_line);
  root.write_attribute_string("scenario", scenario_toml);
}

std::string combined_scenario_toml(const std::vector<const Scenario*>& scenarios) {
  std::string text;
  for (const Scenario* s : scenarios) {
    if (scenarios.size() > 1) text += "# ---- scenario " + s->name + " ----\n";
    text += s->resolved_toml();
  }
  return text;
}

void write_scenario_groups(h5::Group& root, const ScenarioResult& r) {
  if (root.exists("market/" + r.scenario.name))
    throw InputError("two scenarios are named '" + r.scenario.name + "': names must be unique within a run");
  h5::Group m = root.create_group("market/" + r.scenario.name);
  write_market(m, r);
  h5::Group a = root.create_group("auction/" + r.scenario.name);
  write_auction(a, r);
}

ScenarioSummary summarize(const ScenarioResult& r) {
  ScenarioSummary s;
  s.name = r.scenario.name;
  s.description = r.scenario.description;
  s.value_curve = r.scenario.market.value_curve.describe();
  s.n = r.table.n;
  s.K = r.table.K;
  s.alpha = r.scenario.market.alpha;
  s.markup = r.scenario.market.markup;
  s.v0 = r.scenario.market.v0;
  s.seconds = r.seconds;
  for (std::size_t j = 0; j < r.betas.size(); ++j) {
    const BetaResult& b = r.betas[j];
    SummaryRow row;
    row.beta = b.beta;
    row.stats = b.stats;
    row.optimal_welfare = b.optimum.welfare;
    row.equilibrium_welfare = b.welfare;
    row.price_of_anarchy = b.price_of_anarchy;
    row.max_regret = b.certificate.max_regret;
    if (b.equilibria) {
      row.num_equilibria = b.equilibria->count;
      row.price_of_anarchy_worst = b.price_of_anarchy_worst();
      row.price_of_stability = b.price_of_stability();
    }
    s.sweep.push_back(row);
    if (j < r.scenario.beta_values.size()) s.rows.push_back(row);
  }
  if (s.rows.empty()) s.rows = s.sweep;
  const AuctionOutcome& a = r.auction;
  s.has_auction = true;
  s.reserve = to_string(r.scenario.reserve);
  s.winner = a.clearing.winner >= 0 ? r.table.providers[a.clearing.winner] : "";
  s.runner_up = a.clearing.runner_up >= 0 ? r.table.providers[a.clearing.runner_up] : "outside-option";
  s.winner_score = a.clearing.winning_score;
  s.runner_up_score = a.clearing.second_score;
  s.auction_welfare = a.welfare;
  s.user_value = a.user_value;
  s.price = a.price;
  s.winner_utility = a.winner_utility;
  return s;
}

h5::File open_results_file(const std::string& path) {
  h5::File file = h5::File::open_read(path);
  const h5::Group root = file.root();
  if (!root.has_attribute("format") || root.read_attribute_string("format") != RESULTS_FORMAT)
    throw InputError(path + ": not a ttcgames result file (root attribute format != \"" + RESULTS_FORMAT + "\")");
  const std::vector<std::int32_t> version = root.read_attribute_vector_i32("format_version", 2);
  if (version[0] != RESULTS_FORMAT_MAJOR)
    throw InputError(path + ": result format version " + std::to_string(version[0]) + "." + std::to_string(version[1]) +
                     ", this ttcgames reads " + std::to_string(RESULTS_FORMAT_MAJOR) + ".x");
  return file;
}

namespace {

//! An index stored in a file that the reader will use: InputError unless lo <= value < hi.
std::int64_t checked_index(std::int64_t value, std::int64_t lo, std::int64_t hi, const std::string& where) {
  if (value < lo || value >= hi)
    throw InputError(where + ": value " + std::to_string(value) + " is not an index in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + ")");
  return value;
}

ScenarioSummary read_market_summary(const h5::Group& root, const h5::Group& g, const std::string& name) {
  using h5::ANY;
  ScenarioSummary s;
  s.name = name;
  s.description = g.read_attribute_string("description");
  s.value_curve = g.read_attribute_string("value_curve");
  s.alpha = g.read_attribute_f64("alpha");
  s.markup = g.read_attribute_f64("markup");
  s.v0 = g.read_attribute_f64("v0");
  s.seconds = g.read_attribute_f64("seconds");
  h5::Dims nK;
  g.read_f64("accuracy", {ANY, ANY}, &nK);
  if (nK[0] < 1 || nK[1] < 1)  // (the read's size limit bounds them above)
    throw InputError(g.where("accuracy") + ": " + std::to_string(nK[0]) + " providers x " + std::to_string(nK[1]) +
                     " levels; a market has at least one of each");
  const hsize_t n = nK[0];
  s.n = static_cast<int>(n);
  s.K = static_cast<int>(nK[1]);
  h5::Dims found;
  const auto beta = g.read_f64("beta", {ANY}, &found);
  const hsize_t B = found[0];
  const auto col = [&](const char* d) { return g.read_f64(d, {B}); };
  const auto wv = col("weighted_value"), mv = col("mean_value"), wp = col("weighted_price"), mp = col("mean_price");
  const auto wu = col("weighted_utility"), mu = col("mean_utility"), opt = col("optimal_welfare");
  const auto eq = col("equilibrium_welfare"), poa = col("price_of_anarchy"), reg = col("max_regret");
  const std::int64_t enumerated = g.read_attribute_i64("enumerated");
  if (enumerated != 0 && enumerated != 1)
    throw InputError(g.where() + "@enumerated: value " + std::to_string(enumerated) + ", expected 0 or 1");
  std::vector<std::int64_t> count;
  std::vector<double> worst, pos;
  if (enumerated) {
    count = g.read_i64("num_equilibria", {B});
    worst = col("price_of_anarchy_worst");
    pos = col("price_of_stability");
  }
  // A dataset since format 1.2; an attribute before (it could not hold thousands of values).
  const std::size_t listed = g.exists("beta_values") ? g.read_f64("beta_values", {ANY}).size()
                                                     : g.read_attribute_vector_f64("beta_values", ANY).size();
  for (std::size_t j = 0; j < beta.size(); ++j) {
    SummaryRow row;
    row.beta = beta[j];
    row.stats = MarketStats{wv[j], mv[j], wp[j], mp[j], wu[j], mu[j]};
    row.optimal_welfare = opt[j];
    row.equilibrium_welfare = eq[j];
    row.price_of_anarchy = poa[j];
    row.max_regret = reg[j];
    if (enumerated) {
      row.num_equilibria = count[j];
      row.price_of_anarchy_worst = worst[j];
      row.price_of_stability = pos[j];
    }
    s.sweep.push_back(row);
    if (j < listed) s.rows.push_back(row);
  }
  if (s.rows.empty()) s.rows = s.sweep;
  if (root.exists("auction/" + name)) {
    const h5::Group a = root.open_group("auction/" + name);
    s.has_auction = true;
    s.reserve = a.read_attribute_string("reserve");
    s.winner = a.read_scalar_string("winner");
    s.runner_up = a.read_scalar_string("runner_up");
    const auto scores = a.read_f64("scores", {n});
    const auto providers = static_cast<std::int64_t>(n);
    const std::int64_t wi = checked_index(a.read_scalar_i64("winner_index"), -1, providers, a.where("winner_index"));
    const std::int64_t ri =
        checked_index(a.read_scalar_i64("runner_up_index"), -1, providers, a.where("runner_up_index"));
    s.auction_welfare = a.read_scalar_f64("welfare");
    s.user_value = a.read_scalar_f64("user_value");
    s.price = a.read_scalar_f64("price");
    s.winner_utility = a.read_scalar_f64("winner_utility");
    s.winner_score = wi >= 0 ? scores[static_cast<std::size_t>(wi)] : s.auction_welfare;
    s.runner_up_score = ri >= 0 ? scores[static_cast<std::size_t>(ri)] : s.user_value;
  }
  return s;
}

}  // namespace

std::vector<ScenarioSummary> read_summaries(const std::string& path) {
  const h5::File file = open_results_file(path);
  const h5::Group root = file.root();
  std::vector<ScenarioSummary> out;
  if (!root.exists("market")) return out;
  const h5::Group markets = root.open_group("market");
  for (const std::string& name : markets.list())
    out.push_back(read_market_summary(root, markets.open_group(name), name));
  return out;
}

ResultFileSummary read_result_file_summary(const std::string& path) {
  ResultFileSummary s;
  s.markets = read_summaries(path);
  s.ensembles = read_ensemble_reports(path);
  s.populations = read_population_summaries(path);
  return s;
}

void print_result_file_summary(std::ostream& out, const ResultFileSummary& s) {
  for (const ScenarioSummary& m : s.markets) print_summary(out, m);
  for (const EnsembleReport& e : s.ensembles) print_ensemble_report(out, e);
  for (const PopulationSummary& p : s.populations) print_population_summary(out, p);
}

namespace {
std::string percent(double poa) {
  if (!std::isfinite(poa)) return "inf";
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << 100.0 * (poa - 1.0) << "%";
  return s.str();
}
}  // namespace

void print_summary(std::ostream& out, const ScenarioSummary& s) {
  const auto old_flags = out.flags();
  const auto old_precision = out.precision();
  out << "\n== " << s.name << (s.description.empty() ? "" : ": " + s.description) << "\n";
  out << "   " << s.n << " providers x " << s.K << " levels; alpha = " << s.alpha << " USD, markup " << s.markup
      << ", v0 = " << s.v0 << ", value curve " << s.value_curve << "; solved in " << std::setprecision(3) << s.seconds
      << " s\n";
  out << "   Market at the equilibrium reached by the dynamics (USD per query):\n";
  const bool enumerated = !s.rows.empty() && s.rows.front().num_equilibria >= 0;
  out << std::right << std::setw(11) << "beta" << std::setw(11) << "wavg value" << std::setw(10) << "avg value"
      << std::setw(11) << "optimal SW" << std::setw(10) << "equil. SW" << std::setw(11) << "wavg price" << std::setw(10)
      << "avg price" << std::setw(10) << "wavg util" << std::setw(9) << "avg util" << std::setw(8) << "ineff."
      << std::setw(11) << "max regret";
  if (enumerated) out << std::setw(7) << "#NE" << std::setw(12) << "worst ineff" << std::setw(10) << "PoS-1";
  out << "\n";
  for (const SummaryRow& r : s.rows) {
    out << std::setw(11) << std::defaultfloat << std::setprecision(6) << r.beta << std::fixed << std::setprecision(5)
        << std::setw(11) << r.stats.weighted_value << std::setw(10) << r.stats.mean_value << std::setw(11)
        << r.optimal_welfare << std::setw(10) << r.equilibrium_welfare << std::setw(11) << r.stats.weighted_price
        << std::setw(10) << r.stats.mean_price << std::setw(10) << r.stats.weighted_utility << std::setw(9)
        << r.stats.mean_utility << std::setw(8) << percent(r.price_of_anarchy) << std::setw(11) << std::scientific
        << std::setprecision(1) << r.max_regret;
    if (enumerated)
      out << std::setw(7) << r.num_equilibria << std::setw(12) << percent(r.price_of_anarchy_worst) << std::setw(10)
          << percent(r.price_of_stability);
    out << "\n";
  }
  if (s.sweep.size() > s.rows.size()) {
    const auto worst = std::max_element(s.sweep.begin(), s.sweep.end(), [](const SummaryRow& a, const SummaryRow& b) {
      return a.price_of_anarchy < b.price_of_anarchy;
    });
    const auto best = std::min_element(s.sweep.begin(), s.sweep.end(), [](const SummaryRow& a, const SummaryRow& b) {
      return a.price_of_anarchy < b.price_of_anarchy;
    });
    out << std::defaultfloat << std::setprecision(6) << "   All " << s.sweep.size()
        << " beta values: inefficiency from " << percent(best->price_of_anarchy) << " (beta = " << best->beta << ") to "
        << percent(worst->price_of_anarchy) << " (beta = " << worst->beta << ")";
    if (enumerated) {
      const auto w = std::max_element(s.sweep.begin(), s.sweep.end(), [](const SummaryRow& a, const SummaryRow& b) {
        return a.price_of_anarchy_worst < b.price_of_anarchy_worst;
      });
      out << "; worst equilibrium up to " << percent(w->price_of_anarchy_worst) << " (beta = " << w->beta << ")";
    }
    out << "\n";
  }
  if (s.has_auction) {
    out << std::fixed << std::setprecision(5) << "   Reverse second-price auction (reserve " << s.reserve << "): ";
    if (s.winner.empty()) {
      out << "no trade (every score below v0)\n";
    } else {
      out << "winner " << s.winner << " (W = " << s.winner_score << "), runner-up " << s.runner_up
          << " (W = " << s.runner_up_score << ")\n"
          << "      user value " << s.user_value << ", price " << s.price << ", winner utility " << s.winner_utility
          << ", total SW " << s.auction_welfare << "\n";
    }
  }
  out.flags(old_flags);
  out.precision(old_precision);
}

}  // namespace ttcg
