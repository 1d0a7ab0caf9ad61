// Running scenarios in-process through the orchestrator that `ttcgames run` and every subcommand use
// (run/orchestrator.hpp): no result file, no checkpoint, no progress output.
#pragma once

#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "ttcgames/run/orchestrator.hpp"

namespace ttcg::testing_support {

//! A finished run and the job it came from (ensemble results point into the job: keep both together).
struct InProcessRun {
  std::unique_ptr<RunJob> job;
  RunResults results;
};

inline InProcessRun run_in_process(std::vector<Scenario> scenarios, const JobOptions& options = {}) {
  InProcessRun run;
  run.job = std::make_unique<RunJob>(std::move(scenarios), options);
  JobOutcome outcome = run_job(*run.job, JobSettings{});
  if (!outcome.results) throw std::logic_error("run_in_process: the run did not complete");
  run.results = std::move(*outcome.results);
  return run;
}

//! The market part of one scenario (every β and the auction), as `ttcgames market` solves it.
inline ScenarioResult solve_market(const Scenario& scenario, JobOptions options = {}) {
  options.ensembles = options.populations = false;
  return std::move(run_in_process({scenario}, options).results.markets.at(0));
}

//! The population part of one scenario, as `ttcgames population` runs it.
inline PopulationResult solve_population(const Scenario& scenario, JobOptions options = {}) {
  options.markets = options.ensembles = false;
  return std::move(run_in_process({scenario}, options).results.populations.at(0));
}

}  // namespace ttcg::testing_support
