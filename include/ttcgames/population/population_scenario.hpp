// Reading and writing the [population] section of a scenario (the scenario loader, run/scenario.cpp, calls it). The
// format is specified in docs/scenario.md, section [population].
#pragma once

#include <toml++/toml.h>

#include <string>

#include "ttcgames/inference/runlog_source.hpp"
#include "ttcgames/io/toml_reader.hpp"
#include "ttcgames/market/market.hpp"
#include "ttcgames/population/population_spec.hpp"

namespace ttcg {

//! What the [population] section reads from the rest of its scenario (already parsed).
struct ScenarioContext {
  const MarketParams& market;
  const ProviderSet& providers;
  const ProviderSource& source;
};

//! Parses [population] (t reads the table `population`); defaults come from the scenario's [market] and
//! [providers], relative paths are resolved against base_dir. The query sources are opened and checked against
//! the providers here, so that a missing model or an empty question intersection is reported at its key.
PopulationSpec read_population_section(TableReader t, const ScenarioContext& s, const std::string& base_dir);

//! The resolved [population] table (every default explicit, paths absolute).
toml::table population_toml(const PopulationSpec& spec);

}  // namespace ttcg
