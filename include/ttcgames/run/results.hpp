// Result files of a run (HDF5, format "ttcgames-results" 2.0, specified in docs/hdf5-format.md): the market and
// auction groups of the scenarios and the resolved scenario text; the format's identity, root attributes and opening
// for reading are io/result_file.hpp. A file is written to a temporary name and renamed when
// complete. What is printed from a file is run/file_summary.hpp.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "ttcgames/ensemble/ensemble.hpp"
#include "ttcgames/io/h5.hpp"
#include "ttcgames/io/result_file.hpp"
#include "ttcgames/run/run.hpp"

namespace ttcg {

//! The resolved TOML of one or more scenarios, separated by "# ---- scenario <name> ----" lines when several.
std::string combined_scenario_toml(const std::vector<const Scenario*>& scenarios);
//! /market/<name> and /auction/<name> of one scenario; InputError when the name is taken.
void write_scenario_groups(h5::Group& root, const ScenarioResult& result);

}  // namespace ttcg
