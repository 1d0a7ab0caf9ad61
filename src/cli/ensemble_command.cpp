// `ttcgames ensemble`: the [ensemble] of one scenario (random markets drawn from its providers).
#include <memory>
#include <optional>

#include "cli.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/run/scenario.hpp"

namespace ttcg::cli {
namespace {

struct EnsembleOptions {
  std::string scenario;
  std::string output;
  std::optional<std::int64_t> seed;
  std::optional<std::int64_t> markets;
  bool no_enumerate = false;
  std::string enumeration;
  Common common;
  Checkpointing checkpointing;
};

}  // namespace

Command add_ensemble_command(CLI::App& app) {
  auto o = std::make_shared<EnsembleOptions>();
  CLI::App* cmd = app.add_subcommand(
      "ensemble",
      "Run the [ensemble] of one scenario (random markets drawn from its providers: equilibrium, optimum, PoA,\n"
      "auction, all pure equilibria of every market), write HDF5 and print the distributions");
  cmd->add_option("scenario", o->scenario, "Scenario file (TOML) with an [ensemble] section")->required();
  cmd->add_option("-o,--output", o->output,
                  "Result file (default: the scenario's [output] path, else results/<name>.h5)");
  cmd->add_option("--seed", o->seed, "Override the [ensemble] seed")->check(integer_range(0, MAX_SEED));
  cmd->add_option("-n,--markets", o->markets, "Override the number of markets")
      ->check(integer_range(1, ENSEMBLE_MAX_MARKETS));
  cmd->add_flag("--no-enumerate", o->no_enumerate, "Enumerate the pure equilibria of no market");
  add_enumeration_option(*cmd, o->enumeration);
  add_common(*cmd, o->common);
  add_checkpointing(*cmd, o->checkpointing);
  return {cmd,
          [o](const Invocation& invocation) {
            JobSettings settings = job_settings(o->common, o->checkpointing, o->output, setup(o->common), invocation);
            ScenarioOverrides overrides;
            overrides.seed = o->seed;
            overrides.ensemble_markets = o->markets;
            if (o->no_enumerate) overrides.ensemble_enumerate = false;
            overrides.algorithm = enumeration_override(o->enumeration);
            const Scenario s = load_scenario(o->scenario, overrides);
            if (!s.ensemble) throw InputError(o->scenario + ": the scenario has no [ensemble] section");
            if (settings.output.empty()) settings.output = default_output({s});
            JobOptions options;
            options.backend = settings.backend;
            options.markets = options.populations = false;
            const RunJob job({s}, options);
            return run_job(job, settings, [&](const RunResults&) { print_file_summaries(settings.output); }).status;
          },
          true};
}

}  // namespace ttcg::cli
