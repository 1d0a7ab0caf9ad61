#include "ttcgames/run/market_stage.hpp"

#include <chrono>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "ttcgames/core/error.hpp"
#include "ttcgames/run/results.hpp"
#include "unit_codec.hpp"

namespace ttcg {

namespace {

using namespace unit_codec;

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

MarketStage::MarketStage(std::vector<Scenario> scenarios, const JobOptions& options)
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

Bytes MarketStage::compute(std::uint64_t unit) const {
  const Unit& u = units_.at(unit);
  const Scenario& s = scenarios_[u.scenario];
  // A CPU enumeration inside a concurrently running unit gets one thread (nested parallelism is off); units
  // then keep every core busy. A GPU enumeration runs one unit at a time (see work()).
  return encode_beta_result(
      solve_market_unit(tables_[u.scenario], betas_[u.scenario][u.beta], s, enumerate_[u.scenario], options_.backend));
}

UnitWork MarketStage::work() const {
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

std::vector<ScenarioResult> MarketStage::assemble(std::span<const Bytes> results,
                                                  std::span<const double> unit_seconds) const {
  if (results.size() != units_.size())
    throw std::logic_error("MarketStage::assemble: " + std::to_string(results.size()) + " results for " +
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

BetaResult MarketStage::decode(std::uint64_t unit, const Bytes& bytes) const {
  const Unit& u = units_.at(unit);
  const MarketTable& t = tables_[u.scenario];
  std::ostringstream what;
  what.precision(17);
  what << "market unit " << unit << " (" << scenarios_[u.scenario].name << ", beta = " << betas_[u.scenario][u.beta]
       << ")";
  return decode_beta_result(bytes, what.str(), t.n, t.K, betas_[u.scenario][u.beta], enumerate_[u.scenario]);
}

std::string MarketStage::label() const {
  return scenarios_.size() == 1 ? scenarios_[0].name + " market" : std::to_string(scenarios_.size()) + " markets";
}

void MarketStage::merge(std::span<const Bytes> payloads, std::span<const double> unit_seconds, RunResults& out) const {
  out.markets = assemble(payloads, unit_seconds);
}

void MarketStage::write(h5::Group& root, const RunResults& results) const {
  for (const ScenarioResult& r : results.markets) write_scenario_groups(root, r);
}

void MarketStage::add_needs(ResourceNeeds& needs) const {
  for (std::size_t s = 0; s < scenarios_.size(); ++s) {
    const Scenario& sc = scenarios_[s];
    const double betas = static_cast<double>(betas_[s].size());
    const double n = static_cast<double>(sc.providers.providers.size());
    const double row = STAGE_BYTES_PER_NUMBER * (40.0 + 8.0 * n) + (sc.dynamics.record_history ? 1e4 * n : 0.0);
    needs.add("market '" + sc.name + "'", STAGE_RESULT_COPIES * betas * row,
              betas * row + STAGE_GROUP_BYTES);  // stored equilibria: typically few
  }
}

}  // namespace ttcg
