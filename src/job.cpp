#include "ttcgames/job.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "ttcgames/population_results.hpp"

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

void put_dynamics(ArchiveWriter& w, const DynamicsResult& d) {
  put_profile(w, d.profile);
  w.put<std::int32_t>(d.rounds);
  w.put<std::int64_t>(d.turns);
  w.put<std::int64_t>(d.moves);
  w.put<std::uint8_t>(d.converged);
  w.put<std::uint64_t>(d.history.size());
  for (const Profile& p : d.history) put_profile(w, p);
  w.put(d.potential);
}
DynamicsResult get_dynamics(ArchiveReader& r) {
  DynamicsResult d;
  d.profile = get_profile(r);
  d.rounds = r.get<std::int32_t>();
  d.turns = r.get<std::int64_t>();
  d.moves = r.get<std::int64_t>();
  d.converged = r.get<std::uint8_t>() != 0;
  const auto history = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < history; ++i) d.history.push_back(get_profile(r));
  d.potential = r.get_vector<double>();
  return d;
}

void put_certificate(ArchiveWriter& w, const Certificate& c) {
  w.put(c.max_regret);
  w.put(c.max_relative_regret);
  w.put<std::int32_t>(c.worst_provider);
}
Certificate get_certificate(ArchiveReader& r) {
  Certificate c;
  c.max_regret = r.get<double>();
  c.max_relative_regret = r.get<double>();
  c.worst_provider = r.get<std::int32_t>();
  return c;
}

//! Checks of a decoded unit result against what its unit must hold (InputError "what: ...").
class UnitCheck {
 public:
  UnitCheck(std::string what, int n, int K) : what_(std::move(what)), n_(n), K_(K) {}

  [[noreturn]] void fail(const std::string& message) const { throw InputError(what_ + ": " + message); }
  void size(std::size_t found, std::size_t expected, const char* name) const {
    if (found != expected)
      fail(std::string(name) + " has " + std::to_string(found) + " values, expected " + std::to_string(expected));
  }
  //! A profile of the unit's market: n levels in [0, K).
  void profile(const Profile& p, const char* name) const {
    size(p.size(), static_cast<std::size_t>(n_), name);
    for (const int k : p)
      if (k < 0 || k >= K_)
        fail(std::string(name) + " holds level " + std::to_string(k) + ", outside [0, " + std::to_string(K_) + ")");
  }
  void dynamics(const DynamicsResult& d) const {
    profile(d.profile, "the reached profile");
    for (const Profile& p : d.history) profile(p, "a history profile");
    size(d.potential.size(), d.history.size(), "the history's potential");
  }
  void certificate(const Certificate& c) const {
    if (c.worst_provider < -1 || c.worst_provider >= n_)
      fail("the certificate names provider " + std::to_string(c.worst_provider) + " of " + std::to_string(n_));
  }
  int n() const { return n_; }
  int K() const { return K_; }

 private:
  std::string what_;
  int n_, K_;
};

//! K^n when it fits in int64, else -1.
std::int64_t profile_count(int n, int K) {
  std::int64_t count = 1;
  for (int i = 0; i < n; ++i) {
    if (count > std::numeric_limits<std::int64_t>::max() / K) return -1;
    count *= K;
  }
  return count;
}

void check_beta_result(const BetaResult& b, const UnitCheck& check, double beta, bool enumerated) {
  if (std::memcmp(&b.beta, &beta, sizeof beta) != 0) {
    std::ostringstream m;
    m.precision(17);
    m << "holds beta = " << b.beta << ", expected " << beta << " (a result of another unit)";
    check.fail(m.str());
  }
  check.dynamics(b.dynamics);
  check.size(b.shares.size(), static_cast<std::size_t>(check.n()), "the shares");
  check.certificate(b.certificate);
  check.profile(b.optimum.profile, "the optimal profile");
  if (b.equilibria.has_value() != enumerated)
    check.fail(enumerated ? "has no enumeration, expected one" : "has an enumeration, expected none");
  if (!b.equilibria) return;
  const EquilibriumSet& e = *b.equilibria;
  const std::int64_t profiles = profile_count(check.n(), check.K());
  const auto index_ok = [&](std::int64_t i, std::int64_t lowest) {
    return i >= lowest && (profiles < 0 || i < profiles);
  };
  if (e.count < 0 || static_cast<std::uint64_t>(e.count) < e.indices.size())
    check.fail("counts " + std::to_string(e.count) + " equilibria but stores " + std::to_string(e.indices.size()));
  for (const std::int64_t i : e.indices)
    if (!index_ok(i, 0)) check.fail("stores equilibrium index " + std::to_string(i) + ", not a profile index");
  if (!index_ok(e.worst_index, -1) || !index_ok(e.best_index, -1))
    check.fail("names the worst/best equilibrium by index " + std::to_string(e.worst_index) + "/" +
               std::to_string(e.best_index) + ", not a profile index");
}

}  // namespace

Bytes encode_beta_result(const BetaResult& b) {
  ArchiveWriter w;
  w.put(b.beta);
  put_dynamics(w, b.dynamics);
  w.put(b.welfare);
  w.put(b.shares);
  w.put(b.outside_share);
  w.put(b.potential);
  put_certificate(w, b.certificate);
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

BetaResult decode_beta_result(const Bytes& bytes, const std::string& what, int n, int K, double beta, bool enumerated) {
  ArchiveReader r(bytes, what);
  BetaResult b;
  b.beta = r.get<double>();
  b.dynamics = get_dynamics(r);
  b.welfare = r.get<double>();
  b.shares = r.get_vector<double>();
  b.outside_share = r.get<double>();
  b.potential = r.get<double>();
  b.certificate = get_certificate(r);
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
  check_beta_result(b, UnitCheck(what, n, K), beta, enumerated);
  return b;
}

Bytes encode_replicate_result(const ReplicateResult& x) {
  ArchiveWriter w;
  w.put<std::int64_t>(x.replicate);
  put_dynamics(w, x.dynamics);
  put_certificate(w, x.certificate);
  const Demand& d = x.demand;
  w.put(d.shares);
  w.put(d.outside_share);
  w.put(d.profit);
  w.put(d.welfare);
  w.put(d.weighted_value);
  w.put(d.weighted_price);
  w.put(x.equilibrium_welfare);
  const PopulationOptimum& o = x.optimum;
  put_profile(w, o.profile);
  w.put(o.welfare);
  w.put(o.upper_bound);
  w.put(o.method);
  w.put<std::int64_t>(o.profiles_evaluated);
  w.put<std::int32_t>(o.starts);
  w.put(x.first_best);
  w.put(x.price_of_anarchy);
  w.put(encode_outcome_block(x.outcomes));
  w.put<std::int64_t>(x.passes);
  w.put(x.seconds);
  return w.take();
}

ReplicateResult decode_replicate_result(const Bytes& bytes, const std::string& what, const PopulationResult& setup,
                                        std::int64_t replicate) {
  ArchiveReader r(bytes, what);
  ReplicateResult x;
  x.replicate = r.get<std::int64_t>();
  x.dynamics = get_dynamics(r);
  x.certificate = get_certificate(r);
  Demand& d = x.demand;
  d.shares = r.get_vector<double>();
  d.outside_share = r.get<double>();
  d.profit = r.get_vector<double>();
  d.welfare = r.get<double>();
  d.weighted_value = r.get<double>();
  d.weighted_price = r.get<double>();
  x.equilibrium_welfare = r.get<double>();
  PopulationOptimum& o = x.optimum;
  o.profile = get_profile(r);
  o.welfare = r.get<double>();
  o.upper_bound = r.get<double>();
  o.method = r.get_string();
  o.profiles_evaluated = r.get<std::int64_t>();
  o.starts = r.get<std::int32_t>();
  x.first_best = r.get<double>();
  x.price_of_anarchy = r.get<double>();
  const Bytes outcomes = r.get_bytes();
  x.passes = r.get<std::int64_t>();
  x.seconds = r.get<double>();
  r.finish();
  const UnitCheck check(what, setup.tables.n, setup.tables.K);
  if (x.replicate != replicate)
    check.fail("holds replicate " + std::to_string(x.replicate) + ", expected " + std::to_string(replicate));
  check.dynamics(x.dynamics);
  check.certificate(x.certificate);
  check.size(x.demand.shares.size(), static_cast<std::size_t>(check.n()), "the shares");
  check.size(x.demand.profit.size(), static_cast<std::size_t>(check.n()), "the provider utilities");
  check.profile(x.optimum.profile, "the optimal profile");
  if (x.optimum.method != "enumeration" && x.optimum.method != "local-search")
    check.fail("names the optimum method '" + x.optimum.method + "', expected enumeration or local-search");
  // Outcomes are tallied only when realized (an empty block otherwise).
  if (setup.spec.realize)
    x.outcomes = decode_outcome_block(outcomes, what + ": outcomes", setup.tables.n, setup.ranges, setup.spec.users);
  else if (outcomes != encode_outcome_block(OutcomeTallies{}))
    check.fail("holds realized outcomes, but the population does not realize them");
  return x;
}

MarketJob::MarketJob(std::vector<Scenario> scenarios, const JobOptions& options)
    : scenarios_(std::move(scenarios)), options_(options) {
  for (std::size_t s = 0; s < scenarios_.size(); ++s) {
    const Scenario& sc = scenarios_[s];
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
  for (std::size_t u = 0; u < units_.size(); ++u) out[units_[u].scenario].betas[units_[u].beta] = decode(u, results[u]);
  return out;
}

BetaResult MarketJob::decode(std::uint64_t unit, const Bytes& bytes) const {
  const Unit& u = units_.at(unit);
  const MarketTable& t = tables_[u.scenario];
  std::ostringstream what;
  what.precision(17);
  what << "market unit " << unit << " (" << scenarios_[u.scenario].name << ", beta = " << betas_[u.scenario][u.beta]
       << ")";
  return decode_beta_result(bytes, what.str(), t.n, t.K, betas_[u.scenario][u.beta], enumerate_[u.scenario]);
}

}  // namespace ttcg

namespace ttcg {

namespace {
std::string scenario_label(const Scenario& s, const char* part) {
  return s.name + " " + part;
}
}  // namespace

RunJob::RunJob(std::vector<Scenario> scenarios, const JobOptions& options)
    : scenarios_(std::move(scenarios)), options_(options) {
  for (std::size_t s = 0; s < scenarios_.size(); ++s)
    for (std::size_t t = 0; t < s; ++t)
      if (scenarios_[t].name == scenarios_[s].name)
        throw InputError("two scenarios are named '" + scenarios_[s].name + "' (" + scenarios_[t].path + ", " +
                         scenarios_[s].path + "): names must be unique within a run");
  std::uint64_t next = 0;
  if (options_.markets) {
    std::vector<Scenario> with_market;
    for (const Scenario& s : scenarios_)
      if (s.has_market() || options_.betas) with_market.push_back(s);
    if (!with_market.empty()) {
      market_ = std::make_unique<MarketJob>(std::move(with_market), options_);
      RunPart part;
      part.label = market_->scenarios().size() == 1 ? scenario_label(market_->scenarios()[0], "market")
                                                    : std::to_string(market_->scenarios().size()) + " markets";
      part.unit_name = "betas";
      part.work = market_->work();
      part.work.first_unit = next;
      next += part.work.count;
      parts_.push_back(std::move(part));
    }
  }
  if (options_.ensembles)
    for (const Scenario& s : scenarios_) {
      if (!s.ensemble) continue;
      ensembles_.push_back(make_ensemble_problem(s));
      ensemble_toml_.push_back(s.resolved_toml());
      const EnsembleProblem* problem = ensembles_.back().get();
      RunPart part;
      part.label = problem->spec().name + " ensemble";
      part.unit_name = "market blocks";
      part.work.count = static_cast<std::uint64_t>(problem->blocks());
      part.work.first_unit = next;
      part.work.parallelism = UnitParallelism::within_unit;  // the block's markets run in parallel (or on the GPU)
      const Backend backend = options_.backend;
      part.work.compute = [problem, backend](std::uint64_t b) {
        return encode_ensemble_block(compute_ensemble_block(*problem, static_cast<std::int64_t>(b), backend));
      };
      next += part.work.count;
      parts_.push_back(std::move(part));
    }
  if (options_.populations)
    for (const Scenario& s : scenarios_) {
      if (!s.population) continue;
      populations_.push_back(prepare_population(s, options_.backend));
    }
  for (const PopulationResult& setup : populations_) {  // after the vector stops growing: the lambdas point into it
    RunPart part;
    part.label = setup.name + " population";
    part.unit_name = "replicates";
    part.work.count = static_cast<std::uint64_t>(setup.spec.replicates);
    part.work.first_unit = next;
    part.work.parallelism = UnitParallelism::within_unit;  // each pass over the users runs in parallel
    const PopulationResult* prepared = &setup;
    const Backend backend = options_.backend;
    part.work.compute = [prepared, backend](std::uint64_t r) {
      return encode_replicate_result(solve_replicate(*prepared, static_cast<std::int64_t>(r), backend));
    };
    next += part.work.count;
    parts_.push_back(std::move(part));
  }
  if (parts_.empty())
    throw InputError(
        "nothing to run: the scenarios have no [beta] values, [ensemble] or [population] for this "
        "command");
}

RunJob::~RunJob() = default;

std::uint64_t RunJob::units() const {
  return parts_.empty() ? 0 : parts_.back().work.first_unit + parts_.back().work.count;
}

RunResults RunJob::assemble(const std::vector<Bytes>& results, double seconds) const {
  if (results.size() != units())
    throw std::logic_error("RunJob::assemble: " + std::to_string(results.size()) + " results for " +
                           std::to_string(units()) + " units");
  RunResults out;
  std::size_t part = 0;
  auto slice = [&](const RunPart& p) {
    const auto first = results.begin() + static_cast<std::ptrdiff_t>(p.work.first_unit);
    return std::vector<Bytes>(first, first + static_cast<std::ptrdiff_t>(p.work.count));
  };
  if (market_) out.markets = market_->assemble(slice(parts_[part++]), seconds);
  for (std::size_t e = 0; e < ensembles_.size(); ++e) {
    const EnsembleProblem& problem = *ensembles_[e];
    EnsembleResult r;
    r.name = problem.spec().name;
    r.scenario_toml = ensemble_toml_[e];
    r.summary = EnsembleSummary(problem);
    r.backend = options_.backend;
    r.threads = options_.backend == Backend::cpu ? omp_get_max_threads() : 1;
    r.problem = &problem;
    const RunPart& p = parts_[part++];
    for (std::uint64_t b = 0; b < p.work.count; ++b)
      r.summary.merge(decode_ensemble_unit(e, static_cast<std::int64_t>(b), results[p.work.first_unit + b]));
    r.seconds = seconds;
    out.ensembles.push_back(std::move(r));
  }
  for (std::size_t i = 0; i < populations_.size(); ++i) {
    PopulationResult r = populations_[i];
    const RunPart& p = parts_[part++];
    for (std::uint64_t x = 0; x < p.work.count; ++x)
      add_replicate(r, decode_population_unit(i, static_cast<std::int64_t>(x), results[p.work.first_unit + x]));
    r.seconds = seconds;
    out.populations.push_back(std::move(r));
  }
  return out;
}

EnsembleBlockResult RunJob::decode_ensemble_unit(std::size_t ensemble, std::int64_t block, const Bytes& bytes) const {
  const EnsembleProblem& problem = *ensembles_[ensemble];
  return decode_ensemble_block(
      bytes, "ensemble unit (" + problem.spec().name + ", block " + std::to_string(block) + ")", problem, block);
}

ReplicateResult RunJob::decode_population_unit(std::size_t population, std::int64_t replicate,
                                               const Bytes& bytes) const {
  const PopulationResult& setup = populations_[population];
  return decode_replicate_result(
      bytes, "population unit (" + setup.name + ", replicate " + std::to_string(replicate) + ")", setup, replicate);
}

void RunJob::check_unit(std::uint64_t unit, const Bytes& bytes) const {
  if (unit >= units())
    throw InputError("unit " + std::to_string(unit) + " is not a unit of this run (it has " + std::to_string(units()) +
                     ")");
  std::size_t part = 0;
  const auto local = [&](const RunPart& p) { return unit - p.work.first_unit; };
  const auto holds = [&](const RunPart& p) { return unit >= p.work.first_unit && local(p) < p.work.count; };
  if (market_) {
    if (holds(parts_[part])) {
      market_->decode(local(parts_[part]), bytes);
      return;
    }
    ++part;
  }
  for (std::size_t e = 0; e < ensembles_.size(); ++e, ++part)
    if (holds(parts_[part])) {
      decode_ensemble_unit(e, static_cast<std::int64_t>(local(parts_[part])), bytes);
      return;
    }
  for (std::size_t i = 0; i < populations_.size(); ++i, ++part)
    if (holds(parts_[part])) {
      decode_population_unit(i, static_cast<std::int64_t>(local(parts_[part])), bytes);
      return;
    }
  throw std::logic_error("RunJob::check_unit: unit " + std::to_string(unit) + " is in no part");
}

std::string RunJob::fingerprint() const {
  std::ostringstream f;
  f << "ttcgames " << VERSION << " results " << RESULTS_FORMAT_MAJOR << "." << RESULTS_FORMAT_MINOR << "\nbackend "
    << to_string(options_.backend) << "\nparts " << options_.markets << options_.ensembles << options_.populations
    << "\nenumerate " << (options_.enumerate ? (*options_.enumerate ? "on" : "off") : "scenario") << "\nbetas ";
  if (options_.betas) {
    f.precision(17);
    for (const double b : *options_.betas) f << b << " ";
  } else {
    f << "scenario";
  }
  f << "\nunits " << units();
  for (const RunPart& p : parts_) f << " " << p.work.count;
  std::vector<const Scenario*> all;
  for (const Scenario& s : scenarios_) all.push_back(&s);
  f << "\n" << combined_scenario_toml(all);
  return f.str();
}

std::uint64_t RunJob::root_seed() const {
  const Scenario& first = scenarios_.front();
  if ((first.has_market() || options_.betas) && options_.markets) return first.dynamics.seed;
  if (first.ensemble && options_.ensembles) return first.ensemble->seed;
  if (first.population && options_.populations) return first.population->seed;
  return first.dynamics.seed;
}

void write_run_results(const std::string& path, const RunJob& job, const RunResults& results, const RunInfo& info) {
  h5::AtomicOutput out(path);
  {
    h5::File file = h5::File::create(out.temp_path());
    h5::Group root = file.root();
    std::vector<const Scenario*> all;
    for (const Scenario& s : job.scenarios()) all.push_back(&s);
    write_root_attributes(root, info, job.root_seed(), combined_scenario_toml(all));
    for (const ScenarioResult& r : results.markets) write_scenario_groups(root, r);
    for (const EnsembleResult& e : results.ensembles) write_ensemble_group(root, e);
    for (const PopulationResult& p : results.populations) {
      const auto s = std::find_if(job.scenarios().begin(), job.scenarios().end(),
                                  [&](const Scenario& x) { return x.name == p.name; });
      write_population_group(root, p, s->resolved_toml(), s->path, s->description);
    }
  }
  out.commit();
}

}  // namespace ttcg
