#include "ttcgames/job.hpp"

#include <sstream>

#include "ttcgames/error.hpp"
#include "ttcgames/results.hpp"
#include "ttcgames/version.hpp"

namespace ttcg {

namespace {

void put_profile(ArchiveWriter& w, const Profile& p) {
  w.put(std::vector<std::int32_t>(p.begin(), p.end()));
}
Profile get_profile(ArchiveReader& r) {
  const auto v = r.get_vector<std::int32_t>();
  return Profile(v.begin(), v.end());
}

}  // namespace

Bytes encode_beta_result(const BetaResult& b) {
  ArchiveWriter w;
  w.put(b.beta);
  const DynamicsResult& d = b.dynamics;
  put_profile(w, d.profile);
  w.put<std::int32_t>(d.rounds);
  w.put<std::int64_t>(d.turns);
  w.put<std::int64_t>(d.moves);
  w.put<std::uint8_t>(d.converged);
  w.put<std::uint64_t>(d.history.size());
  for (const Profile& p : d.history) put_profile(w, p);
  w.put(d.potential);
  w.put(b.welfare);
  w.put(b.shares);
  w.put(b.outside_share);
  w.put(b.potential);
  w.put(b.certificate.max_regret);
  w.put(b.certificate.max_relative_regret);
  w.put<std::int32_t>(b.certificate.worst_provider);
  put_profile(w, b.optimum.profile);
  w.put(b.optimum.welfare);
  w.put<std::int32_t>(b.optimum.iterations);
  w.put<std::int64_t>(b.optimum.profiles_evaluated);
  w.put(b.optimum.gap);
  w.put(b.price_of_anarchy);
  const MarketStats& s = b.stats;
  for (const double v :
       {s.weighted_value, s.mean_value, s.weighted_price, s.mean_price, s.weighted_utility, s.mean_utility})
    w.put(v);
  w.put<std::uint8_t>(b.equilibria.has_value());
  if (b.equilibria) {
    const EquilibriumSet& e = *b.equilibria;
    w.put<std::int64_t>(e.count);
    w.put(e.indices);
    w.put(e.worst_welfare);
    w.put(e.best_welfare);
    w.put<std::int64_t>(e.worst_index);
    w.put<std::int64_t>(e.best_index);
    w.put<std::int64_t>(e.profiles);
  }
  return w.take();
}

BetaResult decode_beta_result(const Bytes& bytes) {
  ArchiveReader r(bytes, "market work unit");
  BetaResult b;
  b.beta = r.get<double>();
  DynamicsResult& d = b.dynamics;
  d.profile = get_profile(r);
  d.rounds = r.get<std::int32_t>();
  d.turns = r.get<std::int64_t>();
  d.moves = r.get<std::int64_t>();
  d.converged = r.get<std::uint8_t>() != 0;
  const auto history = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < history; ++i) d.history.push_back(get_profile(r));
  d.potential = r.get_vector<double>();
  b.welfare = r.get<double>();
  b.shares = r.get_vector<double>();
  b.outside_share = r.get<double>();
  b.potential = r.get<double>();
  b.certificate.max_regret = r.get<double>();
  b.certificate.max_relative_regret = r.get<double>();
  b.certificate.worst_provider = r.get<std::int32_t>();
  b.optimum.profile = get_profile(r);
  b.optimum.welfare = r.get<double>();
  b.optimum.iterations = r.get<std::int32_t>();
  b.optimum.profiles_evaluated = r.get<std::int64_t>();
  b.optimum.gap = r.get<double>();
  b.price_of_anarchy = r.get<double>();
  MarketStats& s = b.stats;
  for (double* v :
       {&s.weighted_value, &s.mean_value, &s.weighted_price, &s.mean_price, &s.weighted_utility, &s.mean_utility})
    *v = r.get<double>();
  if (r.get<std::uint8_t>() != 0) {
    EquilibriumSet e;
    e.count = r.get<std::int64_t>();
    e.indices = r.get_vector<std::int64_t>();
    e.worst_welfare = r.get<double>();
    e.best_welfare = r.get<double>();
    e.worst_index = r.get<std::int64_t>();
    e.best_index = r.get<std::int64_t>();
    e.profiles = r.get<std::int64_t>();
    b.equilibria = std::move(e);
  }
  r.finish();
  return b;
}

MarketJob::MarketJob(std::vector<Scenario> scenarios, const JobOptions& options)
    : scenarios_(std::move(scenarios)), options_(options) {
  for (std::size_t s = 0; s < scenarios_.size(); ++s) {
    const Scenario& sc = scenarios_[s];
    for (std::size_t t = 0; t < s; ++t)
      if (scenarios_[t].name == sc.name)
        throw InputError("two scenarios are named '" + sc.name + "' (" + scenarios_[t].path + ", " + sc.path +
                         "): names must be unique within a run");
    tables_.push_back(build_market_table(sc.providers, sc.market));
    betas_.push_back(options.betas ? *options.betas : sc.betas());
    enumerate_.push_back(options.enumerate.value_or(sc.enumerate));
    if (enumerate_.back()) check_enumeration_limits(tables_.back().n, tables_.back().K, sc.enumeration);
    for (std::size_t j = 0; j < betas_.back().size(); ++j) units_.push_back(Unit{s, j});
  }
}

Bytes MarketJob::compute(std::uint64_t unit) const {
  const Unit& u = units_.at(unit);
  const Scenario& s = scenarios_[u.scenario];
  // A CPU enumeration inside a concurrently running unit gets one thread (nested parallelism is off); units
  // then keep every core busy. A GPU enumeration runs one unit at a time (see work()).
  return encode_beta_result(
      solve_market_unit(tables_[u.scenario], betas_[u.scenario][u.beta], s, enumerate_[u.scenario], options_.backend));
}

UnitWork MarketJob::work() const {
  UnitWork w;
  w.count = units();
  w.compute = [this](std::uint64_t u) { return compute(u); };
  bool gpu_enumeration = false;
  for (const bool e : enumerate_) gpu_enumeration = gpu_enumeration || (e && options_.backend == Backend::cuda);
  w.parallelism = gpu_enumeration ? UnitParallelism::within_unit : UnitParallelism::across_units;
  return w;
}

std::vector<ScenarioResult> MarketJob::assemble(const std::vector<Bytes>& results, double seconds) const {
  if (results.size() != units_.size())
    throw std::logic_error("MarketJob::assemble: " + std::to_string(results.size()) + " results for " +
                           std::to_string(units_.size()) + " units");
  std::vector<ScenarioResult> out(scenarios_.size());
  for (std::size_t s = 0; s < scenarios_.size(); ++s) {
    out[s].scenario = scenarios_[s];
    out[s].table = tables_[s];
    out[s].backend = options_.backend;
    out[s].betas.resize(betas_[s].size());
    out[s].auction = run_auction(tables_[s], scenarios_[s].reserve);
    out[s].seconds = seconds;
  }
  for (std::size_t u = 0; u < units_.size(); ++u)
    out[units_[u].scenario].betas[units_[u].beta] = decode_beta_result(results[u]);
  return out;
}

std::string MarketJob::fingerprint() const {
  std::ostringstream f;
  f << "ttcgames " << VERSION << " results " << RESULTS_FORMAT_MAJOR << "." << RESULTS_FORMAT_MINOR << "\nbackend "
    << to_string(options_.backend) << "\nenumerate ";
  f << (options_.enumerate ? (*options_.enumerate ? "on" : "off") : "scenario") << "\nbetas ";
  if (options_.betas) {
    f.precision(17);
    for (const double b : *options_.betas) f << b << " ";
  } else {
    f << "scenario";
  }
  std::vector<const Scenario*> all;
  for (const Scenario& s : scenarios_) all.push_back(&s);
  f << "\n" << combined_scenario_toml(all);
  return f.str();
}

}  // namespace ttcg
