// The market summary of a result file (/market/<scenario> and /auction/<scenario>): what `ttcgames summary`, `run`
// and `market` print, read back from the file (or from an in-memory file for `market` without -o).
#include "ttcgames/run/market_summary.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

#include "ttcgames/core/error.hpp"
#include "ttcgames/run/results.hpp"

namespace ttcg {

namespace {

//! An index stored in a file that the reader will use: InputError unless lo <= value < hi.
std::int64_t checked_index(std::int64_t value, std::int64_t lo, std::int64_t hi, const std::string& where) {
  if (value < lo || value >= hi)
    throw InputError(where + ": value " + std::to_string(value) + " is not an index in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + ")");
  return value;
}

}  // namespace

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
  const auto theta = g.read_f64("theta", {nK[1]});
  const auto profile = g.read_i32("equilibrium_profile", {B, n});
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
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t k = profile[j * n + i];
      row.equilibrium_theta.push_back(k >= 0 && static_cast<hsize_t>(k) < nK[1]
                                          ? theta[static_cast<std::size_t>(k)]
                                          : std::numeric_limits<double>::quiet_NaN());
    }
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

namespace {
std::string percent(double poa) {
  if (!std::isfinite(poa)) return "inf";
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << 100.0 * (poa - 1.0) << "%";
  return s.str();
}
}  // namespace

std::string theta_profile(const std::vector<double>& theta) {
  std::ostringstream o;
  o << "(";
  for (std::size_t i = 0; i < theta.size(); ++i) o << (i ? "," : "") << theta[i];
  o << ")";
  return o.str();
}

std::vector<ScenarioSummary> read_market_summaries(const h5::Group& root) {
  std::vector<ScenarioSummary> out;
  if (!root.exists("market")) return out;
  const h5::Group markets = root.open_group("market");
  for (const std::string& name : markets.list())
    out.push_back(read_market_summary(root, markets.open_group(name), name));
  return out;
}

ScenarioSummary market_summary_of(const ScenarioResult& result) {
  h5::File file = h5::File::create_in_memory("market-summary");
  h5::Group root = file.root();
  write_scenario_groups(root, result);
  return read_market_summary(root, root.open_group("market/" + result.scenario.name), result.scenario.name);
}

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
      << std::setw(8) << "PoA" << std::setw(11) << "max regret";
  if (enumerated) out << std::setw(7) << "#NE" << std::setw(12) << "worst ineff" << std::setw(10) << "PoS-1";
  out << "  equilibrium theta\n";
  for (const SummaryRow& r : s.rows) {
    out << std::setw(11) << std::defaultfloat << std::setprecision(6) << r.beta << std::fixed << std::setprecision(5)
        << std::setw(11) << r.stats.weighted_value << std::setw(10) << r.stats.mean_value << std::setw(11)
        << r.optimal_welfare << std::setw(10) << r.equilibrium_welfare << std::setw(11) << r.stats.weighted_price
        << std::setw(10) << r.stats.mean_price << std::setw(10) << r.stats.weighted_utility << std::setw(9)
        << r.stats.mean_utility << std::setw(8) << percent(r.price_of_anarchy) << std::setw(8) << std::setprecision(4)
        << r.price_of_anarchy << std::setw(11) << std::scientific << std::setprecision(1) << r.max_regret;
    if (enumerated)
      out << std::setw(7) << r.num_equilibria << std::setw(12) << percent(r.price_of_anarchy_worst) << std::setw(10)
          << percent(r.price_of_stability);
    out << "  " << std::defaultfloat << std::setprecision(6) << theta_profile(r.equilibrium_theta) << "\n";
  }
  out << "   Legend: beta in 1/USD; values, SW, prices and utilities in USD per query (wavg: share-weighted, avg: "
         "over providers);\n           ineff. = 100 (PoA - 1) %, PoA = SW*/SW (1), max regret in USD (the "
         "equilibrium's certificate)";
  if (enumerated) out << ";\n           #NE pure equilibria, worst ineff. at the worst NE, PoS - 1 at the best NE";
  out << "; equilibrium theta: level per provider\n";
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
