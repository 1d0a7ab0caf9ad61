// The ttcgames command-line program: a thin layer that parses arguments and calls the library.
#include <omp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "curves_command.hpp"
#include "ttcgames/backend.hpp"
#include "ttcgames/checkpoint.hpp"
#include "ttcgames/comm.hpp"
#include "ttcgames/cuda_backend.hpp"
#include "ttcgames/ensemble.hpp"
#include "ttcgames/error.hpp"
#include "ttcgames/h5.hpp"
#include "ttcgames/job.hpp"
#include "ttcgames/population.hpp"
#include "ttcgames/population_results.hpp"
#include "ttcgames/results.hpp"
#include "ttcgames/run.hpp"
#include "ttcgames/runlog_reader.hpp"
#include "ttcgames/scenario.hpp"
#include "ttcgames/version.hpp"

namespace {

constexpr int EXIT_INPUT_ERROR = 1;
constexpr int EXIT_INTERNAL_ERROR = 3;
//! The run stopped at its time limit or unit budget with a consistent checkpoint; `--resume` continues it
//! (EX_TEMPFAIL of sysexits.h: a batch system may requeue the job).
constexpr int EXIT_INCOMPLETE = 75;

struct Common {
  std::string backend = "auto";
  int threads = 0;
  bool quiet = false;
};

//! How a long run is checkpointed and bounded (docs/cluster.md).
struct Checkpointing {
  bool resume = false;
  bool disabled = false;
  double time_limit = 0.0;      //!< seconds; 0: none
  std::uint64_t max_units = 0;  //!< 0: no budget
};

std::string version_text() {
  std::ostringstream s;
  s << "ttcgames " << ttcg::VERSION << " (commit " << std::string(ttcg::GIT_COMMIT).substr(0, 12)
    << (ttcg::cuda_built() ? ", CUDA backend built" : ", CPU only") << (ttcg::mpi_built() ? ", MPI" : ", without MPI")
    << ", OpenMP " << _OPENMP << ")";
  return s.str();
}

//! A one-line progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
 public:
  ProgressBar(std::string label, bool enabled, std::string unit = "beta")
      : label_(std::move(label)), unit_(std::move(unit)), enabled_(enabled && isatty(2)) {}
  void operator()(std::size_t done, std::size_t total) {
    if (!enabled_) return;
    constexpr int WIDTH = 30;
    const int filled = static_cast<int>(WIDTH * done / std::max<std::size_t>(total, 1));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "\r%-18s [%s%s] %zu/%zu %s  %.1f s", label_.c_str(), std::string(filled, '#').c_str(),
                 std::string(WIDTH - filled, '.').c_str(), done, total, unit_.c_str(), s);
    if (done == total) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  std::string label_;
  std::string unit_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

ttcg::Backend setup(const Common& c) {
  if (c.threads > 0) omp_set_num_threads(c.threads);
  const ttcg::Communicator& comm = ttcg::Communicator::world();
  if (comm.size() > 1 && ttcg::cuda::device_count() > 1) ttcg::cuda::select_device(comm.local_rank());
  const ttcg::Backend backend = ttcg::resolve_backend(ttcg::parse_backend_request(c.backend));
  if (!c.quiet && c.backend == "auto" && comm.is_root())
    std::cerr << "backend: " << ttcg::to_string(backend)
              << (backend == ttcg::Backend::cuda ? " (" + ttcg::cuda_device_description() + ")"
                                                 : std::string(" (") + ttcg::cuda_device_description() + ")")
              << ", " << omp_get_max_threads() << " OpenMP threads"
              << (comm.size() > 1 ? " per rank, " + std::to_string(comm.size()) + " MPI ranks" : std::string()) << "\n";
  return backend;
}

std::string command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
  return s;
}

void add_common(CLI::App& app, Common& c) {
  app.add_option("--backend", c.backend,
                 "Compute backend for the enumerations and population passes: auto (GPU when present), cpu, cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  app.add_option("--threads", c.threads, "OpenMP threads (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::PositiveNumber);
  app.add_flag("-q,--quiet", c.quiet, "No progress bar, no summary: errors only");
}

void add_checkpointing(CLI::App& app, Checkpointing& c) {
  app.add_flag("--resume", c.resume,
               "Continue an interrupted run from its checkpoint journal <output>.ckpt (same scenarios and options)");
  app.add_flag("--no-checkpoint", c.disabled, "Do not keep a checkpoint journal while the run is under way");
  app.add_option("--time-limit", c.time_limit,
                 "Stop after the wave of work units that passes this many seconds, keeping the checkpoint "
                 "(exit status 75; continue with --resume)")
      ->check(CLI::PositiveNumber);
  app.add_option("--max-units", c.max_units,
                 "Stop after the wave that completes this many new work units, keeping the checkpoint (exit 75)")
      ->check(CLI::PositiveNumber);
}

struct Solved {
  bool complete = false;
  ttcg::RunResults results;                        //!< rank 0
  std::optional<ttcg::CheckpointJournal> journal;  //!< rank 0: removed once the result file is complete
};

//! Runs the job's parts one after the other as work units over the MPI ranks (one process without MPI),
//! checkpointed to <output>.ckpt when `output` is given. Rank 0 receives the results; `complete` is false on every
//! rank when the run stopped early (time limit or unit budget).
Solved solve(const ttcg::RunJob& job, const Common& c, const Checkpointing& ck, const std::string& output) {
  const ttcg::Communicator& comm = ttcg::Communicator::world();
  const auto start = std::chrono::steady_clock::now();
  ttcg::UnitControl control;
  Solved solved;
  std::optional<ttcg::CheckpointJournal>& journal = solved.journal;
  if (ck.resume && (ck.disabled || output.empty()))
    throw ttcg::InputError("--resume needs a checkpoint: give the output file and do not pass --no-checkpoint");
  if (comm.is_root() && !ck.disabled && !output.empty()) {
    const std::string path = ttcg::checkpoint_path(output);
    if (ck.resume) {
      std::uint64_t discarded = 0;
      journal.emplace(ttcg::CheckpointJournal::resume(path, job.fingerprint(), control.resumed, &discarded));
      if (!c.quiet)
        std::cerr << "resuming from " << path << ": " << control.resumed.size() << " of " << job.units()
                  << " work units done" << (discarded ? ", a torn last record discarded" : "") << "\n";
    } else {
      journal.emplace(ttcg::CheckpointJournal::create(path, job.fingerprint()));
    }
    control.journal = &*journal;
  }
  std::vector<ttcg::Bytes> results;
  std::uint64_t done = 0;
  std::uint64_t budget = ck.max_units > 0 ? ck.max_units : std::numeric_limits<std::uint64_t>::max();
  for (const ttcg::RunPart& part : job.parts()) {  // the limits hold for the whole run, across its parts
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    control.time_limit_seconds =
        ck.time_limit > 0.0 ? std::max(0.0, ck.time_limit - elapsed) : std::numeric_limits<double>::infinity();
    control.max_new_units = budget;
    ProgressBar bar(part.label, !c.quiet && comm.is_root(), part.unit_name);
    control.progress = [&bar](std::uint64_t d, std::uint64_t total) { bar(d, total); };
    ttcg::UnitOutcome outcome = ttcg::execute_units(comm, part.work, control);
    done += outcome.resumed + outcome.computed;
    if (!outcome.complete) {
      if (comm.is_root() && !c.quiet)
        std::cerr << "\nstopped early: " << done << " of " << job.units() << " work units done and checkpointed in "
                  << (journal ? journal->path() : std::string("(none)"))
                  << "; continue with the same command and --resume\n";
      return solved;
    }
    budget -= std::min(budget, outcome.computed);
    for (ttcg::Bytes& b : outcome.results) results.push_back(std::move(b));
  }
  solved.complete = true;
  if (comm.is_root()) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    solved.results = job.assemble(results, seconds);
  }
  return solved;
}

//! `--enumeration A` replaces the scenario's [equilibria] algorithm (its limits are checked again by the job).
void apply_enumeration(ttcg::Scenario& s, const std::string& enumeration) {
  if (!enumeration.empty()) s.enumeration.algorithm = ttcg::parse_enumeration_algorithm(enumeration, "--enumeration");
}

ttcg::RunInfo run_info(ttcg::Backend backend, int argc, char** argv) {
  return ttcg::RunInfo{ttcg::to_string(backend), omp_get_max_threads(), ttcg::Communicator::world().size(),
                       command_line(argc, argv)};
}

std::string default_output(const std::vector<ttcg::Scenario>& scenarios) {
  if (scenarios.size() > 1)
    throw ttcg::InputError("several scenarios go to one file: name it with -o (e.g. -o results/run.h5)");
  return scenarios[0].output.empty() ? "results/" + scenarios[0].name + ".h5" : scenarios[0].output;
}

void print_file_summaries(const std::string& path) {
  for (const auto& s : ttcg::read_summaries(path)) ttcg::print_summary(std::cout, s);
  for (const auto& e : ttcg::read_ensemble_reports(path)) ttcg::print_ensemble_report(std::cout, e);
  for (const auto& p : ttcg::read_population_summaries(path)) ttcg::print_population_summary(std::cout, p);
}

//! Solves a job and, on rank 0, writes and (unless quiet) prints its result file. Returns the exit status.
int run_and_write(const ttcg::RunJob& job, const Common& c, const Checkpointing& ck, const std::string& output,
                  ttcg::Backend backend, int argc, char** argv) {
  Solved solved = solve(job, c, ck, output);
  if (!solved.complete) return EXIT_INCOMPLETE;
  if (ttcg::Communicator::world().is_root()) {
    ttcg::write_run_results(output, job, solved.results, run_info(backend, argc, argv));
    if (solved.journal) solved.journal->remove();
    if (!c.quiet) {
      print_file_summaries(output);
      std::cerr << "wrote " << output << "\n";
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "ttcgames: test-time compute games. Computes equilibria, social optima, prices of anarchy and "
      "stability of\n"
      "LLM-as-a-service markets whose providers choose test-time compute, and the reverse second-price "
      "auction\n"
      "that restores efficiency (arXiv 2601.21839). Scenarios are TOML files (docs/scenario.md); results "
      "are\n"
      "self-describing HDF5 files (docs/hdf5-format.md).",
      "ttcgames"};
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);

  Common common;
  std::vector<std::string> scenario_paths;
  std::string output;
  std::optional<std::uint64_t> seed;
  bool no_enumerate = false, force_enumerate = false;
  std::string enumeration;  //!< overrides [equilibria] algorithm when set
  const auto add_enumeration = [&enumeration](CLI::App& sub) {
    sub.add_option("--enumeration", enumeration,
                   "All-equilibria algorithm: structural (from the aggregate, the default) or exhaustive (the oracle "
                   "over all K^n profiles); overrides [equilibria] algorithm")
        ->check(CLI::IsMember({"structural", "exhaustive"}));
  };

  CLI::App* run = app.add_subcommand(
      "run",
      "Solve one or more scenarios (every beta: dynamics, certificate, optimum, PoA, equilibria; auction),\n"
      "write one HDF5 file and print the summary tables");
  run->add_option("scenarios", scenario_paths, "Scenario files (TOML)")->required();
  run->add_option("-o,--output", output, "Result file (default: the scenario's [output] path, else results/<name>.h5)");
  run->add_option("--seed", seed, "Override every scenario's [dynamics] and [ensemble] seed");
  run->add_flag("--no-enumerate", no_enumerate,
                "Skip the enumeration of all pure equilibria (of the scenarios' markets and of the ensembles')");
  add_enumeration(*run);
  add_common(*run, common);
  Checkpointing checkpointing;
  add_checkpointing(*run, checkpointing);

  std::string market_scenario;
  std::vector<double> market_betas;
  CLI::App* market =
      app.add_subcommand("market",
                         "Solve the pay-per-compute market of one scenario and print the per-beta table (no auction);\n"
                         "write HDF5 only with -o");
  market->add_option("scenario", market_scenario, "Scenario file (TOML)")->required();
  market->add_option("-b,--beta", market_betas, "Beta values to solve (default: the scenario's)")
      ->check(CLI::NonNegativeNumber);
  market->add_option("-o,--output", output, "Also write the result file");
  market->add_flag("--enumerate", force_enumerate, "Enumerate all pure equilibria even if the scenario does not");
  market->add_flag("--no-enumerate", no_enumerate, "Skip the enumeration of all pure equilibria");
  add_enumeration(*market);
  add_common(*market, common);
  add_checkpointing(*market, checkpointing);

  std::string auction_scenario, reserve;
  CLI::App* auction = app.add_subcommand(
      "auction", "Run the reverse second-price auction of one scenario and print every bid and the outcome");
  auction->add_option("scenario", auction_scenario, "Scenario file (TOML)")->required();
  auction->add_option("--reserve", reserve, "none | outside-option (default: the scenario's [auction] reserve)")
      ->check(CLI::IsMember({"none", "outside-option"}));

  std::string ensemble_scenario;
  std::optional<std::int64_t> ensemble_markets;
  CLI::App* ensemble = app.add_subcommand(
      "ensemble",
      "Run the [ensemble] of one scenario (random markets drawn from its providers: equilibrium, optimum, PoA,\n"
      "auction, all pure equilibria of every market), write HDF5 and print the distributions");
  ensemble->add_option("scenario", ensemble_scenario, "Scenario file (TOML) with an [ensemble] section")->required();
  ensemble->add_option("-o,--output", output,
                       "Result file (default: the scenario's [output] path, else results/<name>.h5)");
  ensemble->add_option("--seed", seed, "Override the [ensemble] seed");
  ensemble->add_option("-n,--markets", ensemble_markets, "Override the number of markets")
      ->check(CLI::Range(std::int64_t{1}, ttcg::ENSEMBLE_MAX_MARKETS));
  ensemble->add_flag("--no-enumerate", no_enumerate, "Enumerate the pure equilibria of no market");
  add_enumeration(*ensemble);
  add_common(*ensemble, common);
  add_checkpointing(*ensemble, checkpointing);

  std::string population_scenario;
  std::optional<std::int64_t> population_users, population_replicates;
  CLI::App* population = app.add_subcommand(
      "population",
      "Run the [population] of one scenario (heterogeneous users and queries: the equilibrium under population\n"
      "demand with its certificate, the optimum, realized outcomes per user under the market and the auction),\n"
      "write HDF5 and print the summary");
  population->add_option("scenario", population_scenario, "Scenario file (TOML) with a [population] section")
      ->required();
  population->add_option("-o,--output", output,
                         "Result file (default: the scenario's [output] path, else results/<name>.h5)");
  population->add_option("--seed", seed, "Override the [population] seed");
  population->add_option("--users", population_users, "Override [population] users")->check(CLI::PositiveNumber);
  population->add_option("--replicates", population_replicates, "Override [population] replicates")
      ->check(CLI::PositiveNumber);
  add_common(*population, common);
  add_checkpointing(*population, checkpointing);

  std::string summary_file;
  CLI::App* summary = app.add_subcommand("summary", "Print the paper-style tables of a result file");
  summary->add_option("results", summary_file, "Result file (HDF5)")->required();

  std::vector<std::string> runlog_files;
  std::string runlog_mapping;
  bool runlog_strict = false;
  int runlog_threads = 0;
  CLI::App* runlog_info = app.add_subcommand(
      "runlog-info", "Read run logs (reference JSONL, or any layout through a field mapping) and print what was read");
  runlog_info->add_option("files", runlog_files, "Run-log files of one model (.jsonl, .json; .gz and .zst too)")
      ->required();
  runlog_info->add_option("--mapping", runlog_mapping,
                          "Field mapping (TOML, docs/runlog-mapping.md); default: reference layout");
  runlog_info->add_flag("--strict", runlog_strict, "Stop at the first malformed record instead of skipping it");
  runlog_info->add_option("--threads", runlog_threads, "OpenMP threads for parsing (default: all)")
      ->check(CLI::PositiveNumber);

  ttcg::cli::CurvesCommand curves_command;
  CLI::App* curves = ttcg::cli::add_curves_command(app, curves_command);

  CLI11_PARSE(app, argc, argv);

  // Under mpirun/srun every rank runs this program; rank 0 reads back, prints and writes.
  std::optional<ttcg::MpiSession> mpi;
  try {
    mpi.emplace(&argc, &argv);
  } catch (const std::exception& e) {
    std::cerr << "ttcgames: error: cannot start MPI: " << e.what() << "\n";
    return EXIT_INTERNAL_ERROR;
  }
  const ttcg::Communicator& comm = ttcg::Communicator::world();

  try {
    if (!comm.is_root() && (*auction || *summary || *curves)) return 0;  // rank 0 works
    if (*run) {
      const ttcg::Backend backend = setup(common);
      std::vector<ttcg::Scenario> scenarios;
      for (const std::string& p : scenario_paths) {
        scenarios.push_back(ttcg::load_scenario(p));
        if (seed) scenarios.back().dynamics.seed = *seed;
        if (seed && scenarios.back().ensemble) scenarios.back().ensemble->seed = *seed;
        if (seed && scenarios.back().population) scenarios.back().population->seed = *seed;
        if (no_enumerate && scenarios.back().ensemble) scenarios.back().ensemble->enumerate = false;
        apply_enumeration(scenarios.back(), enumeration);
      }
      if (output.empty()) output = default_output(scenarios);
      ttcg::JobOptions options;
      options.backend = backend;
      if (no_enumerate) options.enumerate = false;
      const ttcg::RunJob job(std::move(scenarios), options);
      return run_and_write(job, common, checkpointing, output, backend, argc, argv);
    } else if (*market) {
      const ttcg::Backend backend = setup(common);
      ttcg::Scenario s = ttcg::load_scenario(market_scenario);
      apply_enumeration(s, enumeration);
      if (!s.has_market() && market_betas.empty())
        throw ttcg::InputError(market_scenario +
                               ": the scenario has no [beta] values to solve its market at; give --beta B, or run "
                               "its ensemble with `ttcgames ensemble`");
      ttcg::JobOptions options;
      options.backend = backend;
      options.ensembles = options.populations = false;
      if (force_enumerate) options.enumerate = true;
      if (no_enumerate) options.enumerate = false;
      if (!market_betas.empty()) options.betas = market_betas;
      const ttcg::RunJob job({s}, options);
      Solved solved = solve(job, common, checkpointing, output);
      if (!solved.complete) return EXIT_INCOMPLETE;
      if (comm.is_root()) {
        ttcg::ScenarioSummary summary_table = ttcg::summarize(solved.results.markets[0]);
        summary_table.has_auction = false;
        if (!common.quiet) ttcg::print_summary(std::cout, summary_table);
        if (!output.empty()) {
          ttcg::write_run_results(output, job, solved.results, run_info(backend, argc, argv));
          if (!common.quiet) std::cerr << "wrote " << output << "\n";
        }
        if (solved.journal) solved.journal->remove();
      }
    } else if (*auction) {
      ttcg::Scenario s = ttcg::load_scenario(auction_scenario);
      if (!reserve.empty()) s.reserve = reserve == "none" ? ttcg::Reserve::none : ttcg::Reserve::outside_option;
      const ttcg::MarketTable t = ttcg::build_market_table(s.providers, s.market);
      const ttcg::AuctionOutcome a = ttcg::run_auction(t, s.reserve);
      std::cout << "Reverse second-price auction: " << s.name << " (reserve: " << ttcg::to_string(s.reserve)
                << ", v0 = " << s.market.v0 << ")\n";
      std::cout << std::left << std::setw(24) << "provider" << std::right << std::setw(8) << "theta" << std::setw(12)
                << "quality" << std::setw(12) << "cost" << std::setw(12) << "score W"
                << "\n";
      std::cout << std::fixed << std::setprecision(5);
      for (int i = 0; i < t.n; ++i) {
        const std::size_t at = t.at(i, a.level[i]);
        std::cout << std::left << std::setw(24) << t.providers[i] << std::right << std::setw(8) << std::defaultfloat
                  << t.theta[a.level[i]] << std::fixed << std::setw(12) << t.q[at] << std::setw(12) << t.c[at]
                  << std::setw(12) << a.score[i]
                  << (a.clearing.winner == i      ? "  winner"
                      : a.clearing.runner_up == i ? "  runner-up"
                                                  : "")
                  << "\n";
      }
      if (a.trade)
        std::cout << "winner " << t.providers[a.clearing.winner] << ": welfare " << a.welfare << ", user value "
                  << a.user_value << ", price " << a.price << ", winner utility " << a.winner_utility << "\n";
      else
        std::cout << "no trade: every score is below the outside option v0 = " << s.market.v0 << "\n";
    } else if (*ensemble) {
      const ttcg::Backend backend = setup(common);
      ttcg::Scenario s = ttcg::load_scenario(ensemble_scenario);
      if (!s.ensemble) throw ttcg::InputError(ensemble_scenario + ": the scenario has no [ensemble] section");
      if (seed) s.ensemble->seed = *seed;
      if (ensemble_markets) s.ensemble->markets = *ensemble_markets;
      if (no_enumerate) s.ensemble->enumerate = false;
      apply_enumeration(s, enumeration);
      if (output.empty()) output = default_output({s});
      ttcg::JobOptions options;
      options.backend = backend;
      options.markets = options.populations = false;
      const ttcg::RunJob job({s}, options);
      return run_and_write(job, common, checkpointing, output, backend, argc, argv);
    } else if (*population) {
      const ttcg::Backend backend = setup(common);
      ttcg::Scenario s = ttcg::load_scenario(population_scenario);
      if (!s.population)
        throw ttcg::InputError(population_scenario + ": the scenario has no [population] section (docs/scenario.md)");
      if (seed) s.population->seed = *seed;
      if (population_users) s.population->users = *population_users;
      if (population_replicates) s.population->replicates = *population_replicates;
      if (output.empty()) output = default_output({s});
      ttcg::JobOptions options;
      options.backend = backend;
      options.markets = options.ensembles = false;
      const ttcg::RunJob job({s}, options);
      return run_and_write(job, common, checkpointing, output, backend, argc, argv);
    } else if (*summary) {
      print_file_summaries(summary_file);
    } else if (*runlog_info) {
      ttcg::RunLogOptions o;
      if (!runlog_mapping.empty()) o.mapping = ttcg::load_field_mapping(runlog_mapping);
      o.strictness = runlog_strict ? ttcg::Strictness::strict : ttcg::Strictness::skip_malformed;
      o.threads = runlog_threads;
      ttcg::print_runlog_info(std::cout, ttcg::read_runlog(runlog_files, o));
    } else if (*curves) {
      ttcg::cli::run_curves_command(curves_command, command_line(argc, argv));
    }
  } catch (const ttcg::InputError& e) {
    // Bad input is found by every rank alike (each loads the same files): rank 0 tells, all exit. An error
    // that only some ranks see must not leave the others in a collective: abort the job.
    if (comm.size() > 1) comm.abort(std::string("error: ") + e.what(), EXIT_INPUT_ERROR);
    std::cerr << "ttcgames: error: " << e.what() << "\n";
    return EXIT_INPUT_ERROR;
  } catch (const std::exception& e) {
    if (comm.size() > 1) comm.abort(std::string("internal error: ") + e.what(), EXIT_INTERNAL_ERROR);
    std::cerr << "ttcgames: internal error: " << e.what() << "\n";
    return EXIT_INTERNAL_ERROR;
  }
  return 0;
}
