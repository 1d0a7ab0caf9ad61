// The one path from a RunJob to its result file, for `ttcgames run`, every subcommand that computes (market,
// ensemble, population, curves) and the tests, which call it in-process. It owns the run's resources: OpenMP threads,
// the GPU of each MPI rank and the backend (choose_backend), the files it reads and writes (checked against each
// other), the memory and disk estimate, the work units over the ranks with a checkpoint journal (resume, time
// limit, unit budget), the progress bars and the atomic result file written by rank 0. The files left behind follow
// one contract (docs/cli.md): the temporary never outlives the process; the journal "<output>.ckpt" is kept only
// when the run stops early and `--resume` can continue it (time limit, unit budget, signal) and is removed on
// success and on every error.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "ttcgames/core/backend.hpp"
#include "ttcgames/run/job.hpp"

namespace ttcg {

//! How a long run is checkpointed and bounded (docs/cluster.md).
struct Checkpointing {
  bool resume = false;
  bool disabled = false;
  double time_limit = 0.0;      //!< seconds; 0: none
  std::uint64_t max_units = 0;  //!< 0: no budget
};

//! How a job runs (none of it changes results).
struct JobSettings {
  bool quiet = true;  //!< no progress bars, no report, no "wrote" line
  Checkpointing checkpointing;
  std::string output;  //!< the result file; "" writes nothing and keeps no checkpoint (`market` without -o, tests)
  Backend backend = Backend::cpu;  //!< recorded in the file (the job's options decide where units run)
  std::string command_line;        //!< recorded in the file
};

struct JobOutcome {
  int status = 0;                     //!< exit_status::SUCCESS or INCOMPLETE (stopped early, resumable)
  std::optional<RunResults> results;  //!< rank 0 when complete
};

//! Applies `threads` (> 0), picks the GPU of this MPI rank, resolves the backend request ("auto", "cpu", "cuda")
//! and, when `announce` and the request is auto, says on rank 0 which backend, threads and ranks run.
Backend choose_backend(const std::string& request, int threads, bool announce);

//! Solves the job and writes its result file; `report` runs on rank 0 after the file is complete (unless quiet).
//! Throws on errors (UsageError for --resume without a checkpoint, InputError for bad files or records).
JobOutcome run_job(const RunJob& job, const JobSettings& settings,
                   const std::function<void(const RunResults&)>& report = {});

//! A one-line progress bar on stderr with the rate and the estimated time left, drawn only on a terminal.
class ProgressBar {
 public:
  ProgressBar(std::string label, bool enabled, std::string unit);
  void operator()(std::uint64_t done, std::uint64_t total);
  //! Announces a phase without a count (e.g. "writing results.h5"), on its own line.
  void phase(const std::string& what);

 private:
  std::string label_;
  std::string unit_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace ttcg
