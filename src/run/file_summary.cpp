#include "ttcgames/run/file_summary.hpp"
#include "ttcgames/core/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <variant>

#include "ttcgames/core/error.hpp"
#include "ttcgames/run/job.hpp"
#include "ttcgames/run/results.hpp"

namespace ttcg {

namespace {

using Json = nlohmann::ordered_json;
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

// ---- curves ----

std::vector<CurvesSummary> read_curves_summaries(const h5::Group& root) {
  using h5::ANY;
  std::vector<CurvesSummary> out;
  if (!root.exists("curves")) return out;
  const h5::Group all = root.open_group("curves");
  for (const std::string& dataset : all.list()) {
    const h5::Group d = all.open_group(dataset);
    for (const std::string& method : d.list()) {
      const h5::Group g = d.open_group(method);
      CurvesSummary c;
      c.dataset = dataset;
      c.method = method;
      c.estimator = g.has_attribute("estimator") ? g.read_attribute_string("estimator") : "";
      c.confidence = g.has_attribute("confidence") ? g.read_attribute_f64("confidence") : NaN;
      h5::Dims found;
      c.models = g.read_strings("model", {ANY}, &found);
      const hsize_t M = found[0];
      c.theta = g.read_f64("theta", {ANY}, &found);
      const hsize_t K = found[0];
      c.accuracy = g.read_f64("accuracy", {M, K});
      c.tokens = g.read_f64("tokens", {M, K});
      const auto acc_lo = g.read_f64("accuracy_lo", {M, K}), acc_hi = g.read_f64("accuracy_hi", {M, K});
      const auto tok_lo = g.read_f64("tokens_lo", {M, K}), tok_hi = g.read_f64("tokens_hi", {M, K});
      for (std::size_t j = 0; j < c.accuracy.size(); ++j) {  // the file stores error bars; the rows give the ends
        c.accuracy_low.push_back(c.accuracy[j] - acc_lo[j]);
        c.accuracy_high.push_back(c.accuracy[j] + acc_hi[j]);
        c.tokens_low.push_back(c.tokens[j] - tok_lo[j]);
        c.tokens_high.push_back(c.tokens[j] + tok_hi[j]);
      }
      c.questions = g.read_i64("num_questions", {M});
      out.push_back(std::move(c));
    }
  }
  return out;
}

void print_curves_table(std::ostream& out, const CurvesSummary& c) {
  const auto old_flags = out.flags();
  const auto old_precision = out.precision();
  out << "\n== curves " << c.dataset << " / " << c.method << " (estimator " << c.estimator << ")\n";
  out << "   " << std::left << std::setw(28) << "model" << std::right << std::setw(8) << "theta" << std::setw(10)
      << "accuracy" << std::setw(22) << "interval" << std::setw(12) << "tokens" << std::setw(26) << "interval"
      << std::setw(11) << "questions\n";
  const std::size_t K = c.theta.size();
  for (std::size_t m = 0; m < c.models.size(); ++m)
    for (std::size_t k = 0; k < K; ++k) {
      const std::size_t j = m * K + k;
      std::ostringstream a, t;
      a << std::fixed << std::setprecision(4) << "[" << c.accuracy_low[j] << ", " << c.accuracy_high[j] << "]";
      t << std::fixed << std::setprecision(1) << "[" << c.tokens_low[j] << ", " << c.tokens_high[j] << "]";
      out << "   " << std::left << std::setw(28) << c.models[m] << std::right << std::defaultfloat
          << std::setprecision(6) << std::setw(8) << c.theta[k] << std::fixed << std::setprecision(4) << std::setw(10)
          << c.accuracy[j] << std::setw(22) << a.str() << std::setprecision(1) << std::setw(12) << c.tokens[j]
          << std::setw(26) << t.str() << std::setw(10) << c.questions[m] << "\n";
    }
  out << std::defaultfloat << std::setprecision(3) << "   Legend: accuracy in [0, 1], tokens per query; intervals at "
      << 100.0 * c.confidence
      << "% coverage are percentile intervals of the estimator's resampling (per-permutation means or the bootstrap "
         "over questions; NaN where it has none), not intervals of a mean\n";
  out.flags(old_flags);
  out.precision(old_precision);
}

// ---- rows for csv and json ----

using Cell = std::variant<double, std::int64_t, std::string, std::vector<double>, bool>;
using Row = std::vector<std::pair<std::string, Cell>>;

double median_of(const h5::Statistic& s) {
  for (std::size_t i = 0; i < s.quantile_probabilities.size(); ++i)
    if (s.quantile_probabilities[i] == 0.5) return s.quantiles[i];
  for (std::size_t i = 0; i < s.histogram_probabilities.size(); ++i)
    if (s.histogram_probabilities[i] == 0.5) return s.histogram_quantiles[i];
  return NaN;
}

Row statistic_row(const std::string& kind, const std::string& name, const NamedStatistic& ns, std::int64_t converged,
                  std::int64_t non_converged) {
  const Tally& t = ns.statistic.tally;
  const bool any = t.count > 0;
  return Row{{"kind", kind},
             {"name", name},
             {"group", ns.group},
             {"quantity", ns.quantity},
             {"units", ns.statistic.units},
             {"count", t.count},
             {"mean", t.mean()},
             {"sd", t.stddev()},
             {"standard_error", t.standard_error()},
             {"ci95_low", t.ci95_low()},
             {"ci95_high", t.ci95_high()},
             {"min", any ? t.min : NaN},
             {"max", any ? t.max : NaN},
             {"median", median_of(ns.statistic)},
             {"converged", converged},
             {"non_converged", non_converged}};
}

std::vector<Row> market_rows(const ScenarioSummary& s) {
  std::vector<Row> rows;
  for (std::size_t j = 0; j < s.sweep.size(); ++j) {
    const SummaryRow& r = s.sweep[j];
    const bool enumerated = r.num_equilibria >= 0;
    const bool listed = j < s.rows.size();  // the listed β come first (every β when none were listed)
    rows.push_back(Row{{"kind", std::string("market")},
                       {"scenario", s.name},
                       {"beta", r.beta},
                       {"listed", listed},
                       {"equilibrium_theta", r.equilibrium_theta},
                       {"equilibrium_welfare", r.equilibrium_welfare},
                       {"optimal_welfare", r.optimal_welfare},
                       {"price_of_anarchy", r.price_of_anarchy},
                       {"inefficiency_percent", 100.0 * (r.price_of_anarchy - 1.0)},
                       {"max_regret", r.max_regret},
                       {"num_equilibria", r.num_equilibria},
                       {"price_of_anarchy_worst", enumerated ? r.price_of_anarchy_worst : NaN},
                       {"price_of_stability", enumerated ? r.price_of_stability : NaN},
                       {"weighted_value", r.stats.weighted_value},
                       {"mean_value", r.stats.mean_value},
                       {"weighted_price", r.stats.weighted_price},
                       {"mean_price", r.stats.mean_price},
                       {"weighted_utility", r.stats.weighted_utility},
                       {"mean_utility", r.stats.mean_utility},
                       {"auction_welfare", s.has_auction ? s.auction_welfare : NaN},
                       {"auction_winner", s.has_auction ? s.winner : std::string()}});
  }
  return rows;
}

std::vector<Row> curves_rows(const CurvesSummary& c) {
  std::vector<Row> rows;
  const std::size_t K = c.theta.size();
  for (std::size_t m = 0; m < c.models.size(); ++m)
    for (std::size_t k = 0; k < K; ++k) {
      const std::size_t j = m * K + k;
      rows.push_back(Row{{"kind", std::string("curves")},
                         {"dataset", c.dataset},
                         {"method", c.method},
                         {"model", c.models[m]},
                         {"theta", c.theta[k]},
                         {"accuracy", c.accuracy[j]},
                         {"accuracy_low", c.accuracy_low[j]},
                         {"accuracy_high", c.accuracy_high[j]},
                         {"tokens", c.tokens[j]},
                         {"tokens_low", c.tokens_low[j]},
                         {"tokens_high", c.tokens_high[j]},
                         {"questions", c.questions[m]}});
    }
  return rows;
}

//! The rows of each kind present (and selected), in summary_kinds() order.
std::vector<std::pair<std::string, std::vector<Row>>> rows_by_kind(const ResultFileSummary& s,
                                                                   const std::string& kind) {
  std::vector<std::pair<std::string, std::vector<Row>>> out;
  const auto want = [&](const char* k) { return kind.empty() || kind == k; };
  if (want("markets") && !s.markets.empty()) {
    std::vector<Row> rows;
    for (const ScenarioSummary& m : s.markets)
      for (Row& r : market_rows(m)) rows.push_back(std::move(r));
    out.emplace_back("markets", std::move(rows));
  }
  if (want("populations") && !s.populations.empty()) {
    std::vector<Row> rows;
    for (const PopulationSummary& p : s.populations)
      for (const NamedStatistic& ns : p.statistics)
        rows.push_back(statistic_row("population", p.name, ns, p.converged, p.non_converged));
    out.emplace_back("populations", std::move(rows));
  }
  if (want("ensembles") && !s.ensembles.empty()) {
    std::vector<Row> rows;
    for (const EnsembleReport& e : s.ensembles)
      for (const NamedStatistic& ns : e.statistics)
        rows.push_back(statistic_row("ensemble", e.name, ns, e.converged, e.non_converged));
    out.emplace_back("ensembles", std::move(rows));
  }
  if (want("curves") && !s.curves.empty()) {
    std::vector<Row> rows;
    for (const CurvesSummary& c : s.curves)
      for (Row& r : curves_rows(c)) rows.push_back(std::move(r));
    out.emplace_back("curves", std::move(rows));
  }
  return out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string q = "\"";
  for (const char c : text) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_cell(const Cell& c) {
  struct {
    std::string operator()(double v) const { return std::isnan(v) ? "" : number_text(v); }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(const std::string& v) const { return csv_field(v); }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::vector<double>& v) const {
      std::string s;
      for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? ";" : "") + (std::isnan(v[i]) ? std::string() : number_text(v[i]));
      return s;
    }
  } visit;
  return std::visit(visit, c);
}

Json json_cell(const Cell& c) {
  struct {
    Json operator()(double v) const { return std::isfinite(v) ? Json(v) : Json(nullptr); }
    Json operator()(std::int64_t v) const { return Json(v); }
    Json operator()(const std::string& v) const { return Json(v); }
    Json operator()(bool v) const { return Json(v); }
    Json operator()(const std::vector<double>& v) const {
      Json a = Json::array();
      for (const double x : v) a.push_back(std::isfinite(x) ? Json(x) : Json(nullptr));
      return a;
    }
  } visit;
  return std::visit(visit, c);
}

}  // namespace

const std::vector<std::string>& summary_kinds() {
  static const std::vector<std::string> kinds{"markets", "populations", "ensembles", "curves"};
  return kinds;
}

namespace {

ResultFileSummary read_groups(const h5::Group& root, int format_major) {
  ResultFileSummary s;
  s.format_major = format_major;
  s.markets = read_market_summaries(root);
  s.ensembles = read_ensemble_reports(root, s.format_major);
  s.populations = read_population_summaries(root, s.format_major);
  s.curves = read_curves_summaries(root);
  return s;
}

}  // namespace

ResultFileSummary read_result_file_summary(const std::string& path) {
  int major = 0;
  const h5::File file = open_results_file(path, &major);
  return read_groups(file.root(), major);
}

ResultFileSummary summarize_results(const RunJob& job, const RunResults& results) {
  h5::File file = h5::File::create_in_memory("results in memory");
  h5::Group root = file.root();
  job.write_groups(root, results);
  return read_groups(root, RESULTS_FORMAT_MAJOR);
}

void print_result_file_summary(std::ostream& out, const ResultFileSummary& s, SummaryFormat format,
                               const std::string& kind) {
  if (!kind.empty() && std::find(summary_kinds().begin(), summary_kinds().end(), kind) == summary_kinds().end())
    throw std::invalid_argument("summary: unknown kind '" + kind + "'; valid: markets, populations, ensembles, curves");
  if (format == SummaryFormat::table) {
    const auto want = [&](const char* k) { return kind.empty() || kind == k; };
    if (want("markets"))
      for (const ScenarioSummary& m : s.markets) print_summary(out, m);
    if (want("ensembles"))
      for (const EnsembleReport& e : s.ensembles) print_ensemble_report(out, e);
    if (want("populations"))
      for (const PopulationSummary& p : s.populations) print_population_summary(out, p);
    if (want("curves"))
      for (const CurvesSummary& c : s.curves) print_curves_table(out, c);
    return;
  }
  const auto sections = rows_by_kind(s, kind);
  if (format == SummaryFormat::json) {
    Json doc = Json::object();
    doc["format_version"] = s.format_major;
    for (const auto& [name, rows] : sections) {
      Json a = Json::array();
      for (const Row& r : rows) {
        Json o = Json::object();
        for (const auto& [column, cell] : r) o[column] = json_cell(cell);
        a.push_back(std::move(o));
      }
      doc[name] = std::move(a);
    }
    out << doc.dump(1) << "\n";
    return;
  }
  bool first = true;
  for (const auto& [name, rows] : sections) {
    if (!first) out << "\n";
    first = false;
    for (std::size_t c = 0; c < rows.front().size(); ++c) out << (c ? "," : "") << rows.front()[c].first;
    out << "\n";
    for (const Row& r : rows) {
      for (std::size_t c = 0; c < r.size(); ++c) out << (c ? "," : "") << csv_cell(r[c].second);
      out << "\n";
    }
  }
}

}  // namespace ttcg
