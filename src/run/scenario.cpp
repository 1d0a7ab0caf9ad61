#include "ttcgames/run/scenario.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "ttcgames/population/population_scenario.hpp"
#include "ttcgames/core/names.hpp"
#include "ttcgames/inference/curves_io.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/io/text_file.hpp"
#include "ttcgames/io/toml_reader.hpp"

namespace ttcg {

namespace fs = std::filesystem;

std::vector<double> BetaSweep::values() const {
  // The arithmetic of numpy.linspace / numpy.logspace (start + j·step, last point exact), so that the paper's
  // logspace(0, 6, 100) is reproduced bit for bit.
  const double lo = logarithmic ? std::log10(from) : from;
  const double hi = logarithmic ? std::log10(to) : to;
  const double step = points > 1 ? (hi - lo) / (points - 1) : 0.0;
  std::vector<double> v(points);
  for (int j = 0; j < points; ++j) {
    const double y = j + 1 == points && points > 1 ? hi : j * step + lo;
    v[j] = logarithmic ? std::pow(10.0, y) : y;
  }
  if (logarithmic) {  // exact endpoints (pow(10, log10(x)) may differ from x in the last bit)
    v.back() = to;
    v.front() = from;
  }
  return v;
}

std::vector<double> Scenario::betas() const {
  std::vector<double> all = beta_values;
  if (sweep) {
    const std::vector<double> s = sweep->values();
    all.insert(all.end(), s.begin(), s.end());
  }
  return all;
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const std::string& c : candidates) {
    std::vector<std::size_t> row(c.size() + 1);
    for (std::size_t j = 0; j <= c.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= word.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= c.size(); ++j) {
        const std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (word[i - 1] == c[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    if (row[c.size()] < best_distance) best_distance = row[c.size()], best = c;
  }
  return best_distance <= std::max<std::size_t>(2, word.size() / 2) ? best : std::string();
}

namespace {

std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string count_of(std::size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string resolve_path(const std::string& base_dir, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute() || base_dir.empty()) return p;
  return (fs::path(base_dir) / p).lexically_normal().string();
}

void read_market(TableReader t, Scenario& s) {
  t.reject_unknown({"alpha", "baseline", "markup", "v0", "value_curve"});  // before "missing": a typo shows as such
  MarketParams& m = s.market;
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

const std::vector<std::string> RUNLOG_PROVIDER_KEYS{"runlogs", "method", "mapping", "estimator", "permutations", "seed",
                                                    "theta",   "jitter", "strict",  "prices",    "models"};

//! [providers] runlogs = [...]: curves computed from run logs (curves.hpp), priced by the prices table.
void read_runlog_providers(TableReader& t, Scenario& s, const std::string& base_dir) {
  t.reject_unknown(RUNLOG_PROVIDER_KEYS);
  RunLogCurvesSource r;
  const std::vector<std::string> files = t.strings("runlogs").value_or(std::vector<std::string>{});
  for (const std::string& f : files) r.files.push_back(resolve_path(base_dir, f));
  if (r.files.empty()) t.fail(*t.get("runlogs"), "runlogs", "lists no files");
  if (!t.has("method"))
    t.fail_missing("method", "the curve method: \"majority\", \"best-of-n\", \"pass@k\" or \"relative-effort\"");
  r.method = t.choice("method", {"majority", "best-of-n", "pass@k", "relative-effort"}, "");
  if (const auto m = t.string("mapping")) r.mapping = resolve_path(base_dir, *m);
  r.estimator = t.choice("estimator", {"permutations", "exact", "logged-order"}, r.estimator);
  if (const auto n = t.integer("permutations")) {
    if (*n < 1 || *n > 4294967295) t.fail(*t.get("permutations"), "permutations", "must lie in [1, 4294967295]");
    r.permutations = *n;
  }
  if (const auto seed = t.integer("seed")) {
    if (*seed < 0) t.fail(*t.get("seed"), "seed", "must be >= 0");
    r.seed = static_cast<std::uint64_t>(*seed);
  }
  if (const auto theta = t.numbers("theta")) {
    for (std::size_t k = 0; k < theta->size(); ++k) {
      const double x = (*theta)[k];
      if (x < 1 || x != std::floor(x) || x > 2147483647 || (k > 0 && x <= (*theta)[k - 1]))
        t.fail(*t.get("theta"), "theta", "must list sample counts >= 1 in increasing order");
      r.theta.push_back(static_cast<int>(x));
    }
  }
  r.jitter = t.choice("jitter", {"philox", "numpy"}, r.jitter);
  r.strict = t.boolean("strict").value_or(false);
  const auto prices = t.string("prices");
  if (!prices) t.fail_missing("prices", "a prices CSV (model,usd_per_million_tokens) for the run logs' models");
  s.source.prices = resolve_path(base_dir, *prices);
  s.source.models = t.strings("models").value_or(std::vector<std::string>{});
  PriceTable prices_table;
  try {
    prices_table = read_prices_csv(s.source.prices);
  } catch (const InputError& e) {
    t.fail(*t.get("prices"), "prices", std::string("cannot be used: ") + e.what());
  }
  try {
    s.providers = provider_set_from_runlogs(r, prices_table, s.source.models);
  } catch (const InputError& e) {
    t.fail(*t.get("runlogs"), "runlogs", std::string("cannot be used: ") + e.what());
  }
  s.source.runlogs = std::move(r);
}

void read_providers(TableReader t, Scenario& s, const std::string& base_dir) {
  const bool has_runlogs = t.has("runlogs");
  const bool has_curves = t.has("curves");
  const bool has_inline = t.has("inline");
  if (has_runlogs && (has_curves || has_inline))
    t.fail(*t.get(has_curves ? "curves" : "inline"), has_curves ? "curves" : "inline",
           "cannot be combined with providers.runlogs: give one source of curves (curves, runlogs or inline)");
  if (has_runlogs) return read_runlog_providers(t, s, base_dir);
  t.reject_unknown({"curves", "prices", "models", "theta", "inline", "runlogs"});
  if (has_curves && has_inline)
    t.fail(*t.get("inline"), "inline",
           "cannot be combined with providers.curves: give either curves = \"file.csv\" "
           "(with prices) or [[providers.inline]] tables");
  if (!has_curves && !has_inline)
    t.fail_missing("curves",
                   "give either curves = \"file.csv\" (with prices = \"prices.csv\"), runlogs = [\"log.jsonl\", ...] "
                   "(with method and prices) or [[providers.inline]] tables");
  if (has_curves) {
    s.source.curves = resolve_path(base_dir, *t.string("curves"));
    const auto prices = t.string("prices");
    if (!prices) t.fail_missing("prices", "a prices CSV (model,usd_per_million_tokens) for the curves' models");
    s.source.prices = resolve_path(base_dir, *prices);
    s.source.models = t.strings("models").value_or(std::vector<std::string>{});
    std::set<std::string> listed;
    for (const std::string& m : s.source.models)
      if (!listed.insert(m).second) t.fail(*t.get("models"), "models", "lists model '" + m + "' twice");
    t.reject_unknown({"curves", "prices", "models"});
    PriceTable prices_table;
    try {
      prices_table = read_prices_csv(s.source.prices);
    } catch (const InputError& e) {
      t.fail(*t.get("prices"), "prices", std::string("cannot be used: ") + e.what());
    }
    try {
      s.providers = read_curves_csv(s.source.curves, prices_table, s.source.models);
    } catch (const InputError& e) {
      t.fail(*t.get("curves"), "curves", std::string("cannot be used: ") + e.what());
    }
    return;
  }
  const auto theta = t.numbers("theta");
  if (!theta || theta->empty()) t.fail_missing("theta", "the shared test-time-compute levels of inline providers");
  for (std::size_t a = 0; a < theta->size(); ++a)
    for (std::size_t b = 0; b < a; ++b)
      if ((*theta)[a] == (*theta)[b])
        t.fail(*t.get("theta"), "theta", "lists the level " + format_number((*theta)[a]) + " twice");
  s.providers.theta = *theta;
  const toml::node* list = t.get("inline");
  const toml::array* arr = list->as_array();
  if (!arr || !arr->is_array_of_tables() || arr->empty())
    t.fail(*list, "inline",
           "must be an array of tables [[providers.inline]] with name, usd_per_million_tokens, "
           "accuracy and tokens");
  std::set<std::string> names;
  for (const toml::node& e : *arr) {
    TableReader p(*e.as_table(), t.key_path("inline"), t.file());
    ProviderCurves pc;
    const auto name = p.string("name");
    if (!name || name->empty()) p.fail_missing("name", "each inline provider needs a name");
    pc.name = *name;
    if (!names.insert(pc.name).second) p.fail(*p.get("name"), "name", "repeats provider '" + pc.name + "'");
    pc.usd_per_million_tokens = p.required_number("usd_per_million_tokens", "the provider's price (USD per 1M tokens)");
    if (pc.usd_per_million_tokens < 0.0)
      p.fail(*p.get("usd_per_million_tokens"), "usd_per_million_tokens", "must be >= 0");
    const auto acc = p.numbers("accuracy");
    const auto tok = p.numbers("tokens");
    if (!acc) p.fail_missing("accuracy", "one accuracy per level in theta");
    if (!tok) p.fail_missing("tokens", "one token count per level in theta");
    if (acc->size() != theta->size())
      p.fail(*p.get("accuracy"), "accuracy",
             "has " + count_of(acc->size(), "value") + " for " + count_of(theta->size(), "level") + " in theta");
    if (tok->size() != theta->size())
      p.fail(*p.get("tokens"), "tokens",
             "has " + count_of(tok->size(), "value") + " for " + count_of(theta->size(), "level") + " in theta");
    for (const double a : *acc)
      if (a < 0.0 || a > 1.0) p.fail(*p.get("accuracy"), "accuracy", "values must lie in [0, 1]");
    for (const double x : *tok)
      if (x < 0.0) p.fail(*p.get("tokens"), "tokens", "values must be >= 0");
    pc.accuracy = *acc;
    pc.tokens = *tok;
    p.reject_unknown({"name", "usd_per_million_tokens", "accuracy", "tokens"});
    s.providers.providers.push_back(std::move(pc));
  }
  t.reject_unknown({"theta", "inline"});
}

void read_beta(TableReader t, Scenario& s) {
  t.reject_unknown({"values", "sweep"});
  if (auto v = t.numbers("values")) {
    for (const double b : *v)
      if (b < 0.0) t.fail(*t.get("values"), "values", "must be >= 0 (beta is an inverse temperature)");
    s.beta_values = *v;
  }
  if (auto sw = t.table("sweep")) {
    BetaSweep b;
    b.from = sw->required_number("from", "the first beta of the sweep");
    b.to = sw->required_number("to", "the last beta of the sweep");
    const auto points = sw->integer("points");
    if (!points) sw->fail_missing("points", "the number of sweep points (>= 1)");
    if (*points < 1 || *points > 10'000'000) sw->fail(*sw->get("points"), "points", "must lie in 1..10000000");
    b.points = static_cast<int>(*points);
    b.logarithmic = sw->choice("spacing", {"log", "linear"}, "log") == "log";
    if (b.from < 0.0 || b.to < b.from) sw->fail(*sw->get("to"), "to", "must be >= from >= 0");
    if (b.logarithmic && b.from <= 0.0) sw->fail(*sw->get("from"), "from", "must be > 0 for a log sweep");
    sw->reject_unknown({"from", "to", "points", "spacing"});
    s.sweep = b;
  }
  t.reject_unknown({"values", "sweep"});
}

void read_dynamics(TableReader t, Scenario& s) {
  t.reject_unknown(
      {"rule", "order", "seed", "start", "tolerance", "absolute_tolerance", "max_rounds", "record_history"});
  DynamicsOptions& d = s.dynamics;
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

  const int n = static_cast<int>(s.providers.providers.size());
  const int K = static_cast<int>(s.providers.theta.size());
  if (const toml::node* start = t.get("start")) {
    if (start->is_string()) {
      const std::string v = *start->value<std::string>();
      if (v == "lowest")
        s.start = StartKind::lowest, d.start.clear();
      else if (v == "highest")
        s.start = StartKind::highest, d.start.assign(n, K - 1);
      else
        t.fail(*start, "start", "is \"" + v + "\"; valid: \"lowest\", \"highest\" or a list of level indices");
    } else if (const toml::array* a = start->as_array()) {
      s.start = StartKind::explicit_profile;
      for (const toml::node& e : *a) {
        const auto k = e.value<std::int64_t>();
        if (!e.is_integer() || *k < 0 || *k >= K)
          throw input_error(
              location(t.file(), e.source()),
              "'" + t.key_path("start") + "' entries must be level indices in 0.." + std::to_string(K - 1));
        d.start.push_back(static_cast<int>(*k));
      }
      if (static_cast<int>(d.start.size()) != n)
        t.fail(*start, "start",
               "has " + std::to_string(d.start.size()) + " entries for " + std::to_string(n) + " providers");
    } else {
      t.fail(*start, "start", "must be \"lowest\", \"highest\" or a list of level indices");
    }
  }
  t.reject_unknown(
      {"rule", "order", "seed", "start", "tolerance", "absolute_tolerance", "max_rounds", "record_history"});
}

void read_equilibria(TableReader t, Scenario& s) {
  t.reject_unknown({"enumerate", "algorithm", "tolerance", "max_profiles", "max_stored"});
  s.enumerate = t.boolean("enumerate").value_or(false);
  s.enumeration.algorithm =  // choice() has validated the name
      parse_enumeration_algorithm(t.choice("algorithm", {"structural", "exhaustive"}, "structural"), "algorithm");
  s.enumeration.relative_tolerance = t.number("tolerance", s.dynamics.relative_tolerance);
  if (s.enumeration.relative_tolerance < 0.0) t.fail(*t.get("tolerance"), "tolerance", "must be >= 0");
  if (const auto v = t.integer("max_profiles")) {
    if (*v < 1) t.fail(*t.get("max_profiles"), "max_profiles", "must be >= 1");
    s.enumeration.max_profiles = *v;
  }
  if (const auto v = t.integer("max_stored")) {
    if (*v < 0) t.fail(*t.get("max_stored"), "max_stored", "must be >= 0");
    s.enumeration.max_stored = *v;
  }
  t.reject_unknown({"enumerate", "algorithm", "tolerance", "max_profiles", "max_stored"});
}

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

//! A number (fixed) or a table {low, high, spacing = "uniform" | "log"}.
std::optional<ParameterRange> read_range(TableReader& t, const std::string& key) {
  const toml::node* n = t.get(key);
  if (!n) return std::nullopt;
  ParameterRange r;
  if (n->is_integer() || n->is_floating_point()) {
    const double v = *n->value<double>();
    if (!std::isfinite(v)) t.fail(*n, key, "must be a finite number");
    r.low = r.high = v;
    return r;
  }
  if (!n->is_table())
    t.fail(*n, key, "must be a number or a table { low = ..., high = ..., spacing = \"uniform\" | \"log\" }");
  TableReader range(*n->as_table(), t.key_path(key), t.file());
  range.reject_unknown({"low", "high", "spacing"});
  r.low = range.required_number("low", "the lower end of the range");
  r.high = range.required_number("high", "the upper end of the range");
  r.spacing = range.choice("spacing", {"uniform", "log"}, "uniform") == "log" ? Spacing::log : Spacing::uniform;
  if (r.high < r.low) range.fail(*range.get("high"), "high", "must be >= low");
  if (r.spacing == Spacing::log && !(r.low > 0.0))
    range.fail(*range.get("low"), "low", "must be > 0 with spacing = \"log\"");
  return r;
}

void read_ensemble(TableReader t, Scenario& s) {
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
      e.price_jitter.kind = JitterKind::none;
      if (j) j->reject_unknown({"kind"});
    } else if (kind == "uniform" && j) {
      e.price_jitter.kind = JitterKind::uniform;
      e.price_jitter.low = j->required_number("low", "the smallest price factor (> 0)");
      e.price_jitter.high = j->required_number("high", "the largest price factor (>= low)");
      if (!(e.price_jitter.low > 0.0)) j->fail(*j->get("low"), "low", "must be > 0 (a price factor)");
      if (e.price_jitter.high < e.price_jitter.low) j->fail(*j->get("high"), "high", "must be >= low");
      j->reject_unknown({"kind", "low", "high"});
    } else if (kind == "lognormal" && j) {
      e.price_jitter.kind = JitterKind::lognormal;
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
  if (beta->low < 0.0) t.fail(*t.get("beta"), "beta", "must be >= 0 (an inverse temperature)");
  e.beta = *beta;
  e.markup = read_range(t, "markup");
  if (e.markup && e.markup->low <= -1.0) t.fail(*t.get("markup"), "markup", "must be > -1");
  e.alpha = read_range(t, "alpha");
  if (e.alpha && e.alpha->low < 0.0) t.fail(*t.get("alpha"), "alpha", "must be >= 0 (USD per query)");
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
  s.ensemble = std::move(e);
}

}  // namespace

Scenario parse_scenario(std::string_view text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw input_error(location(origin, e.source()), "invalid TOML: " + std::string(e.description()));
  }
  const std::string base_dir = origin.empty() ? std::string() : fs::path(origin).parent_path().string();
  TableReader top(root, "", origin);
  top.reject_unknown({"format", "version", "name", "description", "market", "providers", "beta", "dynamics",
                      "equilibria", "auction", "ensemble", "output", "population"});
  Scenario s;
  s.path = origin;
  s.dynamics.order = ProviderOrder::reference;  // scenario default: the reference implementation's order

  const auto format = top.string("format");
  if (!format)
    top.fail_missing("format", std::string("every scenario starts with format = \"") + SCENARIO_FORMAT + "\"");
  if (*format != SCENARIO_FORMAT)
    top.fail(*top.get("format"), "format", "is \"" + *format + "\", expected \"" + SCENARIO_FORMAT + "\"");
  const auto version = top.integer("version");
  if (!version) top.fail_missing("version", "the scenario format version, version = 1");
  if (*version != SCENARIO_VERSION)
    top.fail(*top.get("version"), "version",
             "is " + std::to_string(*version) + "; this ttcgames reads version " + std::to_string(SCENARIO_VERSION));
  const auto name = top.string("name");
  if (!name) top.fail_missing("name", "a short scenario name such as \"gsm8k-majority\"");
  if (!is_valid_name(*name)) top.fail(*top.get("name"), "name", std::string("must use ") + name_rule());
  s.name = *name;
  s.description = top.string("description").value_or("");

  auto market = top.table("market");
  if (!market) top.fail_missing("market", "a [market] table with at least alpha");
  read_market(*market, s);
  auto providers = top.table("providers");
  if (!providers) top.fail_missing("providers", "a [providers] table (curves + prices, or inline providers)");
  read_providers(*providers, s, base_dir);
  // [beta] is required unless the scenario is an ensemble or a population (whose users carry their own beta).
  const bool has_ensemble = top.has("ensemble");
  auto beta = top.table("beta");
  if (!beta && !has_ensemble && !top.has("population"))
    top.fail_missing("beta", "a [beta] table with values = [...] and/or sweep = {from, to, points} (or an [ensemble])");
  if (beta) read_beta(*beta, s);
  if (beta && s.betas().empty()) top.fail(*top.get("beta"), "beta", "gives no beta values");
  if (auto d = top.table("dynamics")) read_dynamics(*d, s);
  s.enumeration.relative_tolerance = s.dynamics.relative_tolerance;
  if (auto e = top.table("equilibria")) read_equilibria(*e, s);
  if (auto a = top.table("auction")) {
    s.reserve =
        a->choice("reserve", {"none", "outside-option"}, "none") == "none" ? Reserve::none : Reserve::outside_option;
    a->reject_unknown({"reserve"});
  }
  if (auto e = top.table("ensemble")) read_ensemble(*e, s);
  if (auto o = top.table("output")) {
    s.output = o->string("path").value_or("");
    o->reject_unknown({"path"});
  }
  if (auto p = top.table("population")) s.population = read_population_section(*p, s, base_dir);
  top.reject_unknown({"format", "version", "name", "description", "market", "providers", "beta", "dynamics",
                      "equilibria", "auction", "ensemble", "output", "population"});

  // Validate the market itself now, so that errors point at the scenario.
  try {
    build_market_table(s.providers, s.market);
    if (s.enumerate && s.has_market())
      check_enumeration_limits(static_cast<int>(s.providers.providers.size()),
                               static_cast<int>(s.providers.theta.size()), s.enumeration);
    if (s.ensemble) make_ensemble_problem(s);
  } catch (const InputError& e) {
    throw InputError(origin + ": " + e.what());
  }
  return s;
}

Scenario load_scenario(const std::string& path) {
  // Standard input ("-") is named "<stdin>" in messages; its relative paths resolve against the working directory.
  return parse_scenario(io::read_text_file(path, "scenario file"), path == io::STDIN_NAME ? "<stdin>" : path);
}

namespace {

toml::table range_toml(const ParameterRange& r) {
  toml::table t;
  t.insert("low", r.low);
  t.insert("high", r.high);
  t.insert("spacing", r.spacing == Spacing::log ? "log" : "uniform");
  return t;
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
    case JitterKind::none:
      j.insert("kind", "none");
      break;
    case JitterKind::uniform:
      j.insert("kind", "uniform");
      j.insert("low", e.price_jitter.low);
      j.insert("high", e.price_jitter.high);
      break;
    case JitterKind::lognormal:
      j.insert("kind", "lognormal");
      j.insert("sigma", e.price_jitter.sigma);
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

}  // namespace

std::vector<std::pair<std::string, std::string>> Scenario::input_files() const {
  std::vector<std::pair<std::string, std::string>> files;
  const auto add = [&](const std::string& file, const char* role) {
    if (!file.empty()) files.emplace_back(file, role);
  };
  add(path, "scenario");
  add(source.curves, "curves CSV");
  add(source.prices, "prices CSV");
  if (source.runlogs) {
    for (const std::string& f : source.runlogs->files) add(f, "run log");
    add(source.runlogs->mapping, "field mapping");
  }
  if (population)
    for (const BenchmarkSpec& b : population->benchmarks)
      add(b.file, b.source == QuerySourceKind::questions ? "questions file" : "benchmark curves CSV");
  return files;
}

std::string Scenario::resolved_toml() const {
  toml::table root;
  root.insert("format", SCENARIO_FORMAT);
  root.insert("version", SCENARIO_VERSION);
  root.insert("name", name);
  if (!description.empty()) root.insert("description", description);

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
  root.insert("market", std::move(m));

  toml::table p;
  if (source.runlogs) {
    const RunLogCurvesSource& r = *source.runlogs;
    toml::array files;
    for (const std::string& f : r.files) files.push_back(fs::absolute(f).lexically_normal().string());
    p.insert("runlogs", std::move(files));
    p.insert("method", r.method);
    if (!r.mapping.empty()) p.insert("mapping", fs::absolute(r.mapping).lexically_normal().string());
    p.insert("estimator", r.estimator);
    p.insert("permutations", r.permutations);
    p.insert("seed", static_cast<std::int64_t>(r.seed));
    if (!r.theta.empty()) {
      toml::array theta;
      for (const int t : r.theta) theta.push_back(t);
      p.insert("theta", std::move(theta));
    }
    p.insert("jitter", r.jitter);
    p.insert("strict", r.strict);
    p.insert("prices", fs::absolute(source.prices).lexically_normal().string());
    toml::array models;
    for (const auto& pc : providers.providers) models.push_back(pc.name);
    p.insert("models", std::move(models));
  } else if (!source.curves.empty()) {
    p.insert("curves", fs::absolute(source.curves).lexically_normal().string());  // re-runnable from anywhere
    p.insert("prices", fs::absolute(source.prices).lexically_normal().string());
    toml::array models;
    for (const auto& pc : providers.providers) models.push_back(pc.name);
    p.insert("models", std::move(models));
  } else {
    toml::array theta;
    for (const double t : providers.theta) theta.push_back(t);
    p.insert("theta", std::move(theta));
    toml::array list;
    for (const auto& pc : providers.providers) {
      toml::table e;
      e.insert("name", pc.name);
      e.insert("usd_per_million_tokens", pc.usd_per_million_tokens);
      toml::array acc, tok;
      for (const double a : pc.accuracy) acc.push_back(a);
      for (const double x : pc.tokens) tok.push_back(x);
      e.insert("accuracy", std::move(acc));
      e.insert("tokens", std::move(tok));
      list.push_back(std::move(e));
    }
    p.insert("inline", std::move(list));
  }
  root.insert("providers", std::move(p));

  toml::table b;
  toml::array values;
  for (const double v : beta_values) values.push_back(v);
  b.insert("values", std::move(values));
  if (sweep) {
    toml::table sw;
    sw.insert("from", sweep->from);
    sw.insert("to", sweep->to);
    sw.insert("points", sweep->points);
    sw.insert("spacing", sweep->logarithmic ? "log" : "linear");
    b.insert("sweep", std::move(sw));
  }
  if (has_market()) root.insert("beta", std::move(b));  // an ensemble or a population alone has no [beta]

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
  root.insert("dynamics", std::move(d));

  toml::table e;
  e.insert("enumerate", enumerate);
  e.insert("algorithm", to_string(enumeration.algorithm));
  e.insert("tolerance", enumeration.relative_tolerance);
  e.insert("max_profiles", enumeration.max_profiles);
  e.insert("max_stored", enumeration.max_stored);
  root.insert("equilibria", std::move(e));

  toml::table a;
  a.insert("reserve", to_string(reserve));
  root.insert("auction", std::move(a));
  if (ensemble) root.insert("ensemble", ensemble_toml(*ensemble));
  if (!output.empty()) {
    toml::table o;
    o.insert("path", output);
    root.insert("output", std::move(o));
  }
  if (population) root.insert("population", population_toml(*population));
  std::ostringstream out;
  out << root << '\n';
  return out.str();
}

}  // namespace ttcg
