// Reading and writing the [population] section of a scenario (private to src/: scenario.cpp calls it). The format
// is specified in docs/scenario.md, section [population].
#pragma once

#include <toml++/toml.h>

#include <string>

#include "ttcgames/population/population_spec.hpp"
#include "ttcgames/io/toml_reader.hpp"

namespace ttcg {

struct Scenario;

//! Parses [population] (t reads the table `population`); defaults come from the scenario's [market] and
//! [providers], relative paths are resolved against base_dir. The query sources are opened and checked against
//! the providers here, so that a missing model or an empty question intersection is reported at its key.
PopulationSpec read_population_section(TableReader t, const Scenario& s, const std::string& base_dir);

//! The resolved [population] table (every default explicit, paths absolute).
toml::table population_toml(const PopulationSpec& spec);

}  // namespace ttcg
