// CUDA entry points of the market stage: the exhaustive social optimum and all pure Nash equilibria of one
// market at one β (kernels in cuda/market/enumeration.cu).
// Host-only declarations (plain structs and host pointers, no CUDA headers), so the rest of the project compiles
// with g++ alone; implemented by cuda/entry_points.cpp in a CUDA build and by src/run/cuda_unavailable.cpp (which
// throws InputError) without CUDA.
#pragma once

#include <cstdint>
#include <string>

#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/enumeration_math.hpp"
#include "ttcgames/market/game_math.hpp"

namespace ttcg::cuda {

struct BestProfile {
  double welfare = -INFINITY;
  std::int64_t index = -1;
};

//! Exhaustive social optimum; g and last point to host memory (copied to the device).
BestProfile exhaustive_optimum(const GameView& g, const LastProviderLevels& last);

//! All pure NE at tolerance log_tol = log(1 + tol); same result layout as the CPU path.
EquilibriumSet enumerate_equilibria(const GameView& g, double log_tol, std::int64_t max_stored);

}  // namespace ttcg::cuda
