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
#include "ttcgames/core/version.hpp"
#include "ttcgames/io/h5.hpp"
#include "ttcgames/population/population_results.hpp"

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
