// A `ttcgames run` as a job of work units (docs/cluster.md): every β of every scenario's market, every block of
// markets of an [ensemble], every replicate of a [population] is one unit. Units are computed anywhere (any rank,
// any thread, or read back from a checkpoint journal) and assembled on rank 0 in unit order into the same results
// that run_scenario, run_ensemble and run_population return, so the result file does not depend on how many ranks
// ran the job or whether it was resumed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ttcgames/core/archive.hpp"
#include "ttcgames/core/resources.hpp"
#include "ttcgames/ensemble/ensemble.hpp"
#include "ttcgames/population/population.hpp"
#include "ttcgames/run/results.hpp"
#include "ttcgames/run/run.hpp"
#include "ttcgames/run/work_units.hpp"

namespace ttcg {

//! Options that change results (and so belong to the job's fingerprint).
struct JobOptions {
  Backend backend = Backend::cpu;
  std::optional<bool> enumerate;             //!< override of every scenario's [equilibria] enumerate
  std::optional<std::vector<double>> betas;  //!< override of every scenario's β values
  //! Which parts of the scenarios to run (the `market`, `ensemble` and `population` subcommands run one).
  bool markets = true;
  bool ensembles = true;
  bool populations = true;
};

class MarketJob {
 public:
  MarketJob(std::vector<Scenario> scenarios, const JobOptions& options);

  const std::vector<Scenario>& scenarios() const { return scenarios_; }
  std::uint64_t units() const { return units_.size(); }
  //! Solves unit u (one β of one scenario, with its enumeration when asked); thread-safe.
  Bytes compute(std::uint64_t unit) const;
  //! The work for execute_units.
  UnitWork work() const;
  //! The ScenarioResults from every unit's result, in unit order (rank 0). A scenario's `seconds` is its own compute
  //! time: the sum of its units' unit_seconds (empty: 0 each) and its auction's time.
  std::vector<ScenarioResult> assemble(const std::vector<Bytes>& results,
                                       const std::vector<double>& unit_seconds = {}) const;
  //! Unit u's result decoded and checked against the unit (its β, n, K, enumeration); InputError otherwise.
  BetaResult decode(std::uint64_t unit, const Bytes& bytes) const;

 private:
  struct Unit {
    std::size_t scenario;
    std::size_t beta;
  };
  std::vector<Scenario> scenarios_;
  std::vector<MarketTable> tables_;
  std::vector<std::vector<double>> betas_;
  std::vector<bool> enumerate_;
  JobOptions options_;
  std::vector<Unit> units_;
};

//! Everything a run computes, assembled on rank 0. The ensemble results point to the RunJob's problems: keep
//! the job alive while they are used.
struct RunResults {
  std::vector<ScenarioResult> markets;
  std::vector<EnsembleResult> ensembles;
  std::vector<PopulationResult> populations;
  double seconds = 0.0;  //!< the whole run's wall time (each part's own compute time is in its result)
};

//! One part of a run: units of one kind, numbered from `work.first_unit` in the run's numbering.
struct RunPart {
  std::string label;      //!< the scenario (or ensemble) name, for progress bars
  std::string unit_name;  //!< "market betas", "ensemble blocks", "population replicates"
  UnitWork work;
};

//! A whole run: the markets of the scenarios with β values (one unit per β), then every [ensemble] (one unit per
//! block of markets), then every [population] (one unit per replicate), numbered in that order.
class RunJob {
 public:
  RunJob(std::vector<Scenario> scenarios, const JobOptions& options);
  ~RunJob();
  RunJob(const RunJob&) = delete;
  RunJob& operator=(const RunJob&) = delete;

  const std::vector<Scenario>& scenarios() const { return scenarios_; }
  const JobOptions& options() const { return options_; }
  std::uint64_t units() const;
  //! The parts, in unit order; their work computes units on any rank (thread-safe where across_units).
  const std::vector<RunPart>& parts() const { return parts_; }
  //! Every unit's result (in unit order, all parts) → the results (rank 0); `seconds` is the whole run's wall time.
  //! A part's units return their payload with their own compute time (the parts' `work.compute` add it), from
  //! which every scenario, ensemble and population gets its own `seconds`. Each result is decoded and checked
  //! against its unit (InputError when it does not belong to it: a damaged or foreign checkpoint record).
  RunResults assemble(const std::vector<Bytes>& results, double seconds) const;
  //! Decodes and checks one unit's result as assemble does, and drops it: for records read back from a checkpoint
  //! journal before any work starts (CheckpointJournal::resume's check).
  void check_unit(std::uint64_t unit, const Bytes& bytes) const;
  //! The format, the resolved scenarios and the result-changing options.
  std::string fingerprint() const;
  //! Estimated peak memory of rank 0 and size of the result file (check_resources, core/resources.hpp).
  ResourceNeeds needs() const;
  //! The seed recorded at the root of the result file: the first scenario's [dynamics] seed when it has a market,
  //! else its [ensemble] seed, else its [population] seed.
  std::uint64_t root_seed() const;

 private:
  std::vector<Scenario> scenarios_;
  JobOptions options_;
  std::unique_ptr<MarketJob> market_;
  std::vector<std::unique_ptr<EnsembleProblem>> ensembles_;
  std::vector<std::string> ensemble_toml_;
  std::vector<PopulationResult> populations_;  //!< prepared, without replicates
  std::vector<RunPart> parts_;

  EnsembleBlockResult decode_ensemble_unit(std::size_t ensemble, std::int64_t block, const Bytes& bytes) const;
  ReplicateResult decode_population_unit(std::size_t population, std::int64_t replicate, const Bytes& bytes) const;
};

//! The result file of a run (root attributes, market/auction, ensemble and population groups), written to a
//! temporary name and renamed when complete.
void write_run_results(const std::string& path, const RunJob& job, const RunResults& results, const RunInfo& info);

//! Bit-exact encodings of unit results (work-unit results, checkpoints). Decoding checks the result against the
//! unit it must belong to (shapes, level indices, the unit's β or replicate); InputError naming `what` otherwise.
Bytes encode_replicate_result(const ReplicateResult& result);
ReplicateResult decode_replicate_result(const Bytes& bytes, const std::string& what, const PopulationResult& setup,
                                        std::int64_t replicate);

Bytes encode_beta_result(const BetaResult& result);
//! A market unit of an n×K market at `beta`, with an enumeration exactly when `enumerated`.
BetaResult decode_beta_result(const Bytes& bytes, const std::string& what, int n, int K, double beta, bool enumerated);

}  // namespace ttcg
