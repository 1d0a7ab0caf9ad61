// CUDA entry points of the population stage (population.hpp is the host API; kernels in
// cuda/population/population.cu).
// Host-only declarations (plain structs and host pointers, no CUDA headers), so the rest of the project compiles
// with g++ alone; implemented by cuda/entry_points.cpp in a CUDA build and by src/run/cuda_unavailable.cpp (which
// throws InputError) without CUDA.
#pragma once

#include <cstdint>
#include <string>

#include "ttcgames/population/population_math.hpp"

namespace ttcg::cuda {

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

}  // namespace ttcg::cuda
