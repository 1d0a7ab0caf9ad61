// `ttcgames curves`: run logs → quality and cost curves (HDF5 and CSV). Kept apart from main.cpp, which only
// registers the subcommand and calls run_curves_command.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace ttcg::cli {

struct CurvesCommand {
  std::vector<std::string> logs;
  std::string mapping;
  std::vector<std::string> methods;
  std::string estimator = "permutations";
  bool exact = false;
  std::int64_t permutations = 0;  //!< 0: the library default
  std::uint64_t seed = 0;
  std::vector<int> theta;
  int bootstrap = -1;  //!< −1: the library default
  std::string jitter = "philox";
  std::string dataset;
  bool strict = false;
  std::string backend = "auto";
  int threads = 0;
  std::string output, csv;
  bool quiet = false;
};

//! Registers the subcommand and its options (with --help text) on `app`.
CLI::App* add_curves_command(CLI::App& app, CurvesCommand& command);
//! Runs it; throws InputError for bad input (nothing is written then).
void run_curves_command(const CurvesCommand& command, const std::string& command_line);

}  // namespace ttcg::cli
