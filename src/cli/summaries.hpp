// What the computing commands print after writing, read back from the result file like `ttcgames summary` does,
// and the defaults they share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ttcgames/run/scenario.hpp"

namespace ttcg::cli {

//! Prints the tables of every market, ensemble and population of a result file.
void print_file_summaries(const std::string& path);
//! The output of a single scenario: its [output] path, else results/<name>.h5; UsageError for several scenarios.
std::string default_output(const std::vector<Scenario>& scenarios);

}  // namespace ttcg::cli
