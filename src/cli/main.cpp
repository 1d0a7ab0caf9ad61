// The ttcgames program: registers the subcommands (one file each in src/cli/), runs the chosen one and maps how it
// ended to the exit status contract of core/exit_status.hpp (docs/cli.md, "Exit status"), in this one place.
#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli.hpp"
#include "ttcgames/core/cuda_device.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/core/exit_status.hpp"
#include "ttcgames/core/interrupt.hpp"
#include "ttcgames/core/version.hpp"
#include "ttcgames/run/comm.hpp"

namespace {

std::string version_text() {
  std::ostringstream s;
  s << "ttcgames " << ttcg::VERSION << " (commit " << std::string(ttcg::GIT_COMMIT).substr(0, 12)
    << (ttcg::cuda_built() ? ", CUDA backend built" : ", CPU only") << (ttcg::mpi_built() ? ", MPI" : ", without MPI")
    << ", OpenMP " << _OPENMP << ")";
  return s.str();
}

const char* const DESCRIPTION =
    "ttcgames: test-time compute games. Computes equilibria, social optima, prices of anarchy and stability of\n"
    "LLM-as-a-service markets whose providers choose test-time compute, and the reverse second-price auction\n"
    "that restores efficiency (arXiv 2601.21839). Scenarios are TOML files (docs/scenario.md); results are\n"
    "self-describing HDF5 files (docs/hdf5-format.md). Exit status: 0 success, 1 error, 2 usage, 75 stopped at a\n"
    "time limit (resumable), 128+N interrupted by signal N (docs/cli.md).";

//! Reports an error on every rank's behalf: under MPI the first failing rank ends the whole job.
int fail(const ttcg::Communicator& comm, const std::string& kind, const std::string& what, int status) {
  if (comm.size() > 1) comm.abort(kind + what, status);
  std::cerr << "ttcgames: " << kind << what << "\n";
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  namespace exit_status = ttcg::exit_status;
  ttcg::interrupt::install_handlers();
  CLI::App app{DESCRIPTION, "ttcgames"};
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);
  const std::vector<ttcg::cli::Command> commands{
      ttcg::cli::add_run_command(app),         ttcg::cli::add_market_command(app),
      ttcg::cli::add_auction_command(app),     ttcg::cli::add_ensemble_command(app),
      ttcg::cli::add_population_command(app),  ttcg::cli::add_summary_command(app),
      ttcg::cli::add_runlog_info_command(app), ttcg::cli::add_curves_command(app),
      ttcg::cli::add_collect_command(app)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_status::USAGE;
  }

  // Under mpirun/srun every rank runs this program; rank 0 reads back, prints and writes.
  std::optional<ttcg::MpiSession> mpi;
  try {
    mpi.emplace(&argc, &argv);
  } catch (const std::exception& e) {
    std::cerr << "ttcgames: error: cannot start MPI: " << e.what() << "\n";
    return exit_status::ERROR;
  }
  const ttcg::Communicator& comm = ttcg::Communicator::world();
  const ttcg::cli::Invocation invocation{argc, argv};
  try {
    for (const ttcg::cli::Command& command : commands)
      if (command.app->parsed())
        return command.distributed || comm.is_root() ? command.run(invocation) : exit_status::SUCCESS;
    return exit_status::USAGE;
  } catch (const ttcg::JobError& e) {  // raised on every rank alike: no rank waits, none needs aborting
    if (comm.is_root()) std::cerr << "ttcgames: error: " << e.what() << "\n";
    return exit_status::ERROR;
  } catch (const ttcg::cli::UsageError& e) {
    return fail(comm, "usage error: ", e.what(), exit_status::USAGE);
  } catch (const ttcg::InputError& e) {
    // Bad input is found by every rank alike (each loads the same files): rank 0 tells, all exit.
    return fail(comm, "error: ", e.what(), exit_status::ERROR);
  } catch (const std::runtime_error& e) {  // IoError, NumericalError, HDF5 failures
    return fail(comm, "error: ", e.what(), exit_status::ERROR);
  } catch (const std::bad_alloc&) {
    return fail(comm, "error: ", "out of memory (the run's estimate was too low: make it smaller)", exit_status::ERROR);
  } catch (const std::exception& e) {
    return fail(comm, "internal error: ", std::string(e.what()) + " (please report this)", exit_status::ERROR);
  }
}
