// The ttcgames command-line program: a thin layer that parses arguments and calls the library.
#include <omp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "ttcgames/backend.hpp"
#include "ttcgames/error.hpp"
#include "ttcgames/h5.hpp"
#include "ttcgames/population.hpp"
#include "ttcgames/population_results.hpp"
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
  app.add_option("--backend", c.backend, "Compute backend for the enumerations and population passes: auto (GPU when present), cpu, cuda")
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
    if (s.betas().empty() && !betas) continue;  // a population-only scenario has no market stage
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

std::vector<ttcg::PopulationResult> simulate(const std::vector<ttcg::Scenario>& scenarios, ttcg::Backend backend,
                                             const Common& c) {
  std::vector<ttcg::PopulationResult> results;
  for (const ttcg::Scenario& s : scenarios) {
    if (!s.population) continue;
    ttcg::PopulationRunOptions o;
    o.backend = backend;
    ProgressBar bar(s.name, !c.quiet, "replicates");
    o.progress = [&bar](std::size_t done, std::size_t total) { bar(done, total); };
    results.push_back(ttcg::run_population(s, o));
  }
  return results;
}

//! One result file with the market/auction groups and the population groups of a run.
void write_run(const std::string& path, const std::vector<ttcg::Scenario>& scenarios,
               const std::vector<ttcg::ScenarioResult>& markets, const std::vector<ttcg::PopulationResult>& populations,
               const ttcg::RunInfo& info) {
  ttcg::h5::AtomicOutput out(path);
  {
    ttcg::h5::File file = ttcg::h5::File::create(out.temp_path());
    ttcg::h5::Group root = file.root();
    std::vector<const ttcg::Scenario*> all;
    for (const ttcg::Scenario& s : scenarios) all.push_back(&s);
    ttcg::write_root_attributes(root, info, scenarios.empty() ? 0 : scenarios[0].dynamics.seed,
                                ttcg::combined_scenario_toml(all));
    for (const ttcg::ScenarioResult& r : markets) ttcg::write_scenario_groups(root, r);
    for (const ttcg::PopulationResult& p : populations) {
      const auto s = std::find_if(scenarios.begin(), scenarios.end(), [&](const auto& x) { return x.name == p.name; });
      ttcg::write_population_group(root, p, s->resolved_toml(), s->path, s->description);
    }
  }
  out.commit();
}

void print_populations(const std::vector<ttcg::PopulationResult>& populations, const std::vector<ttcg::Scenario>& s) {
  for (const ttcg::PopulationResult& p : populations) {
    ttcg::PopulationSummary summary = ttcg::summarize_population(p);
    for (const ttcg::Scenario& x : s)
      if (x.name == p.name) summary.description = x.description;
    ttcg::print_population_summary(std::cout, summary);
  }
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
  run->add_option("--seed", seed, "Override every scenario's [dynamics] seed");
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

  std::string population_scenario;
  std::optional<std::int64_t> population_users, population_replicates;
  CLI::App* population = app.add_subcommand(
      "population",
      "Run the Monte Carlo population of one scenario ([population]): the equilibrium under population demand,\n"
      "its certificate, the optimum, and realized outcomes per user under the market and the auction");
  population->add_option("scenario", population_scenario, "Scenario file (TOML) with a [population] section")
      ->required();
  population->add_option("-o,--output", output, "Also write the result file");
  population->add_option("--seed", seed, "Override the [population] seed");
  population->add_option("--users", population_users, "Override [population] users")->check(CLI::PositiveNumber);
  population->add_option("--replicates", population_replicates, "Override [population] replicates")
      ->check(CLI::PositiveNumber);
  add_common(*population, common);

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
        if (seed && scenarios.back().population) scenarios.back().population->seed = *seed;
      }
      if (output.empty()) {
        if (scenarios.size() > 1)
          throw ttcg::InputError("several scenarios go to one file: name it with -o (e.g. -o results/run.h5)");
        output = scenarios[0].output.empty() ? "results/" + scenarios[0].name + ".h5" : scenarios[0].output;
      }
      const auto results =
          solve(scenarios, backend, common, no_enumerate ? std::optional<bool>(false) : std::nullopt, std::nullopt);
      const auto populations = simulate(scenarios, backend, common);
      ttcg::RunInfo info{ttcg::to_string(backend), omp_get_max_threads(), 1, command_line(argc, argv)};
      write_run(output, scenarios, results, populations, info);
      if (!common.quiet) {
        for (const auto& s : ttcg::read_summaries(output)) ttcg::print_summary(std::cout, s);
        print_populations(populations, scenarios);
        std::cerr << "wrote " << output << "\n";
      }
    } else if (*market) {
      const ttcg::Backend backend = setup(common);
      const ttcg::Scenario s = ttcg::load_scenario(market_scenario);
      std::optional<bool> enumerate;
      if (force_enumerate) enumerate = true;
      if (no_enumerate) enumerate = false;
      const auto results =
          solve({s}, backend, common, enumerate, market_betas.empty() ? std::nullopt : std::optional(market_betas));
      if (results.empty())
        throw ttcg::InputError(market_scenario + ": no beta values ([beta] or --beta) for the market");
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
    } else if (*population) {
      const ttcg::Backend backend = setup(common);
      ttcg::Scenario s = ttcg::load_scenario(population_scenario);
      if (!s.population)
        throw ttcg::InputError(population_scenario + ": no [population] section (docs/scenario.md, [population])");
      if (seed) s.population->seed = *seed;
      if (population_users) s.population->users = *population_users;
      if (population_replicates) s.population->replicates = *population_replicates;
      const auto populations = simulate({s}, backend, common);
      if (!common.quiet) print_populations(populations, {s});
      if (!output.empty()) {
        ttcg::RunInfo info{ttcg::to_string(backend), omp_get_max_threads(), 1, command_line(argc, argv)};
        write_run(output, {s}, {}, populations, info);
        if (!common.quiet) std::cerr << "wrote " << output << "\n";
      }
    } else if (*summary) {
      for (const auto& s : ttcg::read_summaries(summary_file)) ttcg::print_summary(std::cout, s);
      for (const auto& s : ttcg::read_population_summaries(summary_file)) ttcg::print_population_summary(std::cout, s);
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
