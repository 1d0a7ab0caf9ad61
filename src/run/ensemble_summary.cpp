#include "ttcgames/run/ensemble_summary.hpp"

#include <cmath>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

#include "ttcgames/core/error.hpp"
#include "ttcgames/ensemble/ensemble_results.hpp"

namespace ttcg {

namespace {

//! Quantities of the printed table (the others are in csv and json).
bool printed(const std::string& name) {
  return name != "num_equilibria" && name != "rounds" && name != "max_relative_regret";
}

}  // namespace

const std::vector<double>& printed_quantiles(const h5::Statistic& s) {
  return s.quantiles.empty() ? s.histogram_quantiles : s.quantiles;
}

std::vector<EnsembleReport> read_ensemble_reports(const h5::Group& root, int major) {
  using h5::ANY;
  std::vector<EnsembleReport> out;
  if (!root.exists("ensemble")) return out;
  const h5::Group ensembles = root.open_group("ensemble");
  for (const std::string& name : ensembles.list()) {
    const h5::Group g = ensembles.open_group(name);
    EnsembleReport r;
    r.name = name;
    r.settings = g.read_attribute_string("description");
    r.markets = g.read_scalar_i64("num_markets");
    r.non_converged = g.read_scalar_i64(major >= 2 ? "non_converged" : "not_converged");
    r.converged = major >= 2 ? g.read_scalar_i64("converged") : r.markets - r.non_converged;
    if (r.markets < 0 || r.converged < 0 || r.non_converged < 0 || r.converged + r.non_converged != r.markets)
      throw InputError(g.where("non_converged") + ": converged " + std::to_string(r.converged) + " + non_converged " +
                       std::to_string(r.non_converged) + " is not the " + std::to_string(r.markets) + " markets");
    r.above_base = major >= 2 ? r.converged : r.markets;
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
    for (const EnsembleQuantity& q : ensemble_quantities()) {
      const std::string qn = q.name;
      NamedStatistic st{"markets", qn, q.label, h5::read_statistic(g.open_group("statistics/" + qn), major)};
      if (major < 2) {  // version 1: quantiles and histograms beside the statistics
        st.statistic.units = q.units;
        if (g.exists("quantiles_exact/" + qn)) {
          st.statistic.quantile_probabilities = r.quantile_probabilities;
          st.statistic.quantiles = g.read_f64("quantiles_exact/" + qn, {Q});
        }
        if (g.exists("histograms/" + qn)) st.statistic.histogram = h5::read_histogram(g.open_group("histograms/" + qn));
        if (g.exists("quantiles/" + qn)) {
          st.statistic.histogram_probabilities = r.quantile_probabilities;
          st.statistic.histogram_quantiles = g.read_f64("quantiles/" + qn, {Q});
        }
      }
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
  for (const NamedStatistic& ns : r.statistics) {
    const Tally& t = ns.statistic.tally;
    if (t.count == 0 || !printed(ns.quantity)) continue;
    out << "   " << std::left << std::setw(32) << ns.label << std::right << std::setw(10) << t.count
        << std::setprecision(4) << std::setw(11) << t.mean() << std::setw(10) << t.ci95_half_width() << std::setw(10)
        << t.stddev() << std::setw(10) << t.min << std::setw(10) << t.max << std::setprecision(3);
    for (const double q : printed_quantiles(ns.statistic)) out << std::setw(9) << q;
    out << "\n";
  }
  out << std::defaultfloat << std::setprecision(4) << "   markets above an inefficiency of";
  for (std::size_t t = 0; t < r.thresholds.size(); ++t)
    out << (t ? "," : "") << " " << r.thresholds[t] << "%: "
        << (r.above_base > 0 ? 100.0 * static_cast<double>(r.above[t]) / static_cast<double>(r.above_base) : 0.0)
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
  out << "\n   converged " << r.converged << ", non-converged " << r.non_converged << ", infinite PoA "
      << r.infinite_poa << ", enumerated " << r.enumerated << " (without a pure NE " << r.no_equilibrium
      << "), auctions without trade " << r.auction_no_trade << "\n";
  out << "   Legend: inefficiency in percent, 100 (PoA - 1); PoA = SW*/SW and the auction's welfare ratios are "
         "dimensionless; +-95% is the Student-t half-width t_{0.975,n-1} sd/sqrt(n); q<p>: quantiles (exact when "
         "the markets are stored, else from the histogram)\n";
  out.flags(old_flags);
  out.precision(old_precision);
}

}  // namespace ttcg
