// Entry points of the CUDA backend (cuda/). Host-only declarations: plain structs and host pointers, no CUDA
// headers, so the rest of the project compiles with g++ alone. In a build without CUDA these throw InputError.
#pragma once

#include <cstdint>
#include <string>

#include "ttcgames/inference/curves_math.hpp"
#include "ttcgames/ensemble/ensemble_math.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/enumeration_math.hpp"
#include "ttcgames/market/game_math.hpp"
#include "ttcgames/population/population_math.hpp"
#include "ttcgames/core/rng.hpp"

namespace ttcg::cuda {

int device_count();                //!< 0 when no usable device (or no CUDA build)
std::string device_description();  //!< name and compute capability of the current device, or why there is none
//! Makes device (local_rank mod device count) current for this process (one GPU per MPI rank of a node);
//! returns its index, or −1 when there is no device.
int select_device(int local_rank);

struct BestProfile {
  double welfare = -INFINITY;
  std::int64_t index = -1;
};

//! Exhaustive social optimum; g and last point to host memory (copied to the device).
BestProfile exhaustive_optimum(const GameView& g, const LastProviderLevels& last);

//! All pure NE at tolerance log_tol = log(1 + tol); same result layout as the CPU path.
EquilibriumSet enumerate_equilibria(const GameView& g, double log_tol, std::int64_t max_stored);

// ---- Random numbers and portable math (known-answer and parity tests) ----

//! Philox4x32-10 on the device: out[j] = philox_4x32<10>(counters[j], key) for j < count.
void philox_draws(rng::Philox4x32Key key, const rng::Philox4x32Ctr* counters, std::int64_t count,
                  rng::Philox4x32Ctr* out);
//! portable::exp, portable::log and the standard normal quantile of x[0..count) on the device.
void portable_math(const double* x, std::int64_t count, double* exp_out, double* log_out, double* normal_out);

// ---- Populations (population.hpp; kernels in cuda/population/population.cu) ----

//! A replicate's users resident on the device, with the query tables; opaque.
struct PopulationHandle;

//! Uploads the query tables and draws the users of one replicate on the device (the same draws as the CPU).
//! g and s point to host memory.
PopulationHandle* population_open(const population::QueryView& g, const population::SamplingView& s, std::uint64_t seed,
                                  std::int64_t replicate, std::int64_t users, std::int64_t block_size);
//! Frees a handle (nullptr is ignored). Never throws.
void population_close(PopulationHandle* h) noexcept;
//! Copies the users to host arrays of `users` entries each.
void population_users(PopulationHandle* h, double* alpha, double* beta, double* v0, std::int32_t* question);
//! Per-block demand sums at the profile whose tables `t` holds (host memory): out[b·(2n + 4) + ·] = shares[n],
//! profit[n], outside share, welfare, weighted value, weighted price.
void population_demand(PopulationHandle* h, const population::ProfileView& t, double* out);
//! Per-block online log-sums of provider i's log-profit terms for every level: max/sum[b·K + k].
void population_utilities(PopulationHandle* h, const population::ProfileView& t, int i, double* max, double* sum);
//! Per-user outcome records of users [first, first + count): the market at `profile` (tables t), the auction and
//! the first best.
void population_outcomes(PopulationHandle* h, const population::ProfileView& t, const int* profile, Reserve reserve,
                         std::uint64_t seed, std::int64_t replicate, std::int64_t first, std::int64_t count,
                         population::Outcome* market, population::Outcome* auction, double* first_best);

//! Markets [first, first + count) of an ensemble, one thread per market; p's pool pointers are host memory (copied
//! to the device); out receives `count` outcomes in market order.
void solve_ensemble_markets(const EnsembleParams& p, std::int64_t first, std::int64_t count, MarketOutcome* out);

//! The permutation estimator of the inference stage (curves_math.hpp): the same tallies as the OpenMP loop,
//! bit for bit; view points to host memory.
PermutationTallies permutation_tallies(const PermutationView& view, std::int64_t permutations);

}  // namespace ttcg::cuda
