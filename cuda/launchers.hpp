// Interface between the CUDA entry points (cuda/entry_points.cpp, host C++20, implements the cuda_*.hpp headers of the
// stages) and the kernels' launchers (cuda/*.cu, CUDA C++17). It is plain C++17 without CUDA headers so that both sides
// include it: the public headers reach <span> (C++20) through game.hpp, which nvcc in C++17 mode cannot compile, so the
// .cu files see only this header and the TTCG_HD math headers.
//
// The reductions are over (welfare, profile index) pairs with a total order (welfare first, then the LOWER
// index on ties); an index of −1 marks "none" and is the identity. The result is therefore the same for any
// launch configuration, batch split or reduction tree.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ttcgames/core/hd.hpp"
#include "ttcgames/core/rng.hpp"
#include "ttcgames/ensemble/ensemble_math.hpp"
#include "ttcgames/inference/curves_math.hpp"
#include "ttcgames/market/enumeration_math.hpp"
#include "ttcgames/market/game_math.hpp"
#include "ttcgames/population/population_math.hpp"

namespace ttcg::cuda::detail {

//! Largest number of providers the kernels accept (bound of their per-thread profile array).
constexpr int MAX_PROVIDERS = 64;

//! A profile index with its welfare; index −1 means none.
struct Candidate {
  double welfare;
  std::int64_t index;
};

//! The higher welfare; the lower index on equal welfare. Welfare must not be NaN.
TTCG_HD inline Candidate higher_welfare(const Candidate& a, const Candidate& b) {
  if (a.index < 0) return b;
  if (b.index < 0) return a;
  if (a.welfare != b.welfare) return a.welfare > b.welfare ? a : b;
  return a.index < b.index ? a : b;
}

//! The lower welfare; the lower index on equal welfare. Welfare must not be NaN.
TTCG_HD inline Candidate lower_welfare(const Candidate& a, const Candidate& b) {
  if (a.index < 0) return b;
  if (b.index < 0) return a;
  if (a.welfare != b.welfare) return a.welfare < b.welfare ? a : b;
  return a.index < b.index ? a : b;
}

//! Count and welfare extremes of a set of pure Nash equilibria.
struct EquilibriumStats {
  std::int64_t count;
  Candidate worst;
  Candidate best;
};

TTCG_HD inline EquilibriumStats empty_stats() {
  return EquilibriumStats{0, {INFINITY, -1}, {-INFINITY, -1}};
}

//! Adds one equilibrium; within one caller indices must arrive in increasing order. Same rule as the CPU
//! loop: strict comparisons, so a NaN welfare is counted but never becomes the worst or the best.
TTCG_HD inline void add_equilibrium(EquilibriumStats& s, std::int64_t index, double welfare) {
  ++s.count;
  if (welfare < s.worst.welfare) s.worst = Candidate{welfare, index};
  if (welfare > s.best.welfare) s.best = Candidate{welfare, index};
}

TTCG_HD inline EquilibriumStats merge_stats(const EquilibriumStats& a, const EquilibriumStats& b) {
  return EquilibriumStats{a.count + b.count, lower_welfare(a.worst, b.worst), higher_welfare(a.best, b.best)};
}

//! Everything the enumeration produces besides the bookkeeping of EquilibriumSet.
struct EquilibriumScan {
  EquilibriumStats stats = empty_stats();
  std::vector<std::int64_t> indices;  //!< first max_stored equilibria, ascending
};

//! Number of devices; 0 on any error (no driver, driver too old). Never throws.
int query_device_count() noexcept;
//! "NAME (sm_XY, N SMs, M GiB)" for the current device, or why there is none. Never throws.
std::string describe_device() noexcept;
//! cudaSetDevice(local_rank mod count); the device index, or −1 without a device. Never throws.
int set_device_for_rank(int local_rank) noexcept;

//! Best completion over prefixes [0, prefixes) of providers 0..n−2; g and last point to host memory.
//! Requires 1 ≤ n ≤ MAX_PROVIDERS.
Candidate launch_exhaustive_optimum(const GameView& g, const LastProviderLevels& last, std::int64_t prefixes);

//! All pure NE over prefixes [0, prefixes); g points to host memory. Requires 1 ≤ n ≤ MAX_PROVIDERS and
//! 1 ≤ K ≤ ENUMERATION_MAX_LEVELS.
EquilibriumScan launch_enumerate_equilibria(const GameView& g, double log_tol, std::int64_t max_stored,
                                            std::int64_t prefixes);

// ---- Populations (cuda/population/population.cu) ----

//! A replicate's users and the query tables in device memory (opaque outside population.cu).
struct PopulationDevice;

//! Uploads the query tables (host pointers in g), draws `users` users of `replicate` on the device.
PopulationDevice* launch_population_open(const population::QueryView& g, const population::SamplingView& s,
                                         std::uint64_t seed, std::int64_t replicate, std::int64_t users,
                                         std::int64_t block_size);
void population_free(PopulationDevice* d) noexcept;
void launch_population_users(PopulationDevice* d, double* alpha, double* beta, double* v0, std::int32_t* question);
//! Per-block demand sums, [blocks][2n + 4]; t points to host memory.
void launch_population_demand(PopulationDevice* d, const population::ProfileView& t, double* out);
//! Per-block online log-sums of provider i's log-profit terms, [blocks][K] each.
void launch_population_utilities(PopulationDevice* d, const population::ProfileView& t, int i, double* max,
                                 double* sum);
void launch_population_outcomes(PopulationDevice* d, const population::ProfileView& t, const int* profile,
                                Reserve reserve, std::uint64_t seed, std::int64_t replicate, std::int64_t first,
                                std::int64_t count, population::Outcome* market, population::Outcome* auction,
                                double* first_best);

void launch_philox_draws(rng::Philox4x32Key key, const rng::Philox4x32Ctr* counters, std::int64_t count,
                         rng::Philox4x32Ctr* out);
void launch_portable_math(const double* x, std::int64_t count, double* exp_out, double* log_out, double* normal_out);

//! Ensemble markets [first, first + count), one thread per market (cuda/ensemble/ensemble.cu); p's pool arrays and
//! `out` are host memory. Requires first + count ≤ 2^32.
void launch_ensemble_markets(const EnsembleParams& p, std::int64_t first, std::int64_t count, MarketOutcome* out);

//! The permutation estimator's visits and fixed-order reductions (curves_math.hpp) for permutations
//! [0, permutations); view points to host memory. Requires N ≤ 2^31 − 1, Q and permutations ≤ 2^32 − 1.
PermutationTallies launch_permutation_tallies(const PermutationView& view, std::int64_t permutations);

}  // namespace ttcg::cuda::detail
