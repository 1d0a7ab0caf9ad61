// A `ttcgames run` as a job of work units (docs/cluster.md): every β of every scenario is one unit. Units are
// computed anywhere (any rank, any thread, or read back from a checkpoint journal) and assembled on rank 0 in unit
// order into the same ScenarioResults that run_scenario returns, so the result file does not depend on how many
// ranks ran the job or whether it was resumed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ttcgames/archive.hpp"
#include "ttcgames/run.hpp"
#include "ttcgames/work_units.hpp"

namespace ttcg {

//! Options that change results (and so belong to the job's fingerprint).
struct JobOptions {
  Backend backend = Backend::cpu;
  std::optional<bool> enumerate;             //!< override of every scenario's [equilibria] enumerate
  std::optional<std::vector<double>> betas;  //!< override of every scenario's β values
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
  //! The ScenarioResults from every unit's result, in unit order (rank 0).
  std::vector<ScenarioResult> assemble(const std::vector<Bytes>& results, double seconds) const;
  //! Everything that determines the results: the format, the resolved scenarios and the options.
  std::string fingerprint() const;

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

//! Bit-exact encoding of a BetaResult (work-unit results, checkpoints).
Bytes encode_beta_result(const BetaResult& result);
BetaResult decode_beta_result(const Bytes& bytes);

}  // namespace ttcg
