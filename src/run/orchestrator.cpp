#include "ttcgames/run/orchestrator.hpp"

#include <omp.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>

#include "ttcgames/core/cuda_device.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/core/exit_status.hpp"
#include "ttcgames/core/interrupt.hpp"
#include "ttcgames/core/resources.hpp"
#include "ttcgames/io/file_plan.hpp"
#include "ttcgames/run/checkpoint.hpp"
#include "ttcgames/run/comm.hpp"

namespace ttcg {

Backend choose_backend(const std::string& request, int threads, bool announce) {
  if (threads > 0) omp_set_num_threads(threads);
  const Communicator& comm = Communicator::world();
  if (comm.size() > 1 && cuda::device_count() > 1) cuda::select_device(comm.local_rank());
  const Backend backend = resolve_backend(parse_backend_request(request));
  if (announce && request == "auto" && comm.is_root())
    std::cerr << "backend: " << to_string(backend) << " (" << cuda_device_description() << "), "
              << omp_get_max_threads() << " OpenMP threads"
              << (comm.size() > 1 ? " per rank, " + std::to_string(comm.size()) + " MPI ranks" : std::string()) << "\n";
  return backend;
}

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

//! The files of the job: every input (scenarios, run logs) must differ from the result file and the journal.
void check_files(const RunJob& job, const JobSettings& s) {
  io::FilePlan plan;
  for (const auto& [path, role] : job.input_files()) plan.add_input(path, role);
  if (!s.output.empty()) {
    plan.add_output(s.output, "result file (-o)");
    if (!s.checkpointing.disabled) plan.add_output(checkpoint_path(s.output), "checkpoint journal");
  }
  plan.check();
}

}  // namespace

JobOutcome run_job(const RunJob& job, const JobSettings& s, const std::function<void(const RunResults&)>& report) {
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
      checkpoint.hold(
          CheckpointJournal::resume(path, job.fingerprint(), control.resumed, &discarded,
                                    [&job](std::uint64_t unit, const Bytes& bytes) { job.check_unit(unit, bytes); }));
      if (!s.quiet)
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
    ProgressBar bar(part.label, !s.quiet && comm.is_root(), part.unit_name);
    control.progress = [&bar](std::uint64_t d, std::uint64_t total) { bar(d, total); };
    UnitOutcome outcome = execute_units(comm, part.work, control);
    done += outcome.resumed + outcome.computed;
    if (!outcome.complete) {
      checkpoint.keep();
      if (comm.is_root() && !s.quiet)
        std::cerr << "\nstopped early: " << done << " of " << job.units() << " work units done"
                  << (checkpoint.get() ? " and checkpointed in " + checkpoint.get()->path() +
                                             "; continue with the same command and --resume"
                                       : std::string(" (no checkpoint: nothing to resume)"))
                  << "\n";
      return {exit_status::INCOMPLETE, std::nullopt};
    }
    budget -= std::min(budget, outcome.computed);
    for (Bytes& b : outcome.results) results.push_back(std::move(b));
  }
  if (!comm.is_root()) return {exit_status::SUCCESS, std::nullopt};

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RunResults out = job.assemble(results, seconds);
  results.clear();
  if (!s.output.empty()) {
    ProgressBar(s.output, !s.quiet, "").phase("writing " + s.output);
    const RunInfo info{to_string(s.backend), omp_get_max_threads(), comm.size(), s.command_line};
    write_run_results(s.output, job, out, info);
  }
  if (!s.quiet) {
    if (report) report(out);
    if (!s.output.empty()) std::cerr << "wrote " << s.output << "\n";
  }
  return {exit_status::SUCCESS, std::move(out)};  // the guard removes the journal: the result file is complete
}

ProgressBar::ProgressBar(std::string label, bool enabled, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      enabled_(enabled && isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::operator()(std::uint64_t done, std::uint64_t total) {
  if (!enabled_) return;
  constexpr int WIDTH = 30;
  const int filled = static_cast<int>(WIDTH * done / std::max<std::uint64_t>(total, 1));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string eta = "";
  if (done > 0 && done < total) {
    const double left = seconds / static_cast<double>(done) * static_cast<double>(total - done);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, ", about %.0f s left", std::ceil(left));
    eta = buffer;
  }
  std::fprintf(stderr, "\r%-18s [%s%s] %llu/%llu %s  %.1f s%s   ", label_.c_str(), std::string(filled, '#').c_str(),
               std::string(WIDTH - filled, '.').c_str(), static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total), unit_.c_str(), seconds, eta.c_str());
  if (done == total) std::fputc('\n', stderr);
  std::fflush(stderr);
}

void ProgressBar::phase(const std::string& what) {
  if (!enabled_) return;
  std::fprintf(stderr, "%s ...\n", what.c_str());
  std::fflush(stderr);
}

}  // namespace ttcg
