#include "ttcgames/run/population_stage.hpp"

#include "ttcgames/core/error.hpp"
#include "ttcgames/population/population_archive.hpp"
#include "ttcgames/population/population_results.hpp"
#include "unit_codec.hpp"

namespace ttcg {

using namespace unit_codec;

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

PopulationStage::PopulationStage(const Scenario& scenario, const JobOptions& options, std::size_t index)
    : setup_(prepare_population(scenario, options.backend)),
      toml_(scenario.resolved_toml()),
      path_(scenario.path),
      description_(scenario.description),
      backend_(options.backend),
      index_(index) {}

UnitWork PopulationStage::work() const {
  UnitWork w;
  w.count = static_cast<std::uint64_t>(setup_.spec.replicates);
  w.parallelism = UnitParallelism::within_unit;  // each pass over the users runs in parallel
  const PopulationResult* prepared = &setup_;
  const Backend backend = backend_;
  w.compute = [prepared, backend](std::uint64_t r) {
    return encode_replicate_result(solve_replicate(*prepared, static_cast<std::int64_t>(r), backend));
  };
  return w;
}

ReplicateResult PopulationStage::decode(std::uint64_t replicate, const Bytes& bytes) const {
  return decode_replicate_result(bytes,
                                 "population unit (" + setup_.name + ", replicate " + std::to_string(replicate) + ")",
                                 setup_, static_cast<std::int64_t>(replicate));
}

void PopulationStage::merge(std::span<const Bytes> payloads, std::span<const double> unit_seconds,
                            RunResults& out) const {
  PopulationResult r = setup_;
  r.seconds = 0.0;
  for (const double s : unit_seconds) r.seconds += s;
  for (std::size_t x = 0; x < payloads.size(); ++x) add_replicate(r, decode(x, payloads[x]));
  out.populations.push_back(std::move(r));
}

void PopulationStage::write(h5::Group& root, const RunResults& results) const {
  write_population_group(root, results.populations.at(index_), toml_, path_, description_);
}

void PopulationStage::add_needs(ResourceNeeds& needs) const {
  constexpr double BYTES_PER_USER = 3 * 8 + 4;  // α, β, v0 and the question of each user
  const PopulationResult& p = setup_;
  const double tables = static_cast<double>(p.tables.p_correct.size()) * 6.0 * STAGE_BYTES_PER_NUMBER;
  needs.add("population '" + p.name + "' with " + std::to_string(p.spec.users) + " users",
            1.5 * static_cast<double>(p.spec.users) * BYTES_PER_USER + tables,
            static_cast<double>(p.spec.replicates) * 1e4 + STAGE_GROUP_BYTES);
}

PopulationResult prepare_population(const Scenario& scenario, Backend backend) {
  if (!scenario.population) throw InputError(scenario.name + ": the scenario has no [population] section");
  PopulationResult out;
  out.name = scenario.name;
  out.spec = *scenario.population;
  out.dynamics = scenario.dynamics;
  out.reserve = scenario.reserve;
  out.backend = backend;
  out.tables = build_query_tables(out.spec, scenario.providers, scenario.market, scenario.source.runlog_curves.get());
  out.ranges = histogram_ranges(out.tables, out.spec);
  out.outcomes = make_outcome_tallies(out.tables.n, out.ranges);
  return out;
}

}  // namespace ttcg
