// A run as a job of work units (docs/cluster.md): the stages of its scenarios (stage.hpp) one after the other, the
// market sweep first (one unit per β), then every [ensemble] (one unit per block of markets), then every
// [population] (one unit per replicate), numbered in that order; or the curves of a set of run logs (`ttcgames
// curves`, one unit per log). Units are computed anywhere (any rank, any thread,
// or read back from a checkpoint journal) and merged on rank 0 in unit order, so the result file does not depend
// on how many ranks ran the job or whether it was resumed. The orchestrator (orchestrator.hpp) runs a RunJob.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ttcgames/core/archive.hpp"
#include "ttcgames/core/resources.hpp"
#include "ttcgames/run/curves_stage.hpp"
#include "ttcgames/run/ensemble_stage.hpp"
#include "ttcgames/run/market_stage.hpp"
#include "ttcgames/run/population_stage.hpp"
#include "ttcgames/run/results.hpp"
#include "ttcgames/run/stage.hpp"
#include "ttcgames/run/work_units.hpp"

namespace ttcg {

//! One stage of a run with its units numbered from `work.first_unit` in the run's numbering; `work.compute` returns
//! the stage's archive in an envelope with the unit's own compute time.
struct RunPart {
  std::string label;      //!< the scenario (or ensemble) name, for progress bars
  std::string unit_name;  //!< "betas", "market blocks", "replicates"
  UnitWork work;
  const Stage* stage = nullptr;
};

class RunJob {
 public:
  //! The stages of `scenarios` that `options` selects; InputError when two scenarios share a name or nothing is
  //! left to run.
  RunJob(std::vector<Scenario> scenarios, const JobOptions& options);
  //! The curves of `curves` (one stage; options.backend is recorded in the fingerprint, curves.options.backend
  //! runs the permutations); InputError when its plan has no method.
  RunJob(CurvesJob curves, const JobOptions& options);
  ~RunJob();
  RunJob(const RunJob&) = delete;
  RunJob& operator=(const RunJob&) = delete;

  //! The scenarios (none for a curves job).
  const std::vector<Scenario>& scenarios() const { return scenarios_; }
  //! (path, role) of every file the job reads: the scenarios' inputs, or the run logs and mapping of curves.
  std::vector<std::pair<std::string, std::string>> input_files() const;
  //! The root `scenario` attribute of the result file: the resolved scenarios (combined_scenario_toml), or the
  //! curves settings.
  std::string settings_toml() const;
  const JobOptions& options() const { return options_; }
  std::uint64_t units() const;
  //! The parts, in unit order; their work computes units on any rank (thread-safe where across_units).
  const std::vector<RunPart>& parts() const { return parts_; }
  //! Every unit's result (in unit order, all parts) → the results (rank 0); `seconds` is the whole run's wall time.
  //! Every scenario, ensemble and population gets its own `seconds` from its units' compute times. Each result is
  //! decoded and checked against its unit (InputError when it does not belong to it: a damaged or foreign
  //! checkpoint record).
  RunResults assemble(const std::vector<Bytes>& results, double seconds) const;
  //! Decodes and checks one unit's result as assemble does, and drops it: for records read back from a checkpoint
  //! journal before any work starts (CheckpointJournal::resume's check).
  void check_unit(std::uint64_t unit, const Bytes& bytes) const;
  //! The format, the resolved scenarios and the result-changing options.
  std::string fingerprint() const;
  //! Estimated peak memory of rank 0 and size of the result file (check_resources, core/resources.hpp).
  ResourceNeeds needs() const;
  //! The seed recorded at the root of the result file: the first scenario's [dynamics] seed when it has a market,
  //! else its [ensemble] seed, else its [population] seed; the curves seed of a curves job.
  std::uint64_t root_seed() const;
  //! Every stage's groups of `results`, in stage order.
  void write_groups(h5::Group& root, const RunResults& results) const;

 private:
  std::vector<Scenario> scenarios_;
  JobOptions options_;
  std::vector<std::unique_ptr<Stage>> stages_;
  std::vector<RunPart> parts_;
  const CurvesStage* curves_ = nullptr;  //!< the stage of a curves job

  //! Numbers the stages' units and wraps their computation (after the stages are made).
  void make_parts();
};

//! The result file of a run (root attributes, then every stage's groups), written to a temporary name and renamed
//! when complete.
void write_run_results(const std::string& path, const RunJob& job, const RunResults& results, const RunInfo& info);

}  // namespace ttcg
