// `ttcgames population`: the [population] of one scenario (heterogeneous users and queries).
#include <memory>
#include <optional>

#include "cli.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/run/scenario.hpp"

namespace ttcg::cli {
namespace {

struct PopulationOptions {
  std::string scenario;
  std::string output;
  std::optional<std::int64_t> seed;
  std::optional<std::int64_t> users, replicates;
  Common common;
  Checkpointing checkpointing;
};

}  // namespace

Command add_population_command(CLI::App& app) {
  auto o = std::make_shared<PopulationOptions>();
  CLI::App* cmd = app.add_subcommand(
      "population",
      "Run the [population] of one scenario (heterogeneous users and queries: the equilibrium under population\n"
      "demand with its certificate, the optimum, realized outcomes per user under the market and the auction),\n"
      "write HDF5 and print the summary");
  cmd->add_option("scenario", o->scenario, "Scenario file (TOML) with a [population] section")->required();
  cmd->add_option("-o,--output", o->output,
                  "Result file (default: the scenario's [output] path, else results/<name>.h5)");
  cmd->add_option("--seed", o->seed, "Override the [population] seed")->check(integer_range(0, MAX_SEED));
  cmd->add_option("--users", o->users, "Override [population] users")->check(integer_range(1, POPULATION_MAX_USERS));
  cmd->add_option("--replicates", o->replicates, "Override [population] replicates")
      ->check(integer_range(1, POPULATION_MAX_REPLICATES));
  add_common(*cmd, o->common);
  add_checkpointing(*cmd, o->checkpointing);
  return {cmd,
          [o](const Invocation& invocation) {
            JobSettings settings = job_settings(o->common, o->checkpointing, o->output, setup(o->common), invocation);
            ScenarioOverrides overrides;
            overrides.seed = o->seed;
            overrides.population_users = o->users;
            overrides.population_replicates = o->replicates;
            const Scenario s = load_scenario(o->scenario, overrides);
            if (!s.population)
              throw InputError(o->scenario + ": the scenario has no [population] section (docs/scenario.md)");
            if (settings.output.empty()) settings.output = default_output({s});
            JobOptions options;
            options.backend = settings.backend;
            options.markets = options.ensembles = false;
            const RunJob job({s}, options);
            return run_job(job, settings, [&](const RunResults&) { print_file_summaries(settings.output); }).status;
          },
          true};
}

}  // namespace ttcg::cli
