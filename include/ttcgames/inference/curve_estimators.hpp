// The estimators behind the curves of curves.hpp (docs/model.md §4): the reference's θ grid, one model's samples
// as a rectangular matrix, the permutation estimator in blocks (OpenMP or CUDA, bitwise identical), the closed forms
// of pass@k and best-of-θ over uniformly random θ-subsets, the reference's percentile error bars and the
// percentile bootstrap over resampled units (questions, or a bin's samples).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ttcgames/core/backend.hpp"
#include "ttcgames/inference/curves_math.hpp"
#include "ttcgames/inference/runlog.hpp"

namespace ttcg {

//! The mean of `values` summed in order (NaN when empty): the one mean of the estimators and their bars.
double mean_in_order(std::span<const double> values);

//! The reference's levels: 2^i for 0 ≤ i < floor(log2 N), without 2 (N = 128: 1, 4, 8, 16, 32, 64).
std::vector<int> reference_theta_grid(std::int64_t samples);

//! One model's first N samples per question as a rectangular matrix, answer classes renumbered 0, 1, … per question
//! in order of first appearance. InputError for a NaN reward or token count, negative tokens, or a question with
//! fewer than N samples.
struct SampleMatrix {
  std::string model;
  std::vector<std::string> qid;
  std::int64_t Q = 0;
  std::int32_t N = 0;
  std::vector<std::int32_t> label, labels;
  std::vector<std::uint8_t> correct;
  std::vector<double> reward, tokens;

  //! A view for the levels `theta` (kept alive by the caller) and the permutation seed.
  PermutationView view(const std::vector<std::int32_t>& theta, std::uint64_t seed) const;
};
SampleMatrix sample_matrix(const RunLog& log, std::int64_t samples);

//! Work blocks of the permutation estimator: ceil(permutations / PERMUTATION_BLOCK).
std::int64_t permutation_blocks(std::int64_t permutations);

//! The sums of one block of permutations [first, first + count).
struct PermutationBlock {
  std::int64_t first = 0, count = 0;
  std::vector<std::int64_t> trial_majority, trial_best, trial_any;  //!< [count*K]
  std::vector<double> trial_tokens;
  std::vector<std::int64_t> question_majority, question_best, question_any;  //!< [Q*K]
  std::vector<double> question_tokens;
};

//! Visits every question in the permutations of block `block` (single-threaded; blocks are independent).
PermutationBlock compute_permutation_block(const PermutationView& view, std::int64_t permutations, std::int64_t block);
//! Merges the blocks of one run (all of them, any order given; merged in increasing block order).
PermutationTallies merge_permutation_blocks(const PermutationView& view, std::int64_t permutations,
                                            std::span<const PermutationBlock> blocks);
//! All permutations: OpenMP over blocks on the CPU, or the CUDA kernel; bitwise identical results.
PermutationTallies permutation_tallies(const PermutationView& view, std::int64_t permutations, Backend backend);

//! C(n − bad, k) / C(n, k): the probability that a uniformly random k-subset of n items avoids `bad` given items.
//! Exact 0 when k > n − bad; relative error ~1e-12 up to n ~ 1e15 (products of min(k, bad) factors in log1p form,
//! or a Stirling-series log-gamma ratio when both are large).
double subset_avoid_probability(std::int64_t n, std::int64_t bad, std::int64_t k);
//! The unbiased pass@k estimator 1 − C(n − c, k)/C(n, k) for c correct of n samples, 1 ≤ k ≤ n.
double pass_at_k(std::int64_t n, std::int64_t c, std::int64_t k);
//! P(best-of-θ is correct) for a uniformly random θ-subset of the samples, per level.
std::vector<double> best_of_exact(std::span<const double> reward, std::span<const std::uint8_t> correct,
                                  std::span<const std::int32_t> theta);

//! The reference's error bars (_ci_percentile): max(0, mean − q_lo), max(0, q_hi − mean) of `values`, with the
//! percentiles (1 ∓ confidence)/2 by numpy's linear interpolation.
struct ErrorBars {
  double lo = 0.0, hi = 0.0;
};
ErrorBars percentile_bars(std::span<const double> values, double confidence);

//! Percentile bootstrap of ratios of sums over resampled units: unit u contributes num[u*C + c] and den[u*C + c]
//! (den empty: 1) to column c of C = `columns`; each of B resamples draws `units` units with replacement (Philox
//! stream BOOTSTRAP_STREAM of `seed`, counter (b, 0, entity, ·)); lo = estimate − q_lo, hi = q_hi − estimate at
//! `confidence`; sd = standard deviation of the resampled statistics. NaN bars where a resample is NaN, B ≤ 0 or
//! units ≤ 0; NaN sd when B < 2.
struct BootstrapBars {
  std::vector<double> lo, hi, sd;
};
BootstrapBars bootstrap_ratio(const std::vector<double>& num, const std::vector<double>& den, std::int64_t units,
                              int columns, const std::vector<double>& estimate, int B, std::uint64_t seed,
                              std::uint32_t entity, double confidence);

}  // namespace ttcg
