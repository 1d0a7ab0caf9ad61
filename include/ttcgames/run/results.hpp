// Result files (HDF5, format "ttcgames-results" 1.0, specified in docs/hdf5-format.md) and the paper-style summary
// tables printed from them. A file is written to a temporary name and renamed when complete.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "ttcgames/ensemble/ensemble.hpp"
#include "ttcgames/io/h5.hpp"
#include "ttcgames/population/population_results.hpp"
#include "ttcgames/run/run.hpp"

namespace ttcg {

constexpr const char* RESULTS_FORMAT = "ttcgames-results";
constexpr int RESULTS_FORMAT_MAJOR = 1;
//! 1.1 adds /population/<scenario> and /ensemble/<name>; 1.2 the root `seconds` (the whole run), each group's own
//! `seconds`, `enumeration_algorithm`, and `beta_values` as a dataset; 1.3 netCDF-4 dimensions (dimension scales, the
//! coordinate variables `provider` and `quantile`, dimensions without coordinate values), for xarray.
constexpr int RESULTS_FORMAT_MINOR = 3;

//! Run-level facts recorded as root attributes.
struct RunInfo {
  std::string backend = "cpu";
  int threads = 1;
  int ranks = 1;
  std::string command_line;
};

//! Root attributes of every result file (docs/hdf5-format.md, "Root attributes"). Other stages (curves, populations,
//! ensembles) write their groups into a file that starts with these.
void write_root_attributes(h5::Group& root, const RunInfo& info, std::uint64_t seed, const std::string& scenario_toml);
//! The resolved TOML of one or more scenarios, separated by "# ---- scenario <name> ----" lines when several.
std::string combined_scenario_toml(const std::vector<const Scenario*>& scenarios);
//! /market/<name> and /auction/<name> of one scenario; InputError when the name is taken.
void write_scenario_groups(h5::Group& root, const ScenarioResult& result);
//! /ensemble/<name> of one ensemble; InputError when the name is taken.
void write_ensemble_group(h5::Group& root, const EnsembleResult& result);

//! One tallied quantity of an ensemble as printed: its tally and quantiles (exact when the markets are stored).
struct EnsembleStatistic {
  std::string label;
  Tally tally;
  std::vector<double> quantiles;  //!< at EnsembleReport::quantile_probabilities
};

//! What `ttcgames run` and `ttcgames summary` print for one ensemble.
struct EnsembleReport {
  std::string name, settings, backend;
  std::int64_t markets = 0, not_converged = 0, infinite_poa = 0, enumerated = 0, no_equilibrium = 0,
               auction_no_trade = 0;
  std::vector<double> quantile_probabilities, thresholds;
  std::vector<std::int64_t> above;  //!< markets above each threshold
  std::vector<EnsembleStatistic> statistics;
  std::vector<WorstMarket> worst;
  int threads = 1;
  double seconds = 0.0;
};
EnsembleReport summarize(const EnsembleResult& result);
//! One report per /ensemble group of a result file, each dataset checked against the format first.
std::vector<EnsembleReport> read_ensemble_reports(const std::string& path);
void print_ensemble_report(std::ostream& out, const EnsembleReport& report);

//! What `ttcgames summary` prints for one scenario.
struct SummaryRow {
  double beta = 0.0;
  MarketStats stats;
  double optimal_welfare = 0.0, equilibrium_welfare = 0.0, price_of_anarchy = 0.0, max_regret = 0.0;
  std::int64_t num_equilibria = -1;  //!< −1 when not enumerated
  double price_of_anarchy_worst = 0.0, price_of_stability = 0.0;
};
struct ScenarioSummary {
  std::string name, description, value_curve;
  int n = 0, K = 0;
  double alpha = 0.0, markup = 0.0, v0 = 0.0;
  std::vector<SummaryRow> rows;   //!< the listed β values (all β when none were listed)
  std::vector<SummaryRow> sweep;  //!< every β, for the sweep line
  bool has_auction = false;
  std::string winner, runner_up, reserve;
  double winner_score = 0.0, runner_up_score = 0.0;
  double auction_welfare = 0.0, user_value = 0.0, price = 0.0, winner_utility = 0.0;
  double seconds = 0.0;
};

ScenarioSummary summarize(const ScenarioResult& result);
//! One summary per /market group of a result file, each dataset checked against the format first.
std::vector<ScenarioSummary> read_summaries(const std::string& path);
void print_summary(std::ostream& out, const ScenarioSummary& s);

//! Opens a file for reading as a ttcgames result file: InputError unless its root attributes say format
//! "ttcgames-results" with major version RESULTS_FORMAT_MAJOR (a newer minor version reads: it only adds).
h5::File open_results_file(const std::string& path);

//! Everything `ttcgames summary` prints, read whole before anything is printed (a damaged file prints nothing).
struct ResultFileSummary {
  std::vector<ScenarioSummary> markets;
  std::vector<EnsembleReport> ensembles;
  std::vector<PopulationSummary> populations;
};
//! Reads every /market, /ensemble and /population group of a result file (InputError naming the file and the
//! dataset at the first one that does not match the format).
ResultFileSummary read_result_file_summary(const std::string& path);
void print_result_file_summary(std::ostream& out, const ResultFileSummary& summary);

}  // namespace ttcg
