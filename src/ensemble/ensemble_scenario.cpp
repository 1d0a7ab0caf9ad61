#include "ttcgames/ensemble/ensemble_scenario.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/names.hpp"

namespace ttcg {

namespace {

const std::vector<std::string> ENSEMBLE_KEYS{"name",
                                             "markets",
                                             "seed",
                                             "pool",
                                             "providers",
                                             "price_jitter",
                                             "beta",
                                             "markup",
                                             "alpha",
                                             "v0",
                                             "order",
                                             "enumerate",
                                             "enumeration_max_profiles",
                                             "block_size",
                                             "store_markets",
                                             "histogram",
                                             "thresholds",
                                             "quantiles"};

//! A number (fixed) or a table {low, high, spacing = "uniform" | "log"}: a fixed, uniform or log-uniform
//! distribution.
std::optional<dist::Distribution> read_range(TableReader& t, const std::string& key) {
  const toml::node* n = t.get(key);
  if (!n) return std::nullopt;
  if (n->is_integer() || n->is_floating_point()) {
    const double v = *n->value<double>();
    if (!std::isfinite(v)) t.fail(*n, key, "must be a finite number");
    return dist::Distribution::fixed_value(v);
  }
  if (!n->is_table())
    t.fail(*n, key, "must be a number or a table { low = ..., high = ..., spacing = \"uniform\" | \"log\" }");
  TableReader range(*n->as_table(), t.key_path(key), t.file());
  range.reject_unknown({"low", "high", "spacing"});
  const double low = range.required_number("low", "the lower end of the range");
  const double high = range.required_number("high", "the upper end of the range");
  const bool log = range.choice("spacing", {"uniform", "log"}, "uniform") == "log";
  if (high < low) range.fail(*range.get("high"), "high", "must be >= low");
  if (log && !(low > 0.0)) range.fail(*range.get("low"), "low", "must be > 0 with spacing = \"log\"");
  return dist::Distribution::range(low, high, log);  // low = high: constant, no draw (draw_parameter)
}

toml::table range_toml(const dist::Distribution& d) {
  toml::table t;
  t.insert("low", d.lower_bound(0.0));
  t.insert("high", d.upper_bound(0.0));
  t.insert("spacing", d.kind == dist::DistributionKind::log_uniform ? "log" : "uniform");
  return t;
}

}  // namespace

EnsembleSpec read_ensemble_section(TableReader t) {
  t.reject_unknown(ENSEMBLE_KEYS);
  EnsembleSpec e;
  e.name = t.string("name").value_or("");
  if (!e.name.empty() && !is_valid_name(e.name)) t.fail(*t.get("name"), "name", std::string("must use ") + name_rule());
  const auto markets = t.integer("markets");
  if (!markets) t.fail_missing("markets", "the number of random markets, e.g. markets = 1000000");
  if (*markets < 1 || *markets > ENSEMBLE_MAX_MARKETS)
    t.fail(*t.get("markets"), "markets", "must lie in 1.." + std::to_string(ENSEMBLE_MAX_MARKETS));
  e.markets = *markets;
  if (const auto seed = t.integer("seed")) {
    if (*seed < 0) t.fail(*t.get("seed"), "seed", "must be >= 0");
    e.seed = static_cast<std::uint64_t>(*seed);
  }
  e.pool = t.strings("pool").value_or(std::vector<std::string>{});
  if (const toml::node* n = t.get("providers")) {
    if (n->is_integer()) {
      e.min_providers = e.max_providers =
          static_cast<int>(std::clamp<std::int64_t>(*n->value<std::int64_t>(), -1, 1 << 20));
    } else if (n->is_table()) {
      TableReader p(*n->as_table(), t.key_path("providers"), t.file());
      p.reject_unknown({"min", "max"});
      const auto lo = p.integer("min");
      const auto hi = p.integer("max");
      if (!lo) p.fail_missing("min", "the fewest providers in a market");
      if (!hi) p.fail_missing("max", "the most providers in a market");
      e.min_providers = static_cast<int>(std::clamp<std::int64_t>(*lo, -1, 1 << 20));
      e.max_providers = static_cast<int>(std::clamp<std::int64_t>(*hi, -1, 1 << 20));
    } else {
      t.fail(*n, "providers", "must be an integer or a table { min = ..., max = ... }");
    }
    if (e.min_providers < 1 || e.max_providers < e.min_providers)
      t.fail(*n, "providers", "must satisfy 1 <= min <= max");
  }
  if (const toml::node* n = t.get("price_jitter")) {
    std::string kind;
    std::optional<TableReader> j;
    if (n->is_string()) {
      kind = *n->value<std::string>();
    } else if (n->is_table()) {
      j.emplace(*n->as_table(), t.key_path("price_jitter"), t.file());
      kind = j->choice("kind", {"none", "uniform", "lognormal"}, "none");
    } else {
      t.fail(*n, "price_jitter", "must be \"none\" or a table { kind = \"uniform\" | \"lognormal\", ... }");
    }
    if (kind == "none") {
      e.price_jitter = dist::Distribution::fixed_value(1.0);
      if (j) j->reject_unknown({"kind"});
    } else if (kind == "uniform" && j) {
      e.price_jitter.kind = dist::DistributionKind::uniform;
      e.price_jitter.low = j->required_number("low", "the smallest price factor (> 0)");
      e.price_jitter.high = j->required_number("high", "the largest price factor (>= low)");
      if (!(e.price_jitter.low > 0.0)) j->fail(*j->get("low"), "low", "must be > 0 (a price factor)");
      if (e.price_jitter.high < e.price_jitter.low) j->fail(*j->get("high"), "high", "must be >= low");
      j->reject_unknown({"kind", "low", "high"});
    } else if (kind == "lognormal" && j) {
      e.price_jitter.kind = dist::DistributionKind::lognormal;
      e.price_jitter.mu = 0.0;
      e.price_jitter.sigma = j->required_number("sigma", "the standard deviation of the log price factor");
      if (e.price_jitter.sigma < 0.0 || e.price_jitter.sigma > 10.0)
        j->fail(*j->get("sigma"), "sigma", "must lie in [0, 10]");
      j->reject_unknown({"kind", "sigma"});
    } else {
      t.fail(
          *n, "price_jitter",
          "is \"" + kind + "\"; valid: \"none\", { kind = \"uniform\", low, high }, { kind = \"lognormal\", sigma }");
    }
  }
  const auto beta = read_range(t, "beta");
  if (!beta) t.fail_missing("beta", "the users' rationality per market, a number or { low, high, spacing }");
  if (beta->lower_bound(0.0) < 0.0) t.fail(*t.get("beta"), "beta", "must be >= 0 (an inverse temperature)");
  e.beta = *beta;
  e.markup = read_range(t, "markup");
  if (e.markup && e.markup->lower_bound(0.0) <= -1.0) t.fail(*t.get("markup"), "markup", "must be > -1");
  e.alpha = read_range(t, "alpha");
  if (e.alpha && e.alpha->lower_bound(0.0) < 0.0) t.fail(*t.get("alpha"), "alpha", "must be >= 0 (USD per query)");
  e.v0 = read_range(t, "v0");
  e.order = t.choice("order", {"random", "fixed"}, "random") == "random" ? ProviderOrder::random : ProviderOrder::fixed;
  e.enumerate = t.boolean("enumerate").value_or(true);
  if (const auto v = t.integer("enumeration_max_profiles")) {
    if (*v < 1 || *v > ENSEMBLE_MAX_ENUMERATION_PROFILES)
      t.fail(*t.get("enumeration_max_profiles"), "enumeration_max_profiles",
             "must lie in 1.." + std::to_string(ENSEMBLE_MAX_ENUMERATION_PROFILES));
    e.enumeration_max_profiles = *v;
  }
  if (const auto v = t.integer("block_size")) {
    if (*v < 1 || *v > (1 << 24)) t.fail(*t.get("block_size"), "block_size", "must lie in 1..16777216");
    e.block_size = *v;
  }
  e.store_markets = t.boolean("store_markets").value_or(true);
  if (auto h = t.table("histogram")) {
    h->reject_unknown({"max", "bins"});
    e.inefficiency_histogram_max = h->number("max", e.inefficiency_histogram_max);
    if (!(e.inefficiency_histogram_max > 0.0)) h->fail(*h->get("max"), "max", "must be > 0 (percent)");
    if (const auto b = h->integer("bins")) {
      if (*b < 1 || *b > 1'000'000) h->fail(*h->get("bins"), "bins", "must lie in 1..1000000");
      e.inefficiency_histogram_bins = static_cast<int>(*b);
    }
  }
  if (auto v = t.numbers("thresholds")) e.thresholds = *v;
  if (auto v = t.numbers("quantiles")) {
    for (const double q : *v)
      if (q < 0.0 || q > 1.0) t.fail(*t.get("quantiles"), "quantiles", "must lie in [0, 1]");
    e.quantiles = *v;
  }
  t.reject_unknown(ENSEMBLE_KEYS);
  return e;
}

toml::table ensemble_toml(const EnsembleSpec& e) {
  toml::table t;
  if (!e.name.empty()) t.insert("name", e.name);
  t.insert("markets", e.markets);
  t.insert("seed", static_cast<std::int64_t>(e.seed));
  if (!e.pool.empty()) {
    toml::array pool;
    for (const std::string& p : e.pool) pool.push_back(p);
    t.insert("pool", std::move(pool));
  }
  if (e.min_providers > 0) {
    toml::table p;
    p.insert("min", e.min_providers);
    p.insert("max", e.max_providers);
    t.insert("providers", std::move(p));
  }
  toml::table j;
  switch (e.price_jitter.kind) {
    case dist::DistributionKind::uniform:
      j.insert("kind", "uniform");
      j.insert("low", e.price_jitter.low);
      j.insert("high", e.price_jitter.high);
      break;
    case dist::DistributionKind::lognormal:
      j.insert("kind", "lognormal");
      j.insert("sigma", e.price_jitter.sigma);
      break;
    default:
      j.insert("kind", "none");
      break;
  }
  t.insert("price_jitter", std::move(j));
  t.insert("beta", range_toml(e.beta));
  if (e.markup) t.insert("markup", range_toml(*e.markup));
  if (e.alpha) t.insert("alpha", range_toml(*e.alpha));
  if (e.v0) t.insert("v0", range_toml(*e.v0));
  t.insert("order", to_string(e.order));
  t.insert("enumerate", e.enumerate);
  t.insert("enumeration_max_profiles", e.enumeration_max_profiles);
  t.insert("block_size", e.block_size);
  t.insert("store_markets", e.store_markets);
  toml::table h;
  h.insert("max", e.inefficiency_histogram_max);
  h.insert("bins", e.inefficiency_histogram_bins);
  t.insert("histogram", std::move(h));
  toml::array thresholds, quantiles;
  for (const double v : e.thresholds) thresholds.push_back(v);
  for (const double v : e.quantiles) quantiles.push_back(v);
  t.insert("thresholds", std::move(thresholds));
  t.insert("quantiles", std::move(quantiles));
  return t;
}

}  // namespace ttcg
