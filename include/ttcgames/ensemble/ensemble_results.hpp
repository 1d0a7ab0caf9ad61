// /ensemble/<name> of a result file (docs/hdf5-format.md): the draws' settings, counts, threshold fractions, the
// worst markets, one statistic group per tallied quantity (io/statistic_group.hpp: Student-t intervals, exact
// quantiles when the markets are stored, the histogram where there is one) and, when stored, every market. The
// summary printed from the file is run/ensemble_summary.hpp.
#pragma once

#include <string>
#include <vector>

#include "ttcgames/ensemble/ensemble.hpp"
#include "ttcgames/io/h5.hpp"

namespace ttcg {

//! A tallied quantity of an ensemble: its name in the file (statistics/<name>), its printed label, units, and where
//! it lives in the tallies and records.
struct EnsembleQuantity {
  const char* name;
  const char* label;
  const char* units;
  const char* description;
  const Tally EnsembleTallies::*tally;
  const Histogram EnsembleTallies::*histogram;   //!< nullptr: no histogram
  std::vector<double> EnsembleRecords::*values;  //!< per-market values for exact quantiles (nullptr: none)
  bool percent_of_ratio;                         //!< values are ratios; the quantity is 100·(ratio − 1)
};
//! Every tallied quantity, in the order of the file and the printed table.
const std::vector<EnsembleQuantity>& ensemble_quantities();

//! One-line description of an ensemble's draws (the group's `description`).
std::string describe_ensemble_settings(const EnsembleProblem& problem);

//! /ensemble/<name> of one ensemble; InputError when the name is taken.
void write_ensemble_group(h5::Group& root, const EnsembleResult& result);

}  // namespace ttcg
