#include "ttcgames/population/population_scenario.hpp"

#include <cmath>
#include <filesystem>
#include <set>

#include "ttcgames/core/error.hpp"
#include "ttcgames/population/population.hpp"

namespace ttcg {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> POPULATION_KEYS = {
    "users", "replicates", "seed",    "block_size",      "value_scale",    "beta",
    "v0",    "benchmarks", "optimum", "max_enumeration", "histogram_bins", "realize"};
const std::vector<std::string> BENCHMARK_KEYS = {"name",      "weight",  "alpha",  "curves",
                                                 "questions", "dataset", "method", "runlogs"};

std::string resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute() || base_dir.empty()) return p;
  return (fs::path(base_dir) / p).lexically_normal().string();
}

//! What values a distributed quantity may take.
struct Domain {
  const char* what;  //!< e.g. "beta (1/USD)"
  bool nonnegative;  //!< values must be ≥ 0
};

void check_value(TableReader& t, const toml::node& node, const std::string& key, double v, const Domain& d) {
  if (d.nonnegative && v < 0.0) t.fail(node, key, std::string("must be >= 0: ") + d.what + " cannot be negative");
}

//! A number (fixed) or a table {kind = "fixed" | "lognormal" | "uniform" | "log_uniform" | "empirical", ...}.
dist::Distribution read_distribution(TableReader& t, const std::string& key, const dist::Distribution& fallback,
                                     const Domain& domain) {
  const toml::node* node = t.get(key);
  if (!node) return fallback;
  if (node->is_integer() || node->is_floating_point()) {
    const double v = *node->value<double>();
    if (!std::isfinite(v)) t.fail(*node, key, "must be a finite number");
    check_value(t, *node, key, v, domain);
    return dist::Distribution::fixed_value(v);
  }
  if (!node->is_table())
    t.fail(*node, key,
           "must be a number or a distribution table, e.g. { kind = \"lognormal\", median = 1000.0, sigma = 0.5 }");
  TableReader d(*node->as_table(), t.key_path(key), t.file());
  const std::string kind = d.choice("kind", {"fixed", "lognormal", "uniform", "log_uniform", "empirical"}, "");
  dist::Distribution out;
  if (kind.empty())
    d.fail_missing("kind", "the distribution: \"fixed\", \"lognormal\", \"uniform\", \"log_uniform\" or \"empirical\"");
  if (kind == "fixed") {
    d.reject_unknown({"kind", "value"});
    out.kind = dist::DistributionKind::fixed;
    out.value = d.required_number("value", "the fixed value");
    check_value(d, *d.get("value"), "value", out.value, domain);
  } else if (kind == "lognormal") {
    d.reject_unknown({"kind", "median", "mu", "sigma"});
    out.kind = dist::DistributionKind::lognormal;
    const bool has_median = d.has("median"), has_mu = d.has("mu");
    if (has_median == has_mu)
      (has_median ? d.fail(*d.get("mu"), "mu", "cannot be given with median: give one of median (> 0) or mu")
                  : d.fail_missing("median", "the lognormal's median e^mu (> 0), or its log-scale location mu"));
    if (has_median) {
      const double median = d.required_number("median", "the median");
      if (!(median > 0.0)) d.fail(*d.get("median"), "median", "must be > 0");
      out.mu = std::log(median);
    } else {
      out.mu = d.required_number("mu", "the log-scale location");
    }
    out.sigma = d.required_number("sigma", "the log-scale standard deviation sigma (>= 0)");
    if (out.sigma < 0.0) d.fail(*d.get("sigma"), "sigma", "must be >= 0");
  } else if (kind == "uniform" || kind == "log_uniform") {
    d.reject_unknown({"kind", "low", "high"});
    out.kind = kind == "uniform" ? dist::DistributionKind::uniform : dist::DistributionKind::log_uniform;
    out.low = d.required_number("low", "the lower end of [low, high)");
    out.high = d.required_number("high", "the upper end of [low, high)");
    check_value(d, *d.get("low"), "low", out.low, domain);
    if (kind == "log_uniform" && !(out.low > 0.0)) d.fail(*d.get("low"), "low", "must be > 0 for a log-uniform");
    if (!(out.high > out.low)) d.fail(*d.get("high"), "high", "must be > low");
  } else {
    d.reject_unknown({"kind", "values", "weights"});
    out.kind = dist::DistributionKind::empirical;
    const auto values = d.numbers("values");
    if (!values || values->empty()) d.fail_missing("values", "a non-empty list of values");
    for (const double v : *values) check_value(d, *d.get("values"), "values", v, domain);
    out.values = *values;
    if (const auto weights = d.numbers("weights")) {
      if (weights->size() != values->size())
        d.fail(*d.get("weights"), "weights",
               "has " + std::to_string(weights->size()) + " entries for " + std::to_string(values->size()) + " values");
      double total = 0.0;
      for (const double w : *weights) {
        if (w < 0.0) d.fail(*d.get("weights"), "weights", "must be >= 0");
        total += w;
      }
      if (!(total > 0.0)) d.fail(*d.get("weights"), "weights", "must not all be 0");
      out.weights = *weights;
    }
  }
  return out;
}

toml::table distribution_toml(const dist::Distribution& d) {
  toml::table t;
  t.insert("kind", dist::to_string(d.kind));
  switch (d.kind) {
    case dist::DistributionKind::fixed:
      t.insert("value", d.value);
      break;
    case dist::DistributionKind::lognormal:
      t.insert("mu", d.mu);
      t.insert("sigma", d.sigma);
      break;
    case dist::DistributionKind::uniform:
    case dist::DistributionKind::log_uniform:
      t.insert("low", d.low);
      t.insert("high", d.high);
      break;
    case dist::DistributionKind::empirical: {
      toml::array values, weights;
      for (const double v : d.values) values.push_back(v);
      for (const double w : d.weights) weights.push_back(w);
      t.insert("values", std::move(values));
      if (!d.weights.empty()) t.insert("weights", std::move(weights));
      break;
    }
  }
  return t;
}

std::int64_t read_count(TableReader& t, const std::string& key, std::int64_t fallback, std::int64_t lo,
                        std::int64_t hi) {
  const auto v = t.integer(key);
  if (!v) return fallback;
  if (*v < lo || *v > hi) t.fail(*t.get(key), key, "must lie in " + std::to_string(lo) + ".." + std::to_string(hi));
  return *v;
}

}  // namespace

PopulationSpec read_population_section(TableReader t, const ScenarioContext& s, const std::string& base_dir) {
  t.reject_unknown(POPULATION_KEYS);
  PopulationSpec p;
  p.users = read_count(t, "users", p.users, 1, POPULATION_MAX_USERS);
  p.replicates = read_count(t, "replicates", p.replicates, 1, POPULATION_MAX_REPLICATES);
  p.seed = static_cast<std::uint64_t>(read_count(t, "seed", 0, 0, INT64_MAX));
  p.block_size = read_count(t, "block_size", p.block_size, 1, std::int64_t{1} << 30);
  p.value_scale = read_distribution(t, "value_scale", p.value_scale, {"value_scale (a multiplier of alpha)", true});
  if (!t.has("beta"))
    t.fail_missing("beta",
                   "the users' rationality in 1/USD: a number or a distribution, e.g. beta = 1000.0 or "
                   "beta = { kind = \"lognormal\", median = 1000.0, sigma = 0.5 }");
  p.beta = read_distribution(t, "beta", p.beta, {"beta (1/USD)", true});
  p.v0 = read_distribution(t, "v0", dist::Distribution::fixed_value(s.market.v0), {"v0 (USD)", false});
  const std::string optimum = t.choice("optimum", {"auto", "enumeration", "local-search"}, "auto");
  p.optimum = optimum == "auto"          ? OptimumMethod::automatic
              : optimum == "enumeration" ? OptimumMethod::enumeration
                                         : OptimumMethod::local_search;
  p.max_enumeration = t.number("max_enumeration", p.max_enumeration);
  if (p.max_enumeration < 0.0) t.fail(*t.get("max_enumeration"), "max_enumeration", "must be >= 0");
  p.histogram_bins = static_cast<int>(read_count(t, "histogram_bins", p.histogram_bins, 1, 1'000'000));
  p.realize = t.boolean("realize").value_or(true);

  if (const toml::node* list = t.get("benchmarks")) {
    const toml::array* arr = list->as_array();
    if (!arr || !arr->is_array_of_tables() || arr->empty())
      t.fail(*list, "benchmarks",
             "must be an array of tables [[population.benchmarks]] with name, weight, alpha and a query source "
             "(questions = \"curves.h5\" with dataset and method, or curves = \"file.csv\")");
    std::set<std::string> names;
    for (const toml::node& e : *arr) {
      TableReader b(*e.as_table(), t.key_path("benchmarks"), t.file());
      b.reject_unknown(BENCHMARK_KEYS);
      BenchmarkSpec spec;
      const auto name = b.string("name");
      if (!name || name->empty()) b.fail_missing("name", "each benchmark needs a name");
      spec.name = *name;
      if (!names.insert(spec.name).second) b.fail(*b.get("name"), "name", "repeats benchmark '" + spec.name + "'");
      spec.weight = b.number("weight", 1.0);
      if (!(spec.weight >= 0.0)) b.fail(*b.get("weight"), "weight", "must be >= 0");
      spec.alpha = b.number("alpha", s.market.alpha);
      if (spec.alpha < 0.0) b.fail(*b.get("alpha"), "alpha", "must be >= 0 (USD per query)");
      const bool questions = b.has("questions"), curves = b.has("curves");
      const bool runlogs = b.boolean("runlogs").value_or(false);
      if (questions && curves)
        b.fail(*b.get("curves"), "curves",
               "cannot be combined with questions: a benchmark takes per-question tables (questions = \"curves.h5\") "
               "or average curves (curves = \"file.csv\"), not both");
      if (runlogs && (questions || curves))
        b.fail(*b.get("runlogs"), "runlogs",
               "cannot be combined with questions or curves: runlogs = true takes the questions of the providers' "
               "run logs");
      if (runlogs && !s.source.runlogs)
        b.fail(*b.get("runlogs"), "runlogs",
               "needs providers from run logs ([providers] runlogs = [...]) to take their per-question tables");
      if (questions) {
        spec.source = QuerySourceKind::questions;
        spec.file = resolve(base_dir, *b.string("questions"));
        const auto dataset = b.string("dataset"), method = b.string("method");
        if (!dataset) b.fail_missing("dataset", "the curves file's dataset group, /curves/<dataset>/<method>");
        if (!method) b.fail_missing("method", "the method group, e.g. \"majority\", /curves/<dataset>/<method>");
        spec.dataset = *dataset;
        spec.method = *method;
      } else {
        if (b.has("dataset") || b.has("method"))
          b.fail(*b.get(b.has("dataset") ? "dataset" : "method"), b.has("dataset") ? "dataset" : "method",
                 "belongs to per-question tables: give questions = \"curves.h5\" too");
        if (curves) {
          spec.source = QuerySourceKind::curves;
          spec.file = resolve(base_dir, *b.string("curves"));
        } else if (runlogs) {
          spec.source = QuerySourceKind::runlogs;
        } else {
          spec.source = QuerySourceKind::providers;
        }
      }
      b.reject_unknown(BENCHMARK_KEYS);
      p.benchmarks.push_back(spec);
    }
    double total = 0.0;
    for (const BenchmarkSpec& b : p.benchmarks) total += b.weight;
    if (!(total > 0.0)) t.fail(*list, "benchmarks", "the weights must not all be 0");
  }
  t.reject_unknown(POPULATION_KEYS);

  // Open the query sources now, so that a missing model or an empty intersection points at the scenario.
  try {
    build_query_tables(p, s.providers, s.market, s.source.runlog_curves.get());
  } catch (const InputError& e) {
    if (t.has("benchmarks")) t.fail(*t.get("benchmarks"), "benchmarks", std::string("cannot be used: ") + e.what());
    throw;
  }
  return p;
}

toml::table population_toml(const PopulationSpec& p) {
  toml::table t;
  t.insert("users", p.users);
  t.insert("replicates", p.replicates);
  t.insert("seed", static_cast<std::int64_t>(p.seed));
  t.insert("block_size", p.block_size);
  t.insert("value_scale", distribution_toml(p.value_scale));
  t.insert("beta", distribution_toml(p.beta));
  t.insert("v0", distribution_toml(p.v0));
  t.insert("optimum", to_string(p.optimum));
  t.insert("max_enumeration", p.max_enumeration);
  t.insert("histogram_bins", p.histogram_bins);
  t.insert("realize", p.realize);
  toml::array benchmarks;
  for (const BenchmarkSpec& b : p.benchmarks) {
    toml::table e;
    e.insert("name", b.name);
    e.insert("weight", b.weight);
    e.insert("alpha", b.alpha);
    if (b.source == QuerySourceKind::questions) {
      e.insert("questions", fs::absolute(b.file).lexically_normal().string());
      e.insert("dataset", b.dataset);
      e.insert("method", b.method);
    } else if (b.source == QuerySourceKind::curves) {
      e.insert("curves", fs::absolute(b.file).lexically_normal().string());
    } else if (b.source == QuerySourceKind::runlogs) {
      e.insert("runlogs", true);
    }
    benchmarks.push_back(std::move(e));
  }
  if (!benchmarks.empty()) t.insert("benchmarks", std::move(benchmarks));
  return t;
}

}  // namespace ttcg
