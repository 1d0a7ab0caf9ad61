// `ttcgames summary`: the tables of a result file of any kind (markets, populations, ensembles, curves), or the same
// read-back summary as CSV or JSON. The computing commands print the table through print_file_summaries too.
#include <iostream>
#include <map>
#include <memory>

#include "cli.hpp"
#include "ttcgames/run/file_summary.hpp"

namespace ttcg::cli {

void print_file_summaries(const std::string& path) {
  print_result_file_summary(std::cout, read_result_file_summary(path));  // read whole, then print
}

namespace {

struct SummaryOptions {
  std::string file;
  std::string format = "table";
  std::string kind;
};

}  // namespace

Command add_summary_command(CLI::App& app) {
  auto o = std::make_shared<SummaryOptions>();
  CLI::App* cmd = app.add_subcommand(
      "summary", "Print the summary of a result file (markets, populations, ensembles or curves): tables, CSV or JSON");
  cmd->add_option("results", o->file, "Result file (HDF5)")->required();
  cmd->add_option("--format", o->format,
                  "table (default; with legends), csv (one row per scenario x beta, per statistic, or per model x "
                  "theta; one section per kind) or json (one array of rows per kind)")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_option("--kind", o->kind, "Only this kind of group: markets, populations, ensembles or curves")
      ->check(CLI::IsMember(summary_kinds()));
  return {cmd, [o](const Invocation&) {
            static const std::map<std::string, SummaryFormat> formats{
                {"table", SummaryFormat::table}, {"csv", SummaryFormat::csv}, {"json", SummaryFormat::json}};
            const ResultFileSummary summary = read_result_file_summary(o->file);  // read whole, then print
            print_result_file_summary(std::cout, summary, formats.at(o->format), o->kind);
            return 0;
          }};
}

}  // namespace ttcg::cli
