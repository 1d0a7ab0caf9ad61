// Monte Carlo tallies that merge exactly (docs/model.md §7 and §8; docs/hdf5-format.md, the tally groups).
//
// A Tally keeps count, sum, sum of squares, min and max of a quantity; a Histogram counts values in fixed bins
// with under- and overflow. Work is split into fixed blocks (work units, identified by a block index, never by
// thread or rank); each block fills its own tallies; the blocks' tallies are then merged in increasing block
// order. Because the blocks and the merge order are fixed, the merged sums are bitwise identical for any thread
// count, rank count or backend that computes the same blocks. Means, standard deviations and confidence
// intervals are derived from the sums, never stored instead of them. Every confidence interval of a mean is Student
// t with count − 1 degrees of freedom at CONFIDENCE_LEVEL (student_t.hpp); below two values it is NaN.
//
// This header is C++17 and free of std:: containers in Tally so that kernels can fill tallies too.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "ttcgames/core/hd.hpp"
#include "ttcgames/core/student_t.hpp"

namespace ttcg {

//! count, Σx, Σx², min, max of a quantity (units of the quantity).
struct Tally {
  std::int64_t count = 0;
  double sum = 0.0;
  double sum_sq = 0.0;
  double min = INFINITY;
  double max = -INFINITY;

  TTCG_HD void add(double x) {
    ++count;
    sum += x;
    sum_sq += x * x;
    min = fmin(min, x);
    max = fmax(max, x);
  }
  //! Adds another tally (the merge of two blocks; call in block order for bitwise reproducibility).
  TTCG_HD void merge(const Tally& o) {
    count += o.count;
    sum += o.sum;
    sum_sq += o.sum_sq;
    min = fmin(min, o.min);
    max = fmax(max, o.max);
  }

  double mean() const { return count > 0 ? sum / static_cast<double>(count) : NAN; }
  //! Sample variance (n − 1 in the denominator), clamped at 0 against rounding; NaN below two values.
  double variance() const;
  double stddev() const { return std::sqrt(variance()); }
  //! Standard error of the mean.
  double standard_error() const;
  //! Half-width of the 95% confidence interval of the mean: t_{0.975, count−1} · standard_error (NaN below 2).
  double ci95_half_width() const { return confidence_t_factor(count) * standard_error(); }
  double ci95_low() const { return mean() - ci95_half_width(); }
  double ci95_high() const { return mean() + ci95_half_width(); }
};

//! Counts in `bins` equal-width bins over [lo, hi), with underflow (x < lo) and overflow (x ≥ hi or NaN).
struct Histogram {
  double lo = 0.0;
  double hi = 1.0;
  std::vector<std::int64_t> counts;  //!< [bins]
  std::int64_t underflow = 0;
  std::int64_t overflow = 0;

  Histogram() = default;
  Histogram(double lo, double hi, int bins);

  int bins() const { return static_cast<int>(counts.size()); }
  double bin_width() const { return (hi - lo) / bins(); }
  std::int64_t total() const;
  void add(double x);
  //! Adds another histogram with the same binning; std::invalid_argument otherwise.
  void merge(const Histogram& other);
  //! The p-quantile (0 ≤ p ≤ 1) by linear interpolation inside the bin that holds it; NaN when empty, ±inf when
  //! it falls in the under/overflow. Exact to one bin width.
  double quantile(double p) const;
};

//! The p-quantile of `values` (copied and sorted) with numpy's default linear interpolation; NaN when empty.
double exact_quantile(std::vector<double> values, double p);
//! exact_quantile at each of `probabilities`, sorting `values` once.
std::vector<double> exact_quantiles(std::vector<double> values, const std::vector<double>& probabilities);
//! The same for values already sorted ascending, bit for bit as numpy.quantile(method="linear"): virtual index
//! h = (n − 1)·p, and a + (b − a)·γ below γ = 0.5, b − (b − a)·(1 − γ) from there on.
double sorted_quantile(const std::vector<double>& sorted, double p);

}  // namespace ttcg
