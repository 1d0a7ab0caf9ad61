// Everything `ttcgames summary` prints for a result file of any kind — markets (with their auctions), populations,
// ensembles and curves — read back from the file (format 1 or 2) in one place, and printed as the paper-style tables
// (with legends of units), as CSV or as JSON. The computing commands print the same tables after writing, read
// back from the file they wrote.
//
// Machine-readable rows (docs/cli.md): markets, one row per scenario × β; populations and ensembles, one row per
// statistic; curves, one row per dataset × method × model × θ. CSV: one section per kind present, each with its
// header line (first column `kind`), sections separated by an empty line; JSON: an object with one array of row
// objects per kind. Numbers are written shortest-round-trip; NaN is empty in CSV and null in JSON.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "ttcgames/run/ensemble_summary.hpp"
#include "ttcgames/run/job.hpp"
#include "ttcgames/run/market_summary.hpp"
#include "ttcgames/run/population_summary.hpp"

namespace ttcg {

//! One /curves/<dataset>/<method> group: [model, level] arrays, row-major.
struct CurvesSummary {
  std::string dataset, method, estimator;
  double confidence = 0.0;
  std::vector<std::string> models;
  std::vector<double> theta;
  std::vector<double> accuracy, accuracy_low, accuracy_high, tokens, tokens_low, tokens_high;
  std::vector<std::int64_t> questions;  //!< per model
};

//! Everything `ttcgames summary` prints, read whole before anything is printed (a damaged file prints nothing).
struct ResultFileSummary {
  int format_major = 0;
  std::vector<ScenarioSummary> markets;
  std::vector<EnsembleReport> ensembles;
  std::vector<PopulationSummary> populations;
  std::vector<CurvesSummary> curves;
};

enum class SummaryFormat { table, csv, json };
//! The kinds of a file: "markets", "populations", "ensembles", "curves".
const std::vector<std::string>& summary_kinds();

//! Reads every /market, /ensemble, /population and /curves group of a result file (InputError naming the file and
//! the dataset at the first one that does not match the format).
ResultFileSummary read_result_file_summary(const std::string& path);
//! The summary of results not written to a file (`curves --csv` without -o): the job's groups written to an
//! in-memory HDF5 image and read back by the same reader as a file's.
ResultFileSummary summarize_results(const RunJob& job, const RunResults& results);
//! Prints the summary in `format`; `kind` ("" for all) restricts it to one kind of group.
void print_result_file_summary(std::ostream& out, const ResultFileSummary& summary,
                               SummaryFormat format = SummaryFormat::table, const std::string& kind = "");

}  // namespace ttcg
