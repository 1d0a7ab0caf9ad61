// The [ensemble] section of a scenario file (docs/scenario.md, "[ensemble]"): random markets drawn from the
// scenario's providers. The reader checks every key (unknown keys name the closest valid one; a bad value is reported
// at its file:line with what would be valid); the writer gives the resolved table back with every default explicit.
// The scenario loader (run/scenario.hpp) calls them; make_ensemble_problem then checks the spec against the market.
#pragma once

#include <toml++/toml.h>

#include "ttcgames/ensemble/ensemble.hpp"
#include "ttcgames/io/toml_reader.hpp"

namespace ttcg {

//! [ensemble] (t reads the table `ensemble`).
EnsembleSpec read_ensemble_section(TableReader t);
//! The resolved [ensemble] table.
toml::table ensemble_toml(const EnsembleSpec& spec);

}  // namespace ttcg
