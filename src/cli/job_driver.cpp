#include "job_driver.hpp"

#include <omp.h>

#include <chrono>
#include <iostream>
#include <limits>
#include <optional>

#include "ttcgames/run/checkpoint.hpp"
#include "ttcgames/run/comm.hpp"
#include "ttcgames/core/exit_status.hpp"
#include "ttcgames/core/interrupt.hpp"
#include "ttcgames/core/resources.hpp"
#include "ttcgames/io/file_plan.hpp"
#include "ttcgames/run/results.hpp"

namespace ttcg::cli {
namespace {

//! Owns the run's checkpoint journal: removes it on scope exit unless keep() was called (the run stopped early and
//! can be resumed); a signal keeps it through the interrupt registry.
class CheckpointGuard {
 public:
  CheckpointGuard() = default;
  CheckpointGuard(const CheckpointGuard&) = delete;
  CheckpointGuard& operator=(const CheckpointGuard&) = delete;
  ~CheckpointGuard() {
    if (journal_ && !keep_) journal_->remove();
    interrupt::forget(slot_);
  }
  void hold(CheckpointJournal journal) {
    journal_.emplace(std::move(journal));
    slot_ = interrupt::register_checkpoint(journal_->path());
  }
  CheckpointJournal* get() { return journal_ ? &*journal_ : nullptr; }
  void keep() { keep_ = true; }

 private:
  std::optional<CheckpointJournal> journal_;
  int slot_ = -1;
  bool keep_ = false;
};

//! The files of the job: every scenario's inputs must differ from the result file and the journal.
void check_files(const RunJob& job, const JobSettings& s) {
  io::FilePlan plan;
  for (const Scenario& scenario : job.scenarios())
    for (const auto& [path, role] : scenario.input_files()) plan.add_input(path, role);
  if (!s.output.empty()) {
    plan.add_output(s.output, "result file (-o)");
    if (!s.checkpointing.disabled) plan.add_output(checkpoint_path(s.output), "checkpoint journal");
  }
  plan.check();
}

}  // namespace

int run_job(const RunJob& job, const JobSettings& s, const std::function<void(const RunResults&)>& report) {
  const Communicator& comm = Communicator::world();
  const Checkpointing& ck = s.checkpointing;
  if (ck.resume && (ck.disabled || s.output.empty()))
    throw UsageError("--resume needs a checkpoint: give the output file and do not pass --no-checkpoint");
  check_files(job, s);
  if (comm.is_root()) check_resources(job.needs(), s.output);

  const auto start = std::chrono::steady_clock::now();
  UnitControl control;
  CheckpointGuard checkpoint;
  if (comm.is_root() && !ck.disabled && !s.output.empty()) {
    const std::string path = checkpoint_path(s.output);
    if (ck.resume) {
      std::uint64_t discarded = 0;
      checkpoint.hold(CheckpointJournal::resume(
          path, job.fingerprint(), control.resumed, &discarded,
          [&job](std::uint64_t unit, const Bytes& bytes) { job.check_unit(unit, bytes); }));
      if (!s.common.quiet)
        std::cerr << "resuming from " << path << ": " << control.resumed.size() << " of " << job.units()
                  << " work units done" << (discarded ? ", a torn last record discarded" : "") << "\n";
    } else {
      checkpoint.hold(CheckpointJournal::create(path, job.fingerprint()));
    }
    control.journal = checkpoint.get();
  }

  std::vector<Bytes> results;
  std::uint64_t done = 0;
  std::uint64_t budget = ck.max_units > 0 ? ck.max_units : std::numeric_limits<std::uint64_t>::max();
  for (const RunPart& part : job.parts()) {  // the limits hold for the whole run, across its parts
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    control.time_limit_seconds =
        ck.time_limit > 0.0 ? std::max(0.0, ck.time_limit - elapsed) : std::numeric_limits<double>::infinity();
    control.max_new_units = budget;
    ProgressBar bar(part.label, !s.common.quiet && comm.is_root(), part.unit_name);
    control.progress = [&bar](std::uint64_t d, std::uint64_t total) { bar(d, total); };
    UnitOutcome outcome = execute_units(comm, part.work, control);
    done += outcome.resumed + outcome.computed;
    if (!outcome.complete) {
      checkpoint.keep();
      if (comm.is_root() && !s.common.quiet)
        std::cerr << "\nstopped early: " << done << " of " << job.units() << " work units done"
                  << (checkpoint.get() ? " and checkpointed in " + checkpoint.get()->path() +
                                             "; continue with the same command and --resume"
                                       : std::string(" (no checkpoint: nothing to resume)"))
                  << "\n";
      return exit_status::INCOMPLETE;
    }
    budget -= std::min(budget, outcome.computed);
    for (Bytes& b : outcome.results) results.push_back(std::move(b));
  }
  if (!comm.is_root()) return exit_status::SUCCESS;

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const RunResults out = job.assemble(results, seconds);
  results.clear();
  if (!s.output.empty()) {
    ProgressBar(s.output, !s.common.quiet, "").phase("writing " + s.output);
    const RunInfo info{to_string(s.backend), omp_get_max_threads(), comm.size(), s.invocation.command_line()};
    write_run_results(s.output, job, out, info);
  }
  if (!s.common.quiet) {
    report(out);
    if (!s.output.empty()) std::cerr << "wrote " << s.output << "\n";
  }
  return exit_status::SUCCESS;  // the guard removes the journal: the result file is complete
}

}  // namespace ttcg::cli
