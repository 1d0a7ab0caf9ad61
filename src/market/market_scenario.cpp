#include "ttcgames/market/market_scenario.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "ttcgames/core/error.hpp"

namespace ttcg {

void read_market_section(TableReader t, MarketParams& m) {
  t.reject_unknown({"alpha", "baseline", "markup", "v0", "value_curve"});  // before "missing": a typo shows as such
  m.alpha = t.required_number("alpha", "the dollar value of a query (USD), e.g. alpha = 0.008");
  m.baseline = t.number("baseline", m.baseline);
  m.markup = t.number("markup", m.markup);
  m.v0 = t.number("v0", m.v0);
  if (m.alpha < 0.0) t.fail(*t.get("alpha"), "alpha", "must be >= 0 (USD per query)");
  if (m.baseline < 0.0 || m.baseline > 1.0) t.fail(*t.get("baseline"), "baseline", "must lie in [0, 1]");
  if (m.markup <= -1.0) t.fail(*t.get("markup"), "markup", "must be > -1 (cost = price / (1 + markup))");

  if (const toml::node* n = t.get("value_curve")) {
    std::string kind;
    std::optional<TableReader> params;
    if (n->is_string())
      kind = *n->value<std::string>();
    else if (n->is_table()) {
      params.emplace(*n->as_table(), t.key_path("value_curve"), t.file());
      kind = params->choice("kind", {"linear", "power", "exp"}, "linear");
    } else {
      t.fail(*n, "value_curve", "must be \"linear\", \"power\", \"exp\" or a table {kind = ..., gamma/kappa = ...}");
    }
    if (kind == "linear")
      m.value_curve.kind = ValueCurveKind::linear;
    else if (kind == "power")
      m.value_curve.kind = ValueCurveKind::power;
    else if (kind == "exp")
      m.value_curve.kind = ValueCurveKind::exp;
    else {
      const std::string hint = closest_match(kind, {"linear", "power", "exp"});
      t.fail(*n, "value_curve",
             "is \"" + kind + "\"; valid: \"linear\", \"power\", \"exp\"" +
                 (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
    if (params) {
      std::vector<std::string> valid{"kind"};
      if (m.value_curve.kind == ValueCurveKind::power) {
        valid.push_back("gamma");
        m.value_curve.gamma = params->number("gamma", m.value_curve.gamma);
        if (!(m.value_curve.gamma > 0.0)) params->fail(*params->get("gamma"), "gamma", "must be > 0 (f(a) = a^gamma)");
      }
      if (m.value_curve.kind == ValueCurveKind::exp) {
        valid.push_back("kappa");
        m.value_curve.kappa = params->number("kappa", m.value_curve.kappa);
        if (std::fabs(m.value_curve.kappa) > 700.0)
          params->fail(*params->get("kappa"), "kappa",
                       "must lie in [-700, 700] (f(a) = (e^{kappa a} - 1)/(e^kappa - 1))");
      }
      params->reject_unknown(valid);  // e.g. gamma with kind = "exp" is an error, not silently ignored
    }
  }
  t.reject_unknown({"alpha", "baseline", "markup", "v0", "value_curve"});
}

toml::table market_toml(const MarketParams& market) {
  toml::table m;
  m.insert("alpha", market.alpha);
  m.insert("baseline", market.baseline);
  m.insert("markup", market.markup);
  m.insert("v0", market.v0);
  toml::table vc;
  vc.insert("kind", to_string(market.value_curve.kind));
  if (market.value_curve.kind == ValueCurveKind::power) vc.insert("gamma", market.value_curve.gamma);
  if (market.value_curve.kind == ValueCurveKind::exp) vc.insert("kappa", market.value_curve.kappa);
  m.insert("value_curve", std::move(vc));
  return m;
}

void read_dynamics_section(TableReader t, int n, int K, DynamicsOptions& d, StartKind& start) {
  t.reject_unknown(
      {"rule", "order", "seed", "start", "tolerance", "absolute_tolerance", "max_rounds", "record_history"});
  d.rule = t.choice("rule", {"reference", "best-response"}, "reference") == "reference" ? DynamicsRule::reference
                                                                                        : DynamicsRule::best_response;
  const std::string order = t.choice("order", {"reference", "random", "fixed"}, "reference");
  d.order = order == "reference" ? ProviderOrder::reference
            : order == "random"  ? ProviderOrder::random
                                 : ProviderOrder::fixed;
  if (const auto seed = t.integer("seed")) {
    if (*seed < 0) t.fail(*t.get("seed"), "seed", "must be >= 0");
    d.seed = static_cast<std::uint64_t>(*seed);
  }
  d.relative_tolerance = t.number("tolerance", d.relative_tolerance);
  d.absolute_tolerance = t.number("absolute_tolerance", d.absolute_tolerance);
  if (d.relative_tolerance < 0.0) t.fail(*t.get("tolerance"), "tolerance", "must be >= 0");
  if (d.absolute_tolerance <= 0.0) t.fail(*t.get("absolute_tolerance"), "absolute_tolerance", "must be > 0 (USD)");
  if (const auto rounds = t.integer("max_rounds")) {
    if (*rounds < 1 || *rounds > 100'000'000) t.fail(*t.get("max_rounds"), "max_rounds", "must lie in 1..1e8");
    d.max_rounds = static_cast<int>(*rounds);
  }
  d.record_history = t.boolean("record_history").value_or(false);

  if (const toml::node* node = t.get("start")) {
    if (node->is_string()) {
      const std::string v = *node->value<std::string>();
      if (v == "lowest")
        start = StartKind::lowest, d.start.clear();
      else if (v == "highest")
        start = StartKind::highest, d.start.assign(n, K - 1);
      else
        t.fail(*node, "start", "is \"" + v + "\"; valid: \"lowest\", \"highest\" or a list of level indices");
    } else if (const toml::array* a = node->as_array()) {
      start = StartKind::explicit_profile;
      for (const toml::node& e : *a) {
        const auto k = e.value<std::int64_t>();
        if (!e.is_integer() || *k < 0 || *k >= K)
          throw input_error(
              location(t.file(), e.source()),
              "'" + t.key_path("start") + "' entries must be level indices in 0.." + std::to_string(K - 1));
        d.start.push_back(static_cast<int>(*k));
      }
      if (static_cast<int>(d.start.size()) != n)
        t.fail(*node, "start",
               "has " + std::to_string(d.start.size()) + " entries for " + std::to_string(n) + " providers");
    } else {
      t.fail(*node, "start", "must be \"lowest\", \"highest\" or a list of level indices");
    }
  }
  t.reject_unknown(
      {"rule", "order", "seed", "start", "tolerance", "absolute_tolerance", "max_rounds", "record_history"});
}

toml::table dynamics_toml(const DynamicsOptions& dynamics, StartKind start) {
  toml::table d;
  d.insert("rule", to_string(dynamics.rule));
  d.insert("order", to_string(dynamics.order));
  d.insert("seed", static_cast<std::int64_t>(dynamics.seed));
  if (start == StartKind::explicit_profile) {
    toml::array st;
    for (const int k : dynamics.start) st.push_back(k);
    d.insert("start", std::move(st));
  } else {
    d.insert("start", start == StartKind::lowest ? "lowest" : "highest");
  }
  d.insert("tolerance", dynamics.relative_tolerance);
  d.insert("absolute_tolerance", dynamics.absolute_tolerance);
  d.insert("max_rounds", dynamics.max_rounds);
  d.insert("record_history", dynamics.record_history);
  return d;
}

void read_equilibria_section(TableReader t, double default_tolerance, bool& enumerate, EnumerationOptions& e) {
  t.reject_unknown({"enumerate", "algorithm", "tolerance", "max_profiles", "max_stored"});
  enumerate = t.boolean("enumerate").value_or(false);
  e.algorithm =  // choice() has validated the name
      parse_enumeration_algorithm(t.choice("algorithm", {"structural", "exhaustive"}, "structural"), "algorithm");
  e.relative_tolerance = t.number("tolerance", default_tolerance);
  if (e.relative_tolerance < 0.0) t.fail(*t.get("tolerance"), "tolerance", "must be >= 0");
  if (const auto v = t.integer("max_profiles")) {
    if (*v < 1) t.fail(*t.get("max_profiles"), "max_profiles", "must be >= 1");
    e.max_profiles = *v;
  }
  if (const auto v = t.integer("max_stored")) {
    if (*v < 0) t.fail(*t.get("max_stored"), "max_stored", "must be >= 0");
    e.max_stored = *v;
  }
  t.reject_unknown({"enumerate", "algorithm", "tolerance", "max_profiles", "max_stored"});
}

toml::table equilibria_toml(bool enumerate, const EnumerationOptions& enumeration) {
  toml::table e;
  e.insert("enumerate", enumerate);
  e.insert("algorithm", to_string(enumeration.algorithm));
  e.insert("tolerance", enumeration.relative_tolerance);
  e.insert("max_profiles", enumeration.max_profiles);
  e.insert("max_stored", enumeration.max_stored);
  return e;
}

}  // namespace ttcg
