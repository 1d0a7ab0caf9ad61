// `ttcgames market`: the pay-per-compute market of one scenario, its per-β table (no auction); a file with -o.
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/run/market_summary.hpp"
#include "ttcgames/run/scenario.hpp"

namespace ttcg::cli {
namespace {

struct MarketOptions {
  std::string scenario;
  std::vector<double> betas;
  std::string output;
  bool enumerate = false;
  bool no_enumerate = false;
  std::string enumeration;
  Common common;
  Checkpointing checkpointing;
};

}  // namespace

Command add_market_command(CLI::App& app) {
  auto o = std::make_shared<MarketOptions>();
  CLI::App* cmd =
      app.add_subcommand("market",
                         "Solve the pay-per-compute market of one scenario and print the per-beta table (no auction);\n"
                         "write HDF5 only with -o");
  cmd->add_option("scenario", o->scenario, "Scenario file (TOML)")->required();
  cmd->add_option("-b,--beta", o->betas, "Beta values to solve (default: the scenario's)")
      ->check(finite_range(0.0, MAX_BETA));
  cmd->add_option("-o,--output", o->output, "Also write the result file");
  auto* enumerate =
      cmd->add_flag("--enumerate", o->enumerate, "Enumerate all pure equilibria even if the scenario does not");
  cmd->add_flag("--no-enumerate", o->no_enumerate, "Skip the enumeration of all pure equilibria")->excludes(enumerate);
  add_enumeration_option(*cmd, o->enumeration);
  add_common(*cmd, o->common);
  add_checkpointing(*cmd, o->checkpointing);
  return {cmd,
          [o](const Invocation& invocation) {
            const JobSettings settings =
                job_settings(o->common, o->checkpointing, o->output, setup(o->common), invocation);
            ScenarioOverrides overrides;
            overrides.algorithm = enumeration_override(o->enumeration);
            const Scenario s = load_scenario(o->scenario, overrides);
            if (!s.has_market() && o->betas.empty())
              throw InputError(o->scenario +
                               ": the scenario has no [beta] values to solve its market at; give --beta B, or run "
                               "its ensemble with `ttcgames ensemble`");
            JobOptions options;
            options.backend = settings.backend;
            options.ensembles = options.populations = false;
            if (o->enumerate) options.enumerate = true;
            if (o->no_enumerate) options.enumerate = false;
            if (!o->betas.empty()) options.betas = o->betas;
            const RunJob job({s}, options);
            return run_job(job, settings,
                           [](const RunResults& results) {
                             ScenarioSummary table = market_summary_of(results.markets[0]);  // read back, as `summary`
                             table.has_auction = false;
                             print_summary(std::cout, table);
                           })
                .status;
          },
          true};
}

}  // namespace ttcg::cli
