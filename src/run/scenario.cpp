#include "ttcgames/run/scenario.hpp"
#include "ttcgames/run/ensemble_stage.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/names.hpp"
#include "ttcgames/ensemble/ensemble_scenario.hpp"
#include "ttcgames/inference/curves.hpp"
#include "ttcgames/inference/curves_io.hpp"
#include "ttcgames/io/text_file.hpp"
#include "ttcgames/io/toml_reader.hpp"
#include "ttcgames/market/market_scenario.hpp"
#include "ttcgames/population/population_scenario.hpp"

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
  try {  // the run logs are read here, once: the curves and per-question tables go with the scenario
    if (prices_table.empty()) throw InputError("run logs: a prices table is needed to price the providers");
    s.source.runlog_curves = std::make_shared<const MethodCurves>(curves_from_runlogs(r, s.source.models));
    s.providers = to_provider_set(*s.source.runlog_curves, prices_table);
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

//! The overrides written into the parsed file (see ScenarioOverrides for which sections are created).
void apply_overrides(toml::table& root, const ScenarioOverrides& o) {
  const auto section = [&](const char* name, bool create) -> toml::table* {
    if (create && !root.contains(name)) root.insert(name, toml::table{});
    return root[name].as_table();  // nullptr when absent, or not a table (the parser reports that)
  };
  const auto set = [](toml::table* t, const char* key, const auto& value) {
    if (t) t->insert_or_assign(key, value);
  };
  if (o.seed) {
    set(section("dynamics", true), "seed", *o.seed);
    set(section("ensemble", false), "seed", *o.seed);
    set(section("population", false), "seed", *o.seed);
  }
  if (o.algorithm) set(section("equilibria", true), "algorithm", *o.algorithm);
  if (o.reserve) set(section("auction", true), "reserve", *o.reserve);
  if (o.ensemble_enumerate) set(section("ensemble", false), "enumerate", *o.ensemble_enumerate);
  if (o.ensemble_markets) set(section("ensemble", false), "markets", *o.ensemble_markets);
  if (o.population_users) set(section("population", false), "users", *o.population_users);
  if (o.population_replicates) set(section("population", false), "replicates", *o.population_replicates);
}

}  // namespace

Scenario parse_scenario(std::string_view text, const std::string& origin, const ScenarioOverrides& overrides) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw input_error(location(origin, e.source()), "invalid TOML: " + std::string(e.description()));
  }
  apply_overrides(root, overrides);
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
  read_market_section(*market, s.market);
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
  if (auto d = top.table("dynamics"))
    read_dynamics_section(*d, static_cast<int>(s.providers.providers.size()),
                          static_cast<int>(s.providers.theta.size()), s.dynamics, s.start);
  s.enumeration.relative_tolerance = s.dynamics.relative_tolerance;
  if (auto e = top.table("equilibria"))
    read_equilibria_section(*e, s.dynamics.relative_tolerance, s.enumerate, s.enumeration);
  if (auto a = top.table("auction")) {
    s.reserve =
        a->choice("reserve", {"none", "outside-option"}, "none") == "none" ? Reserve::none : Reserve::outside_option;
    a->reject_unknown({"reserve"});
  }
  if (auto e = top.table("ensemble")) s.ensemble = read_ensemble_section(*e);
  if (auto o = top.table("output")) {
    s.output = o->string("path").value_or("");
    o->reject_unknown({"path"});
  }
  if (auto p = top.table("population"))
    s.population = read_population_section(*p, ScenarioContext{s.market, s.providers, s.source}, base_dir);
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

Scenario load_scenario(const std::string& path, const ScenarioOverrides& overrides) {
  // Standard input ("-") is named "<stdin>" in messages; its relative paths resolve against the working directory.
  return parse_scenario(io::read_text_file(path, "scenario file"), path == io::STDIN_NAME ? "<stdin>" : path,
                        overrides);
}

namespace {}  // namespace

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

  root.insert("market", market_toml(market));

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

  root.insert("dynamics", dynamics_toml(dynamics, start));

  root.insert("equilibria", equilibria_toml(enumerate, enumeration));

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
