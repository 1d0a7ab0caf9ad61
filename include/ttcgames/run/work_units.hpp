// Executing a run as work units across the ranks of a job (docs/cluster.md). A run is a list of work units
// 0..count−1 (a β of a market, a block of population replicates, a block of ensemble markets); each unit's result
// depends only on the unit (its random streams are keyed by the unit's logical coordinates), never on the rank or
// thread that computes it. Units are assigned statically: the pending units, in increasing order, go round-robin
// to the ranks. They run in waves: in each wave every rank computes its next few units (concurrently with OpenMP
// when they are independent), rank 0 gathers the results, appends them to the checkpoint journal and flushes it,
// and decides whether to go on (time limit, unit budget). Rank 0 ends with every unit's result in unit order, so
// whatever merges them sees the same bytes in the same order for any rank count, thread count or resume history.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <vector>

#include "ttcgames/core/archive.hpp"
#include "ttcgames/run/checkpoint.hpp"
#include "ttcgames/run/comm.hpp"

namespace ttcg {

//! How units run within a rank.
enum class UnitParallelism {
  across_units,  //!< a wave's units run concurrently, one OpenMP thread each (small, independent units)
  within_unit,   //!< one unit at a time; the unit parallelizes itself (OpenMP inside, or a GPU)
};

struct UnitWork {
  std::uint64_t count = 0;
  //! Index of unit 0 in the job's numbering (journal records and UnitControl::resumed use the job's numbers; a
  //! job with several parts runs them one after the other with their offsets).
  std::uint64_t first_unit = 0;
  //! Computes one unit; must be thread-safe under across_units. InputError for bad input, anything else is a bug.
  std::function<Bytes(std::uint64_t unit)> compute;
  UnitParallelism parallelism = UnitParallelism::across_units;
  //! Units per rank per wave (fixed); 0: for across_units 8 × OpenMP threads first, then growing towards half a
  //! second per wave (within the --max-units budget); 1 for within_unit.
  int wave = 0;
};

struct UnitControl {
  CheckpointJournal* journal = nullptr;  //!< rank 0: where completed units are appended (may be null)
  //! Rank 0: results read back from the journal, in the job's numbering; execute_units takes out those of its work.
  std::map<std::uint64_t, Bytes> resumed;
  //! No new wave after this much wall time (≤ 0: none at all when units are pending).
  double time_limit_seconds = std::numeric_limits<double>::infinity();
  //! No new wave after this many new units (0: none at all when units are pending).
  std::uint64_t max_new_units = std::numeric_limits<std::uint64_t>::max();
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;  //!< rank 0, after each wave
};

struct UnitOutcome {
  bool complete = false;       //!< every unit has a result
  std::vector<Bytes> results;  //!< rank 0 when complete: [count], in unit order; empty elsewhere
  std::uint64_t computed = 0;  //!< units computed by this job (all ranks)
  std::uint64_t resumed = 0;   //!< units taken from the journal
};

//! Runs every pending unit; collective over `comm`. A unit that throws aborts the whole job with its message
//! (exit status 1 for an InputError, 3 otherwise), so that no rank is left waiting.
UnitOutcome execute_units(const Communicator& comm, const UnitWork& work, UnitControl& control);

//! The units rank `rank` of `ranks` computes from `pending` (sorted): pending[rank], pending[rank + ranks], ...
std::vector<std::uint64_t> assigned_units(const std::vector<std::uint64_t>& pending, int rank, int ranks);

}  // namespace ttcg
