#include "ttcgames/io/statistic_group.hpp"

#include <cmath>
#include <limits>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/student_t.hpp"

namespace ttcg::h5 {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

std::string squared(const std::string& units) {
  return units == "1" ? "1" : units + "^2";
}

//! A histogram over [lo, hi) with `counts`, checked.
Histogram histogram_of(const Group& g, double lo, double hi, std::vector<std::int64_t> counts, const char* what) {
  if (counts.empty() || !(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
    throw InputError(g.where(what) + ": " + std::to_string(counts.size()) +
                     " bins over non-finite or empty bounds; expected at least one bin and finite lo < hi");
  Histogram h(lo, hi, static_cast<int>(counts.size()));
  for (const std::int64_t c : counts)
    if (c < 0) throw InputError(g.where("counts") + ": negative count " + std::to_string(c));
  h.counts = std::move(counts);
  h.underflow = g.read_scalar_i64("underflow");
  h.overflow = g.read_scalar_i64("overflow");
  if (h.underflow < 0 || h.overflow < 0) throw InputError(g.where() + ": negative underflow or overflow");
  return h;
}

void read_quantiles(const Group& g, std::vector<double>& probabilities, std::vector<double>& quantiles) {
  if (!g.exists("quantile_probabilities") || !g.exists("quantiles")) return;
  Dims found;
  probabilities = g.read_f64("quantile_probabilities", {ANY}, &found);
  quantiles = g.read_f64("quantiles", {found[0]});
}

}  // namespace

Group write_statistic(Group& parent, const std::string& name, const Tally& t, const std::string& units,
                      const std::string& description) {
  Group g = parent.create_group(name);
  g.write_attribute_string("description", description);
  g.write_attribute_string("units", units);
  g.write_attribute_f64("confidence", CONFIDENCE_LEVEL);
  g.write_attribute_string("interval", "student-t");
  g.write_scalar("count", t.count, "1", "number of values tallied");
  g.write_scalar("sum", t.sum, units, "sum of the values");
  g.write_scalar("sum_sq", t.sum_sq, squared(units), "sum of the squared values (with sum and count: merges exactly)");
  g.write_scalar("min", t.count > 0 ? t.min : NaN, units, "smallest value");
  g.write_scalar("max", t.count > 0 ? t.max : NaN, units, "largest value");
  g.write_scalar("mean", t.mean(), units, "mean = sum / count");
  g.write_scalar("sd", t.stddev(), units, "sample standard deviation (n - 1), from sum and sum_sq; NaN below 2");
  g.write_scalar("standard_error", t.standard_error(), units, "standard error of the mean, sd / sqrt(count)");
  g.write_scalar("ci95_low", t.ci95_low(), units,
                 "lower end of the 95% confidence interval of the mean: mean - t_{0.975,count-1} standard_error "
                 "(Student t; NaN below 2 values)");
  g.write_scalar("ci95_high", t.ci95_high(), units,
                 "upper end of the 95% confidence interval of the mean: mean + t_{0.975,count-1} standard_error");
  return g;
}

void write_quantiles(Group& g, std::span<const double> probabilities, std::span<const double> quantiles,
                     const std::string& units, const std::string& description) {
  g.write("quantile", probabilities, {}, {"quantile"}, "1",
          "coordinate of dimension quantile: the probabilities of the quantiles (as quantile_probabilities)");
  g.write("quantile_probabilities", probabilities, {}, {"quantile"}, "1", "probabilities of the quantiles");
  g.write("quantiles", quantiles, {}, {"quantile"}, units, description);
}

Group write_histogram(Group& statistic, const Histogram& h, const std::string& units,
                      std::span<const double> probabilities) {
  Group g = statistic.create_group("histogram");
  g.write_attribute_string("description", "counts of the values in equal-width bins");
  g.write_attribute_string("units", units);
  g.write("counts", std::span<const std::int64_t>(h.counts), {}, {"bin"}, "1", "values per bin");
  std::vector<double> edges(static_cast<std::size_t>(h.bins()) + 1);
  for (int b = 0; b < h.bins(); ++b) edges[static_cast<std::size_t>(b)] = h.lo + b * h.bin_width();
  edges.back() = h.hi;
  g.write("edges", std::span<const double>(edges), {}, {"bin_edge"}, units,
          "bin edges: bin b is [edges[b], edges[b+1])");
  g.write_scalar("underflow", h.underflow, "1", "values below edges[0]");
  g.write_scalar("overflow", h.overflow, "1", "values at or above the last edge, +inf and NaN");
  std::vector<double> q;
  for (const double p : probabilities) q.push_back(h.quantile(p));
  write_quantiles(
      g, probabilities, q, units,
      "quantiles from the histogram (linear inside a bin: exact to one bin width; +-inf in under/overflow)");
  return g;
}

Histogram read_histogram(const Group& g) {
  Dims found;
  std::vector<std::int64_t> counts = g.read_i64("counts", {ANY}, &found);
  const std::vector<double> edges = g.read_f64("edges", {found[0] + 1});
  return histogram_of(g, edges.front(), edges.back(), std::move(counts), "edges");
}

Statistic read_statistic(const Group& g, int format_major) {
  Statistic s;
  if (g.has_attribute("units")) s.units = g.read_attribute_string("units");
  if (g.has_attribute("description")) s.description = g.read_attribute_string("description");
  s.tally.count = g.read_scalar_i64("count");
  if (s.tally.count < 0) throw InputError(g.where("count") + ": negative count " + std::to_string(s.tally.count));
  s.tally.sum = g.read_scalar_f64("sum");
  s.tally.sum_sq = g.read_scalar_f64("sum_sq");
  if (s.tally.count > 0) {
    s.tally.min = g.read_scalar_f64("min");
    s.tally.max = g.read_scalar_f64("max");
  }
  if (format_major >= 2) {
    read_quantiles(g, s.quantile_probabilities, s.quantiles);
    if (g.exists("histogram")) {
      const Group h = g.open_group("histogram");
      s.histogram = read_histogram(h);
      read_quantiles(h, s.histogram_probabilities, s.histogram_quantiles);
    }
  } else if (g.exists("histogram_range")) {  // a v1 population tally: histogram datasets, histogram quantiles
    Dims found;
    std::vector<std::int64_t> counts = g.read_i64("histogram", {ANY}, &found);
    const std::vector<double> range = g.read_f64("histogram_range", {2});
    s.histogram = histogram_of(g, range[0], range[1], std::move(counts), "histogram_range");
    read_quantiles(g, s.histogram_probabilities, s.histogram_quantiles);
  } else {
    read_quantiles(g, s.quantile_probabilities, s.quantiles);
  }
  return s;
}

}  // namespace ttcg::h5
