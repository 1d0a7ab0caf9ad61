// Running a RunJob from the command line: the files it reads and writes are checked against each other, then the
// job's work units run over the MPI ranks with a checkpoint journal, and rank 0 writes the result file atomically.
// The files left behind follow one contract (docs/cli.md): the temporary never outlives the process; the journal
// "<output>.ckpt" is kept only when the run stops early and `--resume` can continue it (time limit, unit budget,
// signal) and is removed on success and on every error.
#pragma once

#include <functional>
#include <string>

#include "cli.hpp"
#include "ttcgames/run/job.hpp"

namespace ttcg::cli {

struct JobSettings {
  Common common;
  Checkpointing checkpointing;
  std::string output;  //!< "" only for `market` without -o: nothing written, no checkpoint
  Backend backend = Backend::cpu;
  Invocation invocation;
};

//! Solves and writes the job; `report` prints on rank 0 after the file is complete (unless quiet). Returns the exit
//! status (SUCCESS or INCOMPLETE); throws on errors.
int run_job(const RunJob& job, const JobSettings& settings, const std::function<void(const RunResults&)>& report);

}  // namespace ttcg::cli
