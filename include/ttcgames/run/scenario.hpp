// Scenario files (TOML, format "ttcgames-scenario", docs/scenario.md): one market, where its providers come from,
// the β values to solve it at, the dynamics, the equilibrium enumeration, the auction, an optional ensemble of
// random markets drawn from its providers, and the output. Loading
// validates everything and resolves defaults and relative paths; unknown keys are errors naming the closest valid
// key. resolved_toml() writes the scenario back with every default made explicit (it is stored in each result).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ttcgames/ensemble/ensemble.hpp"
#include "ttcgames/inference/runlog_source.hpp"
#include "ttcgames/market/auction.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/equilibrium.hpp"
#include "ttcgames/market/market.hpp"
#include "ttcgames/market/market_scenario.hpp"
#include "ttcgames/population/population_spec.hpp"

namespace ttcg {

constexpr const char* SCENARIO_FORMAT = "ttcgames-scenario";
constexpr int SCENARIO_VERSION = 1;

//! An evenly spaced (linear or logarithmic) β sweep, endpoints included.
struct BetaSweep {
  double from = 1.0;
  double to = 1.0;
  int points = 1;
  bool logarithmic = true;
  std::vector<double> values() const;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string path;  //!< the scenario file ("" when parsed from text)

  MarketParams market;
  ProviderSource source;
  ProviderSet providers;

  std::vector<double> beta_values;  //!< listed values, solved first and tabulated by `summary`
  std::optional<BetaSweep> sweep;   //!< solved after the listed values
  std::vector<double> betas() const;

  DynamicsOptions dynamics;  //!< start already resolved to a profile
  StartKind start = StartKind::lowest;

  bool enumerate = false;
  EnumerationOptions enumeration;

  Reserve reserve = Reserve::none;
  std::string output;  //!< default output file ("" if none given)

  std::optional<EnsembleSpec> ensemble;      //!< [ensemble]: random markets drawn from these providers
  std::optional<PopulationSpec> population;  //!< [population]: a Monte Carlo population of users (population.hpp)

  //! Whether the scenario solves its own market (it has β values; an ensemble- or population-only scenario has
  //! none).
  bool has_market() const { return !betas().empty(); }

  //! The scenario with every default made explicit, as TOML text.
  std::string resolved_toml() const;

  //! Every file the scenario reads, with its role for messages ("scenario", "curves CSV", "prices CSV", "run log",
  //! "field mapping", "questions file"): what an output must never overwrite (io::FilePlan).
  std::vector<std::pair<std::string, std::string>> input_files() const;
};

//! Command-line values that replace keys of a scenario before it is parsed and validated, so that each gets the
//! checks and messages of the key it replaces. Keys of a section the scenario does not have are not added (the
//! command then says that the section is missing), except [dynamics] seed and [equilibria] algorithm, which have
//! defaults without their section.
struct ScenarioOverrides {
  std::optional<std::int64_t> seed;                   //!< [dynamics], [ensemble] and [population] seed
  std::optional<std::string> algorithm;               //!< [equilibria] algorithm ("--enumeration")
  std::optional<std::string> reserve;                 //!< [auction] reserve
  std::optional<bool> ensemble_enumerate;             //!< [ensemble] enumerate
  std::optional<std::int64_t> ensemble_markets;       //!< [ensemble] markets
  std::optional<std::int64_t> population_users;       //!< [population] users
  std::optional<std::int64_t> population_replicates;  //!< [population] replicates
};

//! Loads and validates a scenario file with `overrides` applied first; paths inside are relative to the file's
//! directory.
Scenario load_scenario(const std::string& path, const ScenarioOverrides& overrides = {});
//! Parses scenario text; `origin` names it in error messages and anchors relative paths (its directory).
Scenario parse_scenario(std::string_view text, const std::string& origin, const ScenarioOverrides& overrides = {});

}  // namespace ttcg
