#include "ttcgames/market/market.hpp"

#include <cmath>
#include <sstream>

#include "ttcgames/core/error.hpp"

namespace ttcg {

const char* to_string(ValueCurveKind kind) {
  switch (kind) {
    case ValueCurveKind::linear:
      return "linear";
    case ValueCurveKind::power:
      return "power";
    case ValueCurveKind::exp:
      return "exp";
  }
  return "?";
}

double ValueCurve::operator()(double a) const {
  return value_curve_value(kind, gamma, kappa, a);
}

std::string ValueCurve::describe() const {
  std::ostringstream s;
  s << to_string(kind);
  if (kind == ValueCurveKind::power) s << " (gamma = " << gamma << ")";
  if (kind == ValueCurveKind::exp) s << " (kappa = " << kappa << ")";
  return s.str();
}

MarketTable build_market_table(const ProviderSet& set, const MarketParams& params) {
  if (set.providers.empty()) throw InputError("market: no providers");
  if (set.theta.empty()) throw InputError("market: no test-time-compute levels (theta is empty)");
  for (const double v : {params.alpha, params.baseline, params.markup, params.v0})
    if (!std::isfinite(v)) throw InputError("market: alpha, baseline, markup and v0 must be finite");
  if (params.markup <= -1.0) throw InputError("market: markup must be > -1 (cost = price / (1 + markup))");

  MarketTable t;
  t.n = static_cast<int>(set.providers.size());
  t.K = static_cast<int>(set.theta.size());
  t.theta = set.theta;
  t.params = params;
  const std::size_t size = static_cast<std::size_t>(t.n) * static_cast<std::size_t>(t.K);
  for (auto* v : {&t.accuracy, &t.tokens, &t.q, &t.p, &t.c, &t.V, &t.W, &t.margin}) v->resize(size);

  const double b = params.baseline;
  for (int i = 0; i < t.n; ++i) {
    const ProviderCurves& pc = set.providers[i];
    if (static_cast<int>(pc.accuracy.size()) != t.K || static_cast<int>(pc.tokens.size()) != t.K)
      throw InputError("market: provider '" + pc.name + "' has " + std::to_string(pc.accuracy.size()) +
                       " levels, expected " + std::to_string(t.K));
    if (!std::isfinite(pc.usd_per_million_tokens) || pc.usd_per_million_tokens < 0.0)
      throw InputError("market: provider '" + pc.name + "' has an invalid price per million tokens");
    t.providers.push_back(pc.name);
    const double per_token = usd_per_token(pc.usd_per_million_tokens);
    t.usd_per_token.push_back(per_token);
    for (int k = 0; k < t.K; ++k) {
      const double a = pc.accuracy[k];
      const double tokens = pc.tokens[k];
      if (!std::isfinite(a) || !std::isfinite(tokens) || tokens < 0.0)
        throw InputError("market: provider '" + pc.name + "' level " + std::to_string(k) +
                         " has a non-finite accuracy or a negative/non-finite token count");
      const std::size_t at = t.at(i, k);
      t.accuracy[at] = a;
      t.tokens[at] = tokens;
      const LevelEconomics e =
          level_economics(params.value_curve(a), tokens, per_token, params.alpha, b, params.markup);
      t.p[at] = e.p;
      t.c[at] = e.c;
      t.q[at] = e.q;
      if (!std::isfinite(t.q[at]))
        throw InputError("market: provider '" + pc.name + "' level " + std::to_string(k) + ": the value curve " +
                         params.value_curve.describe() + " gives a non-finite quality at accuracy " +
                         std::to_string(a));
      t.V[at] = e.V;
      t.W[at] = e.W;
      t.margin[at] = e.margin;
    }
  }
  return t;
}

}  // namespace ttcg
