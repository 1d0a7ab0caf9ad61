#include "ttcgames/core/tally.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ttcg {

double Tally::variance() const {
  if (count < 2) return std::numeric_limits<double>::quiet_NaN();
  const double n = static_cast<double>(count);
  const double m = sum / n;
  return std::max(0.0, (sum_sq - n * m * m) / (n - 1.0));
}

double Tally::standard_error() const {
  return count < 2 ? std::numeric_limits<double>::quiet_NaN() : std::sqrt(variance() / static_cast<double>(count));
}

Histogram::Histogram(double lo_, double hi_, int bins_) : lo(lo_), hi(hi_), counts(bins_ > 0 ? bins_ : 0, 0) {
  if (bins_ < 1 || !(hi_ > lo_) || !std::isfinite(lo_) || !std::isfinite(hi_))
    throw std::invalid_argument("Histogram needs bins >= 1 and finite lo < hi");
}

std::int64_t Histogram::total() const {
  std::int64_t t = underflow + overflow;
  for (const std::int64_t c : counts) t += c;
  return t;
}

void Histogram::add(double x) {
  if (x < lo) {
    ++underflow;
  } else if (!(x < hi)) {
    ++overflow;
  } else {
    const int b = std::min(bins() - 1, static_cast<int>((x - lo) / bin_width()));
    ++counts[b];
  }
}

void Histogram::merge(const Histogram& o) {
  if (o.lo != lo || o.hi != hi || o.bins() != bins())
    throw std::invalid_argument("Histogram::merge: the histograms have different binnings");
  for (int b = 0; b < bins(); ++b) counts[b] += o.counts[b];
  underflow += o.underflow;
  overflow += o.overflow;
}

double Histogram::quantile(double p) const {
  const std::int64_t n = total();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  const double target = std::clamp(p, 0.0, 1.0) * static_cast<double>(n);
  double seen = static_cast<double>(underflow);
  if (underflow > 0 && target <= seen) return -std::numeric_limits<double>::infinity();
  for (int b = 0; b < bins(); ++b) {
    const double c = static_cast<double>(counts[b]);
    if (c > 0 && target <= seen + c) return lo + (b + (target - seen) / c) * bin_width();
    seen += c;
  }
  return std::numeric_limits<double>::infinity();
}

double exact_quantile(std::vector<double> values, double p) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  return sorted_quantile(values, p);
}

std::vector<double> exact_quantiles(std::vector<double> values, const std::vector<double>& probabilities) {
  std::sort(values.begin(), values.end());
  std::vector<double> q;
  q.reserve(probabilities.size());
  for (const double p : probabilities)
    q.push_back(values.empty() ? std::numeric_limits<double>::quiet_NaN() : sorted_quantile(values, p));
  return q;
}

double sorted_quantile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = static_cast<double>(sorted.size() - 1) * std::clamp(p, 0.0, 1.0);
  if (h >= static_cast<double>(sorted.size() - 1)) return sorted.back();
  const double below = std::floor(h);
  const std::size_t i = static_cast<std::size_t>(below);
  const double gamma = h - below;
  const double a = sorted[i], b = sorted[i + 1], diff = b - a;
  return gamma >= 0.5 ? b - diff * (1.0 - gamma) : a + diff * gamma;
}

}  // namespace ttcg
