#include "ttcgames/run/job.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "ttcgames/ensemble/ensemble_archive.hpp"
#include "ttcgames/ensemble/ensemble_results.hpp"
#include "ttcgames/population/population_archive.hpp"
#include "ttcgames/population/population_results.hpp"

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/version.hpp"
#include "ttcgames/io/atomic_file.hpp"
#include "ttcgames/run/results.hpp"

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
  if (e.count < 0 || static_cast<std::uint64_t>(e.count) < e.stored.size())
    check.fail("counts " + std::to_string(e.count) + " equilibria but stores " + std::to_string(e.stored.size()));
  for (const Profile& p : e.stored) check.profile(p, "a stored equilibrium");
  for (const Profile* p : {&e.worst_profile, &e.best_profile})
    if (!p->empty()) check.profile(*p, "the worst/best equilibrium");
  if ((e.count > 0) != !e.worst_profile.empty() || (e.count > 0) != !e.best_profile.empty())
    check.fail("names a worst/best equilibrium that does not match its count " + std::to_string(e.count));
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
    w.put<std::uint64_t>(e.stored.size());
    for (const Profile& p : e.stored) put_profile(w, p);
    w.put(e.worst_welfare);
    w.put(e.best_welfare);
    put_profile(w, e.worst_profile);
    put_profile(w, e.best_profile);
    w.put<std::int64_t>(e.profiles);
    w.put<std::int64_t>(e.work);
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
    const auto stored = r.get<std::uint64_t>();
    for (std::uint64_t row = 0; row < stored; ++row) e.stored.push_back(get_profile(r));
    e.worst_welfare = r.get<double>();
    e.best_welfare = r.get<double>();
    e.worst_profile = get_profile(r);
    e.best_profile = get_profile(r);
    e.profiles = r.get<std::int64_t>();
    e.work = r.get<std::int64_t>();
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
    for (const double beta : betas_.back()) check_log_space(tables_.back(), beta, sc.name);
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
  for (std::size_t s = 0; s < scenarios_.size(); ++s)  // only the exhaustive oracle enumerates on the GPU
    gpu_enumeration = gpu_enumeration || (enumerate_[s] && options_.backend == Backend::cuda &&
                                          scenarios_[s].enumeration.algorithm != EnumerationAlgorithm::structural);
  w.parallelism = gpu_enumeration ? UnitParallelism::within_unit : UnitParallelism::across_units;
  return w;
}

std::vector<ScenarioResult> MarketJob::assemble(const std::vector<Bytes>& results,
                                                const std::vector<double>& unit_seconds) const {
  if (results.size() != units_.size())
    throw std::logic_error("MarketJob::assemble: " + std::to_string(results.size()) + " results for " +
                           std::to_string(units_.size()) + " units");
  std::vector<ScenarioResult> out(scenarios_.size());
  for (std::size_t s = 0; s < scenarios_.size(); ++s) {
    out[s].scenario = scenarios_[s];
    out[s].table = tables_[s];
    out[s].backend = options_.backend;
    out[s].betas.resize(betas_[s].size());
    const auto start = std::chrono::steady_clock::now();
    out[s].auction = run_auction(tables_[s], scenarios_[s].reserve);
    out[s].seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  for (std::size_t u = 0; u < units_.size(); ++u) {
    out[units_[u].scenario].betas[units_[u].beta] = decode(u, results[u]);
    if (u < unit_seconds.size()) out[units_[u].scenario].seconds += unit_seconds[u];
  }
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

//! Wraps a unit's computation so that its result travels (gathers, the checkpoint journal) with the wall time it
//! took: the envelope (seconds, payload).
void time_units(UnitWork& work) {
  work.compute = [inner = std::move(work.compute)](std::uint64_t unit) {
    const auto start = std::chrono::steady_clock::now();
    const Bytes payload = inner(unit);
    ArchiveWriter w;
    w.put(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    w.put(payload);
    return w.take();
  };
}

struct TimedResult {
  double seconds = 0.0;
  Bytes payload;
};

TimedResult untime(const Bytes& envelope) {
  ArchiveReader r(envelope, "timed work unit");
  TimedResult t;
  t.seconds = r.get<double>();
  t.payload = r.get_bytes();
  r.finish();
  return t;
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
  for (RunPart& part : parts_) time_units(part.work);
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
  out.seconds = seconds;
  std::vector<Bytes> payloads;
  std::vector<double> unit_seconds;
  for (const Bytes& b : results) {
    TimedResult t = untime(b);
    payloads.push_back(std::move(t.payload));
    unit_seconds.push_back(t.seconds);
  }
  std::size_t part = 0;
  auto slice = [&](const RunPart& p) {
    const auto first = payloads.begin() + static_cast<std::ptrdiff_t>(p.work.first_unit);
    return std::vector<Bytes>(first, first + static_cast<std::ptrdiff_t>(p.work.count));
  };
  auto part_seconds = [&](const RunPart& p) {
    const auto first = unit_seconds.begin() + static_cast<std::ptrdiff_t>(p.work.first_unit);
    return std::vector<double>(first, first + static_cast<std::ptrdiff_t>(p.work.count));
  };
  auto sum = [](const std::vector<double>& v) {
    double total = 0.0;
    for (const double x : v) total += x;
    return total;
  };
  if (market_) {
    out.markets = market_->assemble(slice(parts_[part]), part_seconds(parts_[part]));
    ++part;
  }
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
    r.seconds = sum(part_seconds(p));
    for (std::uint64_t b = 0; b < p.work.count; ++b)
      r.summary.merge(decode_ensemble_unit(e, static_cast<std::int64_t>(b), payloads[p.work.first_unit + b]));
    out.ensembles.push_back(std::move(r));
  }
  for (std::size_t i = 0; i < populations_.size(); ++i) {
    PopulationResult r = populations_[i];
    const RunPart& p = parts_[part++];
    r.seconds = sum(part_seconds(p));
    for (std::uint64_t x = 0; x < p.work.count; ++x)
      add_replicate(r, decode_population_unit(i, static_cast<std::int64_t>(x), payloads[p.work.first_unit + x]));
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

void RunJob::check_unit(std::uint64_t unit, const Bytes& record) const {
  if (unit >= units())
    throw InputError("unit " + std::to_string(unit) + " is not a unit of this run (it has " + std::to_string(units()) +
                     ")");
  const Bytes bytes = untime(record).payload;  // a unit's record is its timed envelope (time_units)
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

ResourceNeeds RunJob::needs() const {
  // Bytes per row of each part's results, as held on rank 0: the unit archives, the assembled results and the
  // in-memory image of the result file (about COPIES copies at the peak).
  constexpr double COPIES = 4.0;
  constexpr double BYTES_PER_NUMBER = 8.0;
  constexpr double GROUP_BYTES = 64e3;  // a part's fixed share of the file: headers of its datasets and attributes
  ResourceNeeds needs;
  if (market_) {
    for (const Scenario& s : market_->scenarios()) {
      const double betas = static_cast<double>(options_.betas ? options_.betas->size() : s.betas().size());
      const double n = static_cast<double>(s.providers.providers.size());
      const double row = BYTES_PER_NUMBER * (40.0 + 8.0 * n) + (s.dynamics.record_history ? 1e4 * n : 0.0);
      needs.add("market '" + s.name + "'", COPIES * betas * row,
                betas * row + GROUP_BYTES);  // stored equilibria: typically few
    }
  }
  for (const auto& e : ensembles_) {
    const EnsembleSpec& spec = e->spec();
    const double width = static_cast<double>(e->width());
    const double record = spec.store_markets ? 4.0 * 4.0 * width + 8.0 * width + BYTES_PER_NUMBER * 26.0 : 0.0;
    const double markets = static_cast<double>(spec.markets);
    needs.add("ensemble '" + spec.name + "' with " + std::to_string(spec.markets) +
                  (spec.store_markets ? " stored markets" : " markets"),
              COPIES * markets * record + 1e5 * static_cast<double>(e->blocks()), markets * record + GROUP_BYTES);
  }
  for (const PopulationResult& p : populations_) {
    constexpr double BYTES_PER_USER = 3 * 8 + 4;  // α, β, v0 and the question of each user
    const double tables = static_cast<double>(p.tables.p_correct.size()) * 6.0 * BYTES_PER_NUMBER;
    needs.add("population '" + p.name + "' with " + std::to_string(p.spec.users) + " users",
              1.5 * static_cast<double>(p.spec.users) * BYTES_PER_USER + tables,
              static_cast<double>(p.spec.replicates) * 1e4 + GROUP_BYTES);
  }
  return needs;
}

std::uint64_t RunJob::root_seed() const {
  const Scenario& first = scenarios_.front();
  if ((first.has_market() || options_.betas) && options_.markets) return first.dynamics.seed;
  if (first.ensemble && options_.ensembles) return first.ensemble->seed;
  if (first.population && options_.populations) return first.population->seed;
  return first.dynamics.seed;
}

void write_run_results(const std::string& path, const RunJob& job, const RunResults& results, const RunInfo& info) {
  io::AtomicFile out(path);
  h5::File file = h5::File::create_in_memory(path);
  {
    h5::Group root = file.root();
    std::vector<const Scenario*> all;
    for (const Scenario& s : job.scenarios()) all.push_back(&s);
    write_root_attributes(root, info, job.root_seed(), combined_scenario_toml(all));
    root.write_attribute_f64("seconds", results.seconds);
    for (const ScenarioResult& r : results.markets) write_scenario_groups(root, r);
    for (const EnsembleResult& e : results.ensembles) write_ensemble_group(root, e);
    for (const PopulationResult& p : results.populations) {
      const auto s = std::find_if(job.scenarios().begin(), job.scenarios().end(),
                                  [&](const Scenario& x) { return x.name == p.name; });
      write_population_group(root, p, s->resolved_toml(), s->path, s->description);
    }
  }
  out.write(file.close_to_image());
  out.commit();
}

}  // namespace ttcg
