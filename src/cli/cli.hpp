// The pieces every subcommand of the ttcgames program shares: how a subcommand registers, the options common to
// the commands that compute (backend, threads, quiet, checkpointing), range-checked numeric options, the progress
// bar (run/orchestrator.hpp). main.cpp only registers the subcommands and maps their outcome to the exit status
// (core/exit_status.hpp).
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ttcgames/core/backend.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/run/orchestrator.hpp"
#include "ttcgames/run/scenario.hpp"

namespace ttcg::cli {

//! A command line that is wrong in itself: exit status 2 (core/error.hpp).
using ttcg::UsageError;

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
//! Applies --threads, picks the GPU of this rank, resolves the backend and (unless quiet) says which it is
//! (choose_backend, run/orchestrator.hpp).
Backend setup(const Common& common);

//! `--enumeration structural|exhaustive`: the all-equilibria algorithm, overriding [equilibria] algorithm.
void add_enumeration_option(CLI::App& app, std::string& enumeration);
//! The [equilibria] algorithm override of a non-empty `--enumeration` (ScenarioOverrides::algorithm).
std::optional<std::string> enumeration_override(const std::string& enumeration);

//! --resume, --no-checkpoint, --time-limit, --max-units (Checkpointing, run/orchestrator.hpp).
void add_checkpointing(CLI::App& app, Checkpointing& checkpointing);

//! The orchestrator's settings of a computing command; `output` "" writes nothing (`market` without -o).
JobSettings job_settings(const Common& common, const Checkpointing& checkpointing, const std::string& output,
                         Backend backend, const Invocation& invocation);

// ---- what the computing commands print and where they write

//! Prints the tables of every market, ensemble and population of a result file, read back from the file as
//! `ttcgames summary` reads it (summary_command.cpp).
void print_file_summaries(const std::string& path);
//! The output of a single scenario: its [output] path, else results/<name>.h5; UsageError for several scenarios
//! (run_command.cpp).
std::string default_output(const std::vector<Scenario>& scenarios);

}  // namespace ttcg::cli
