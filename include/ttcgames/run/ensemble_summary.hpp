// The summary of an ensemble as read back from /ensemble/<name> of a result file (format 1 or 2): the counts
// (converged, non_converged, infinite PoA, ...), the threshold fractions, the worst markets and one statistic per
// tallied quantity with its Student-t interval and quantiles (exact when the markets were stored, else from the
// histogram).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "ttcgames/ensemble/ensemble.hpp"
#include "ttcgames/run/population_summary.hpp"

namespace ttcg {

//! What `ttcgames run` and `ttcgames summary` print for one ensemble.
struct EnsembleReport {
  std::string name, settings, backend;
  std::int64_t markets = 0, converged = 0, non_converged = 0, infinite_poa = 0, enumerated = 0, no_equilibrium = 0,
               auction_no_trade = 0;
  std::vector<double> quantile_probabilities, thresholds;
  std::vector<std::int64_t> above;         //!< markets above each threshold
  std::int64_t above_base = 0;             //!< the markets `above` counts among: converged (format 2), all (1)
  std::vector<NamedStatistic> statistics;  //!< group "markets", one per tallied quantity
  std::vector<WorstMarket> worst;
  int threads = 1;
  double seconds = 0.0;
};
//! One report per /ensemble group of an open file of format major version `format_major`.
std::vector<EnsembleReport> read_ensemble_reports(const h5::Group& root, int format_major);
//! The quantiles printed for a statistic: the exact ones when stored, else the histogram's (empty when neither).
const std::vector<double>& printed_quantiles(const h5::Statistic& s);
void print_ensemble_report(std::ostream& out, const EnsembleReport& report);

}  // namespace ttcg
