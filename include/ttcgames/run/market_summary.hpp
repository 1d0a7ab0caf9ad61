// The summary of a scenario's market and auction as read back from a result file: one row per β (the reached
// profile as θ per provider, SW, SW*, PoA, the certificate, the enumeration's worst PoA and PoS) and the auction.
// Printed as the paper-style table with a legend of units (run/file_summary.hpp for csv and json).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "ttcgames/io/h5.hpp"
#include "ttcgames/market/auction.hpp"
#include "ttcgames/run/run.hpp"

namespace ttcg {

//! One β of a scenario.
struct SummaryRow {
  double beta = 0.0;
  MarketStats stats;
  double optimal_welfare = 0.0, equilibrium_welfare = 0.0, price_of_anarchy = 0.0, max_regret = 0.0;
  std::int64_t num_equilibria = -1;  //!< −1 when not enumerated
  double price_of_anarchy_worst = 0.0, price_of_stability = 0.0;
  std::vector<double> equilibrium_theta;  //!< θ of each provider at the reached profile
};
struct ScenarioSummary {
  std::string name, description, value_curve;
  int n = 0, K = 0;
  double alpha = 0.0, markup = 0.0, v0 = 0.0;
  std::vector<SummaryRow> rows;   //!< the listed β values (all β when none were listed)
  std::vector<SummaryRow> sweep;  //!< every β, for the sweep line and the machine-readable formats
  bool has_auction = false;
  std::string winner, runner_up, reserve;
  double winner_score = 0.0, runner_up_score = 0.0;
  double auction_welfare = 0.0, user_value = 0.0, price = 0.0, winner_utility = 0.0;
  double seconds = 0.0;
};

//! /market/<name> (and /auction/<name> when present) of an open file; InputError naming the first dataset that does
//! not match the format.
ScenarioSummary read_market_summary(const h5::Group& root, const h5::Group& market, const std::string& name);
//! Every /market group of an open file.
std::vector<ScenarioSummary> read_market_summaries(const h5::Group& root);
//! A scenario's summary without a file on disk: its groups written to an in-memory file and read back.
ScenarioSummary market_summary_of(const ScenarioResult& result);
//! "(θ1,θ2,...)".
std::string theta_profile(const std::vector<double>& theta);
void print_summary(std::ostream& out, const ScenarioSummary& s);

}  // namespace ttcg
