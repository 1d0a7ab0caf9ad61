// One kind of work of a run (docs/cluster.md): a market sweep (every β of the scenarios' markets), an ensemble (its
// blocks of random markets), a population (its replicates) or the curves of run logs (one unit per log). Every stage
// declares its work units, computes one unit into a bit-exact byte archive (on any rank, any thread, or read back from
// a checkpoint journal), checks an archive against the unit it must belong to, merges its units' archives in unit order
// into the run's results, and writes its HDF5 groups. The orchestrator (orchestrator.hpp) runs the stages of a RunJob
// (job.hpp) one after the other; a stage's results depend only on its units, never on the ranks, threads or resume
// history that produced them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ttcgames/core/archive.hpp"
#include "ttcgames/core/resources.hpp"
#include "ttcgames/ensemble/ensemble.hpp"
#include "ttcgames/inference/curves.hpp"
#include "ttcgames/io/h5.hpp"
#include "ttcgames/population/population.hpp"
#include "ttcgames/run/run.hpp"
#include "ttcgames/run/work_units.hpp"

namespace ttcg {

//! The curves of one dataset of run logs (`ttcgames curves`): its methods in output order.
struct CurvesResult {
  std::string dataset;
  std::vector<MethodCurves> methods;
};

//! Everything a run computes, assembled on rank 0. The ensemble results point to the RunJob's problems: keep
//! the job alive while they are used.
struct RunResults {
  std::vector<ScenarioResult> markets;
  std::vector<EnsembleResult> ensembles;
  std::vector<PopulationResult> populations;
  std::vector<CurvesResult> curves;
  double seconds = 0.0;  //!< the whole run's wall time (each part's own compute time is in its result)
};

// Resource estimates (Stage::add_needs): bytes per row of a stage's results as held on rank 0 are the unit archives,
// the assembled results and the in-memory image of the result file, about STAGE_RESULT_COPIES copies at the peak.
constexpr double STAGE_RESULT_COPIES = 4.0;
constexpr double STAGE_BYTES_PER_NUMBER = 8.0;
//! A stage's fixed share of the file: headers of its datasets and attributes.
constexpr double STAGE_GROUP_BYTES = 64e3;

//! The interface every kind of work implements.
class Stage {
 public:
  virtual ~Stage() = default;
  //! For progress bars: the scenario (or ensemble) name and the part, e.g. "gsm8k market".
  virtual std::string label() const = 0;
  //! What one unit is, plural ("betas", "market blocks", "replicates", "run logs").
  virtual std::string unit_name() const = 0;
  //! The number of work units and how they run (UnitWork::count, compute, parallelism; first_unit is the job's).
  virtual UnitWork work() const = 0;
  //! Decodes and checks unit `unit`'s archive (InputError naming the unit when it belongs to another unit or is
  //! damaged), and drops it.
  virtual void check(std::uint64_t unit, const Bytes& payload) const = 0;
  //! Merges every unit's archive, in unit order, with the compute time each unit took, into `out` (rank 0).
  virtual void merge(std::span<const Bytes> payloads, std::span<const double> unit_seconds, RunResults& out) const = 0;
  //! Writes the stage's groups of `results` under the root of a result file.
  virtual void write(h5::Group& root, const RunResults& results) const = 0;
  //! Adds the stage's estimated peak memory on rank 0 and its share of the result file.
  virtual void add_needs(ResourceNeeds& needs) const = 0;
};

}  // namespace ttcg
