// The ttcgames command-line program: a thin layer that parses arguments and calls the library.
#include <omp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "ttcgames/backend.hpp"
#include "ttcgames/ensemble.hpp"
#include "ttcgames/error.hpp"
#include "ttcgames/results.hpp"
#include "ttcgames/run.hpp"
#include "ttcgames/scenario.hpp"
#include "ttcgames/version.hpp"

namespace {

constexpr int EXIT_INPUT_ERROR = 1;
constexpr int EXIT_INTERNAL_ERROR = 3;

struct Common {
  std::string backend = "auto";
  int threads = 0;
  bool quiet = false;
};

std::string version_text() {
  std::ostringstream s;
  s << "ttcgames " << ttcg::VERSION << " (commit " << std::string(ttcg::GIT_COMMIT).substr(0, 12)
    << (ttcg::cuda_built() ? ", CUDA backend built" : ", CPU only") << ", OpenMP " << _OPENMP << ")";
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
  const ttcg::Backend backend = ttcg::resolve_backend(ttcg::parse_backend_request(c.backend));
  if (!c.quiet && c.backend == "auto")
    std::cerr << "backend: " << ttcg::to_string(backend)
              << (backend == ttcg::Backend::cuda ? " (" + ttcg::cuda_device_description() + ")"
                                                 : std::string(" (") + ttcg::cuda_device_description() + ")")
              << ", " << omp_get_max_threads() << " OpenMP threads\n";
  return backend;
}

std::string command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
  return s;
}

void add_common(CLI::App& app, Common& c) {
  app.add_option("--backend", c.backend, "Compute backend for the enumerations: auto (GPU when present), cpu, cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  app.add_option("--threads", c.threads, "OpenMP threads (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::PositiveNumber);
  app.add_flag("-q,--quiet", c.quiet, "No progress bar, no summary: errors only");
}

std::vector<ttcg::ScenarioResult> solve(const std::vector<ttcg::Scenario>& scenarios, ttcg::Backend backend,
                                        const Common& c, std::optional<bool> enumerate,
                                        std::optional<std::vector<double>> betas) {
  std::vector<ttcg::ScenarioResult> results;
  for (const ttcg::Scenario& s : scenarios) {
    if (!s.has_market() && !betas) continue;  // an ensemble-only scenario
    ttcg::RunOptions o;
    o.backend = backend;
    o.enumerate = enumerate;
    o.betas = betas;
    ProgressBar bar(s.name, !c.quiet);
    o.progress = [&bar](std::size_t done, std::size_t total) { bar(done, total); };
    results.push_back(ttcg::run_scenario(s, o));
  }
  return results;
}

//! The ensembles of the scenarios that have one; `problems` keeps what the results point to.
std::vector<ttcg::EnsembleResult> run_ensembles(const std::vector<ttcg::Scenario>& scenarios, ttcg::Backend backend,
                                                const Common& c,
                                                std::vector<std::unique_ptr<ttcg::EnsembleProblem>>& problems) {
  std::vector<ttcg::EnsembleResult> results;
  for (const ttcg::Scenario& s : scenarios) {
    if (!s.ensemble) continue;
    problems.push_back(ttcg::make_ensemble_problem(s));
    ttcg::EnsembleRunOptions o;
    o.backend = backend;
    ProgressBar bar(problems.back()->spec().name, !c.quiet, "markets");
    o.progress = [&bar](std::int64_t done, std::int64_t total) {
      bar(static_cast<std::size_t>(done), static_cast<std::size_t>(total));
    };
    results.push_back(ttcg::run_ensemble(*problems.back(), o));
    results.back().scenario_toml = s.resolved_toml();
  }
  return results;
}

std::string default_output(const std::vector<ttcg::Scenario>& scenarios) {
  if (scenarios.size() > 1)
    throw ttcg::InputError("several scenarios go to one file: name it with -o (e.g. -o results/run.h5)");
  return scenarios[0].output.empty() ? "results/" + scenarios[0].name + ".h5" : scenarios[0].output;
}

void print_file_summaries(const std::string& path) {
  for (const auto& s : ttcg::read_summaries(path)) ttcg::print_summary(std::cout, s);
  for (const auto& e : ttcg::read_ensemble_reports(path)) ttcg::print_ensemble_report(std::cout, e);
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

  CLI::App* run = app.add_subcommand(
      "run",
      "Solve one or more scenarios (every beta: dynamics, certificate, optimum, PoA, equilibria; auction),\n"
      "write one HDF5 file and print the summary tables");
  run->add_option("scenarios", scenario_paths, "Scenario files (TOML)")->required();
  run->add_option("-o,--output", output, "Result file (default: the scenario's [output] path, else results/<name>.h5)");
  run->add_option("--seed", seed, "Override every scenario's [dynamics] and [ensemble] seed");
  run->add_flag("--no-enumerate", no_enumerate, "Skip the enumeration of all pure equilibria");
  add_common(*run, common);

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
  add_common(*market, common);

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
      "auction, all pure equilibria of small markets), write HDF5 and print the distributions");
  ensemble->add_option("scenario", ensemble_scenario, "Scenario file (TOML) with an [ensemble] section")->required();
  ensemble->add_option("-o,--output", output,
                       "Result file (default: the scenario's [output] path, else results/<name>.h5)");
  ensemble->add_option("--seed", seed, "Override the [ensemble] seed");
  ensemble->add_option("-n,--markets", ensemble_markets, "Override the number of markets")
      ->check(CLI::Range(std::int64_t{1}, ttcg::ENSEMBLE_MAX_MARKETS));
  add_common(*ensemble, common);

  std::string summary_file;
  CLI::App* summary = app.add_subcommand("summary", "Print the paper-style tables of a result file");
  summary->add_option("results", summary_file, "Result file (HDF5)")->required();

  CLI11_PARSE(app, argc, argv);

  try {
    if (*run) {
      const ttcg::Backend backend = setup(common);
      std::vector<ttcg::Scenario> scenarios;
      for (const std::string& p : scenario_paths) {
        scenarios.push_back(ttcg::load_scenario(p));
        if (seed) scenarios.back().dynamics.seed = *seed;
        if (seed && scenarios.back().ensemble) scenarios.back().ensemble->seed = *seed;
      }
      if (output.empty()) output = default_output(scenarios);
      const auto results =
          solve(scenarios, backend, common, no_enumerate ? std::optional<bool>(false) : std::nullopt, std::nullopt);
      std::vector<std::unique_ptr<ttcg::EnsembleProblem>> problems;
      const auto ensembles = run_ensembles(scenarios, backend, common, problems);
      ttcg::RunInfo info{ttcg::to_string(backend), omp_get_max_threads(), 1, command_line(argc, argv)};
      ttcg::write_results(output, results, ensembles, info);
      if (!common.quiet) {
        print_file_summaries(output);
        std::cerr << "wrote " << output << "\n";
      }
    } else if (*ensemble) {
      const ttcg::Backend backend = setup(common);
      ttcg::Scenario s = ttcg::load_scenario(ensemble_scenario);
      if (!s.ensemble) throw ttcg::InputError(ensemble_scenario + ": the scenario has no [ensemble] section");
      if (seed) s.ensemble->seed = *seed;
      if (ensemble_markets) s.ensemble->markets = *ensemble_markets;
      if (output.empty()) output = default_output({s});
      std::vector<std::unique_ptr<ttcg::EnsembleProblem>> problems;
      const auto ensembles = run_ensembles({s}, backend, common, problems);
      ttcg::RunInfo info{ttcg::to_string(backend), omp_get_max_threads(), 1, command_line(argc, argv)};
      ttcg::write_results(output, {}, ensembles, info);
      if (!common.quiet) {
        print_file_summaries(output);
        std::cerr << "wrote " << output << "\n";
      }
    } else if (*market) {
      const ttcg::Backend backend = setup(common);
      const ttcg::Scenario s = ttcg::load_scenario(market_scenario);
      if (!s.has_market() && market_betas.empty())
        throw ttcg::InputError(market_scenario +
                               ": the scenario has no [beta] values to solve its market at; give --beta B, or run "
                               "its ensemble with `ttcgames ensemble`");
      std::optional<bool> enumerate;
      if (force_enumerate) enumerate = true;
      if (no_enumerate) enumerate = false;
      const auto results =
          solve({s}, backend, common, enumerate, market_betas.empty() ? std::nullopt : std::optional(market_betas));
      ttcg::ScenarioSummary summary_table = ttcg::summarize(results[0]);
      summary_table.has_auction = false;
      if (!common.quiet) ttcg::print_summary(std::cout, summary_table);
      if (!output.empty()) {
        ttcg::RunInfo info{ttcg::to_string(backend), omp_get_max_threads(), 1, command_line(argc, argv)};
        ttcg::write_results(output, results, info);
        if (!common.quiet) std::cerr << "wrote " << output << "\n";
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
    } else if (*summary) {
      print_file_summaries(summary_file);
    }
  } catch (const ttcg::InputError& e) {
    std::cerr << "ttcgames: error: " << e.what() << "\n";
    return EXIT_INPUT_ERROR;
  } catch (const std::exception& e) {
    std::cerr << "ttcgames: internal error: " << e.what() << "\n";
    return EXIT_INTERNAL_ERROR;
  }
  return 0;
}
