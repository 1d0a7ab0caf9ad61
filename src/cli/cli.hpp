// The pieces every subcommand of the ttcgames program shares: how a subcommand registers, the options common to
// the commands that compute (backend, threads, quiet, checkpointing), range-checked numeric options, the progress
// bar. main.cpp only registers the subcommands and maps their outcome to the exit status (core/exit_status.hpp).
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "ttcgames/core/backend.hpp"
#include "ttcgames/run/scenario.hpp"

namespace ttcg::cli {

//! A command line that is wrong in itself (options that contradict each other, a missing output): exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! The program's arguments, for the provenance recorded in result files.
struct Invocation {
  int argc = 0;
  char** argv = nullptr;
  std::string command_line() const;
};

//! A registered subcommand and what runs it (returns the exit status; throws on errors). Under MPI, a command that
//! is not `distributed` runs on rank 0 alone (the other ranks exit 0 at once).
struct Command {
  CLI::App* app = nullptr;
  std::function<int(const Invocation&)> run;
  bool distributed = false;
};

Command add_run_command(CLI::App& app);
Command add_market_command(CLI::App& app);
Command add_auction_command(CLI::App& app);
Command add_ensemble_command(CLI::App& app);
Command add_population_command(CLI::App& app);
Command add_summary_command(CLI::App& app);
Command add_runlog_info_command(CLI::App& app);
Command add_curves_command(CLI::App& app);
Command add_collect_command(CLI::App& app);

// ---- option ranges (docs/cli.md, "Option values")

//! Most OpenMP threads a process may ask for.
constexpr std::int64_t MAX_THREADS = 1024;
//! Seeds are TOML integers in the recorded scenario: 0..2^63 − 1.
constexpr std::int64_t MAX_SEED = std::numeric_limits<std::int64_t>::max();
//! β given on the command line: finite, ≥ 0 (the engine then checks |β·V| against LOG_ATTRACTION_LIMIT).
constexpr double MAX_BETA = 1e300;
//! Levels of `curves --theta` (samples per level) and bootstrap resamples.
constexpr std::int64_t MAX_CURVE_THETA = 1'000'000'000;
constexpr std::int64_t MAX_BOOTSTRAP = 10'000'000;
//! --time-limit in seconds (about 31 years).
constexpr double MAX_TIME_LIMIT = 1e9;

//! A validator accepting finite numbers in [low, high]; the message names the range ("nan", "inf" and "1e999" are
//! refused, unlike CLI::Range).
CLI::Validator finite_range(double low, double high);
//! A validator accepting base-10 integers in [low, high] written in full ("-1" for a count, "1.5", "1e3", "0x10"
//! and values past the range are refused before any conversion can wrap them).
CLI::Validator integer_range(std::int64_t low, std::int64_t high);

// ---- options shared by the computing commands

struct Common {
  std::string backend = "auto";
  int threads = 0;  //!< 0: OMP_NUM_THREADS or all cores
  bool quiet = false;
};
void add_common(CLI::App& app, Common& common);
//! Applies --threads, picks the GPU of this rank, resolves the backend and (unless quiet) says which it is.
Backend setup(const Common& common);

//! `--enumeration structural|exhaustive`: the all-equilibria algorithm, overriding [equilibria] algorithm.
void add_enumeration_option(CLI::App& app, std::string& enumeration);
//! Applies a non-empty `--enumeration` to the scenario (its limits are checked again by the job).
void apply_enumeration(Scenario& scenario, const std::string& enumeration);

//! How a long run is checkpointed and bounded (docs/cluster.md).
struct Checkpointing {
  bool resume = false;
  bool disabled = false;
  double time_limit = 0.0;      //!< seconds; 0: none
  std::uint64_t max_units = 0;  //!< 0: no budget
};
void add_checkpointing(CLI::App& app, Checkpointing& checkpointing);

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

}  // namespace ttcg::cli
