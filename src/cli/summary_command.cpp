// `ttcgames summary`: the paper-style tables of a result file.
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "summaries.hpp"
#include "ttcgames/population/population_results.hpp"
#include "ttcgames/run/results.hpp"

namespace ttcg::cli {

void print_file_summaries(const std::string& path) {
  print_result_file_summary(std::cout, read_result_file_summary(path));  // read whole, then print
}

Command add_summary_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("summary", "Print the paper-style tables of a result file");
  cmd->add_option("results", *file, "Result file (HDF5)")->required();
  return {cmd, [file](const Invocation&) {
            print_file_summaries(*file);
            return 0;
          }};
}

}  // namespace ttcg::cli
