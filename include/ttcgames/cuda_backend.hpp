// Entry points of the CUDA backend (cuda/). Host-only declarations: plain structs and host pointers, no CUDA
// headers, so the rest of the project compiles with g++ alone. In a build without CUDA these throw InputError.
#pragma once

#include <cstdint>
#include <string>

#include "ttcgames/curves_math.hpp"
#include "ttcgames/ensemble_math.hpp"
#include "ttcgames/enumeration.hpp"
#include "ttcgames/enumeration_math.hpp"
#include "ttcgames/game_math.hpp"

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

//! Markets [first, first + count) of an ensemble, one thread per market; p's pool pointers are host memory (copied
//! to the device); out receives `count` outcomes in market order.
void solve_ensemble_markets(const EnsembleParams& p, std::int64_t first, std::int64_t count, MarketOutcome* out);

//! The permutation estimator of the inference stage (curves_math.hpp): the same tallies as the OpenMP loop,
//! bit for bit; view points to host memory.
PermutationTallies permutation_tallies(const PermutationView& view, std::int64_t permutations);

}  // namespace ttcg::cuda
