// The one HDF5 layout of a statistic and of a histogram, shared by every stage that writes them (populations and
// ensembles; docs/hdf5-format.md, "Statistic and histogram groups").
//
// A statistic group holds what merges exactly — count, sum, sum_sq, min, max (a core Tally) — and what is derived
// from it: mean, sd (n − 1), standard_error (sd/√count) and the Student-t 95% interval of the mean ci95_low,
// ci95_high (t_{0.975, count−1}; NaN below two values). Attributes `units`, `description`, `confidence` (0.95) and
// `interval` ("student-t"). Optionally `quantile_probabilities` and `quantiles` (exact quantiles of the values) and a
// subgroup `histogram`: counts, edges (bins + 1; bin b is [edges[b], edges[b+1])), underflow, overflow, and the
// histogram's quantile_probabilities and quantiles (exact to one bin width).
//
// The readers take the file's format major version: version 1 files (ttcgames before the statistics schema was
// unified) are read too — their populations kept the histogram as datasets `histogram` and `histogram_range` in the
// tally group, their ensembles `histograms/<q>`, `quantiles/<q>` and `quantiles_exact/<q>` beside `statistics/<q>`.
// Derived values (mean, sd, intervals) are always recomputed from the sums, so a v1 file reads with Student-t
// intervals too.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ttcgames/core/tally.hpp"
#include "ttcgames/io/h5.hpp"

namespace ttcg::h5 {

//! A statistic group as read back.
struct Statistic {
  std::string units = "1", description;
  Tally tally;
  std::vector<double> quantile_probabilities, quantiles;  //!< exact quantiles of the values (empty: none stored)
  std::optional<Histogram> histogram;
  std::vector<double> histogram_probabilities, histogram_quantiles;  //!< the histogram's quantiles (may be empty)
};

//! Creates `parent/name` as a statistic group of `t` (InputError-free: the caller checks names).
Group write_statistic(Group& parent, const std::string& name, const Tally& t, const std::string& units,
                      const std::string& description);
//! Adds `quantile_probabilities` and `quantiles` (units of the statistic) to a statistic or histogram group.
void write_quantiles(Group& g, std::span<const double> probabilities, std::span<const double> quantiles,
                     const std::string& units, const std::string& description);
//! Creates the subgroup `histogram` of a statistic group, with the histogram's quantiles at `probabilities`.
Group write_histogram(Group& statistic, const Histogram& h, const std::string& units,
                      std::span<const double> probabilities);

//! Reads a statistic group (with its quantiles and histogram when present) of a file of format major version
//! `format_major` (1 or 2); InputError naming the dataset when it does not match the format.
Statistic read_statistic(const Group& g, int format_major);
//! Reads a histogram group (counts, edges, underflow, overflow); InputError when the edges do not bound the counts.
Histogram read_histogram(const Group& g);

}  // namespace ttcg::h5
