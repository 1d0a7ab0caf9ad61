#include "ttcgames/core/distributions.hpp"

#include <algorithm>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace ttcg::dist {

AliasTable build_alias_table(const std::vector<double>& weights) {
  if (weights.empty()) throw std::invalid_argument("alias table: no weights");
  double total = 0.0;
  for (const double w : weights) {
    if (!(w >= 0.0) || !std::isfinite(w)) throw std::invalid_argument("alias table: weights must be finite and >= 0");
    total += w;
  }
  if (!(total > 0.0)) throw std::invalid_argument("alias table: the weights sum to 0");
  const int n = static_cast<int>(weights.size());
  AliasTable t;
  t.prob.assign(n, 1.0);
  t.alias.resize(n);
  std::iota(t.alias.begin(), t.alias.end(), 0);
  std::vector<double> scaled(n);
  std::vector<int> small, large;
  for (int j = 0; j < n; ++j) {
    scaled[j] = weights[j] * n / total;
    (scaled[j] < 1.0 ? small : large).push_back(j);
  }
  // Vose: pair a deficient column with a surplus one until one list runs out; what is left is (up to rounding) 1.
  while (!small.empty() && !large.empty()) {
    const int s = small.back(), l = large.back();
    small.pop_back();
    large.pop_back();
    t.prob[s] = scaled[s];
    t.alias[s] = l;
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    (scaled[l] < 1.0 ? small : large).push_back(l);
  }
  for (const int j : large) t.prob[j] = 1.0;
  for (const int j : small) t.prob[j] = 1.0;
  return t;
}

const char* to_string(DistributionKind kind) {
  switch (kind) {
    case DistributionKind::fixed:
      return "fixed";
    case DistributionKind::lognormal:
      return "lognormal";
    case DistributionKind::uniform:
      return "uniform";
    case DistributionKind::log_uniform:
      return "log_uniform";
    case DistributionKind::empirical:
      return "empirical";
  }
  return "?";
}

Distribution Distribution::fixed_value(double v) {
  Distribution d;
  d.kind = DistributionKind::fixed;
  d.value = v;
  return d;
}

Distribution Distribution::range(double low, double high, bool log) {
  Distribution d;
  d.kind = log ? DistributionKind::log_uniform : DistributionKind::uniform;
  d.low = low;
  d.high = high;
  return d;
}

bool Distribution::constant() const {
  switch (kind) {
    case DistributionKind::fixed:
      return true;
    case DistributionKind::lognormal:
      return sigma == 0.0;
    case DistributionKind::uniform:
    case DistributionKind::log_uniform:
      return low == high;
    case DistributionKind::empirical:
      return values.size() == 1;
  }
  return false;
}

namespace {

//! Empirical values sorted, with their normalized weights.
std::vector<std::pair<double, double>> weighted_values(const Distribution& d) {
  std::vector<std::pair<double, double>> v;
  double total = 0.0;
  for (std::size_t j = 0; j < d.values.size(); ++j) {
    const double w = d.weights.empty() ? 1.0 : d.weights[j];
    v.emplace_back(d.values[j], w);
    total += w;
  }
  for (auto& e : v) e.second /= total;
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return v;
}

}  // namespace

double Distribution::mean() const {
  switch (kind) {
    case DistributionKind::fixed:
      return value;
    case DistributionKind::lognormal:
      return std::exp(mu + 0.5 * sigma * sigma);
    case DistributionKind::uniform:
      return 0.5 * (low + high);
    case DistributionKind::log_uniform:  // (hi − lo) / (log hi − log lo)
      return low == high ? low : (high - low) / std::log(high / low);
    case DistributionKind::empirical: {
      double m = 0.0;
      for (const auto& [x, w] : weighted_values(*this)) m += w * x;
      return m;
    }
  }
  return NAN;
}

double Distribution::variance() const {
  switch (kind) {
    case DistributionKind::fixed:
      return 0.0;
    case DistributionKind::lognormal:
      return std::expm1(sigma * sigma) * std::exp(2.0 * mu + sigma * sigma);
    case DistributionKind::uniform:
      return (high - low) * (high - low) / 12.0;
    case DistributionKind::log_uniform: {  // E[X²] − E[X]², E[X²] = (hi² − lo²) / (2 (log hi − log lo))
      if (low == high) return 0.0;
      const double m = mean();
      return (high * high - low * low) / (2.0 * std::log(high / low)) - m * m;
    }
    case DistributionKind::empirical: {
      const double m = mean();
      double v = 0.0;
      for (const auto& [x, w] : weighted_values(*this)) v += w * (x - m) * (x - m);
      return v;
    }
  }
  return NAN;
}

double Distribution::quantile(double p) const {
  p = std::clamp(p, 0.0, 1.0);
  switch (kind) {
    case DistributionKind::fixed:
      return value;
    case DistributionKind::lognormal:
      return std::exp(mu + sigma * standard_normal_quantile(p));
    case DistributionKind::uniform:
      return low + (high - low) * p;
    case DistributionKind::log_uniform:
      return p == 0.0 ? low : p == 1.0 ? high : std::exp(std::log(low) + (std::log(high) - std::log(low)) * p);
    case DistributionKind::empirical: {
      const auto v = weighted_values(*this);
      double cumulative = 0.0;
      for (const auto& [x, w] : v) {
        cumulative += w;
        if (w > 0.0 && cumulative >= p) return x;
      }
      for (auto it = v.rbegin(); it != v.rend(); ++it)
        if (it->second > 0.0) return it->first;
      return v.back().first;
    }
  }
  return NAN;
}

double Distribution::lower_bound(double tail) const {
  switch (kind) {
    case DistributionKind::lognormal:
      return quantile(tail);
    case DistributionKind::empirical:
      return quantile(0.0);
    default:
      return quantile(0.0);
  }
}

double Distribution::upper_bound(double tail) const {
  return kind == DistributionKind::lognormal ? quantile(1.0 - tail) : quantile(1.0);
}

std::string Distribution::describe() const {
  std::ostringstream s;
  s.precision(10);
  switch (kind) {
    case DistributionKind::fixed:
      s << "fixed " << value;
      break;
    case DistributionKind::lognormal:
      s << "lognormal (mu = " << mu << ", sigma = " << sigma << ")";
      break;
    case DistributionKind::uniform:
      s << "uniform [" << low << ", " << high << ")";
      break;
    case DistributionKind::log_uniform:
      s << "log-uniform [" << low << ", " << high << ")";
      break;
    case DistributionKind::empirical:
      s << "empirical (" << values.size() << " values" << (weights.empty() ? "" : ", weighted") << ")";
      break;
  }
  return s.str();
}

PreparedDistribution::PreparedDistribution(Distribution d) : spec(std::move(d)) {
  if (spec.kind == DistributionKind::empirical)
    alias = build_alias_table(spec.weights.empty() ? std::vector<double>(spec.values.size(), 1.0) : spec.weights);
}

DistributionView PreparedDistribution::view() const {
  DistributionView v;
  v.kind = spec.kind;
  switch (spec.kind) {
    case DistributionKind::fixed:
      v.a = spec.value;
      break;
    case DistributionKind::lognormal:
      v.a = spec.mu;
      v.b = spec.sigma;
      break;
    case DistributionKind::uniform:
    case DistributionKind::log_uniform:
      v.a = spec.low;
      v.b = spec.high;
      break;
    case DistributionKind::empirical:
      v.values = spec.values.data();
      v.alias = alias.view();
      break;
  }
  return v;
}

}  // namespace ttcg::dist
