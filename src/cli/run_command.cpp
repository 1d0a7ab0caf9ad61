// `ttcgames run`: every part of one or more scenarios (markets, auctions, ensembles, populations) into one file.
#include <iostream>
#include <memory>
#include <optional>

#include "cli.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/run/scenario.hpp"

namespace ttcg::cli {
namespace {

struct RunCommandOptions {
  std::vector<std::string> scenarios;
  std::string output;
  std::optional<std::int64_t> seed;
  bool no_enumerate = false;
  std::string enumeration;
  Common common;
  Checkpointing checkpointing;
};

}  // namespace

std::string default_output(const std::vector<Scenario>& scenarios) {
  if (scenarios.size() > 1)
    throw UsageError("several scenarios go to one file: name it with -o (e.g. -o results/run.h5)");
  return scenarios[0].output.empty() ? "results/" + scenarios[0].name + ".h5" : scenarios[0].output;
}

Command add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Solve one or more scenarios (every beta: dynamics, certificate, optimum, PoA, equilibria; auction; their\n"
      "ensembles and populations), write one HDF5 file and print the summary tables");
  cmd->add_option("scenarios", o->scenarios, "Scenario files (TOML)")->required();
  cmd->add_option("-o,--output", o->output,
                  "Result file (default: the scenario's [output] path, else results/<name>.h5)");
  cmd->add_option("--seed", o->seed, "Override every scenario's [dynamics], [ensemble] and [population] seed")
      ->check(integer_range(0, MAX_SEED));
  cmd->add_flag("--no-enumerate", o->no_enumerate,
                "Skip the enumeration of all pure equilibria (of the scenarios' markets and of the ensembles')");
  add_enumeration_option(*cmd, o->enumeration);
  add_common(*cmd, o->common);
  add_checkpointing(*cmd, o->checkpointing);
  return {cmd,
          [o](const Invocation& invocation) {
            JobSettings settings = job_settings(o->common, o->checkpointing, o->output, setup(o->common), invocation);
            ScenarioOverrides overrides;
            overrides.seed = o->seed;
            if (o->no_enumerate) overrides.ensemble_enumerate = false;
            overrides.algorithm = enumeration_override(o->enumeration);
            std::vector<Scenario> scenarios;
            for (const std::string& path : o->scenarios) scenarios.push_back(load_scenario(path, overrides));
            if (settings.output.empty()) settings.output = default_output(scenarios);
            JobOptions options;
            options.backend = settings.backend;
            if (o->no_enumerate) options.enumerate = false;
            const RunJob job(std::move(scenarios), options);
            return run_job(job, settings, [&](const RunResults&) { print_file_summaries(settings.output); }).status;
          },
          true};
}

}  // namespace ttcg::cli
