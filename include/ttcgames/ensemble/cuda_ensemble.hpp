// CUDA entry point of the ensemble stage: a range of random markets (kernel in cuda/ensemble/ensemble.cu).
// Host-only declarations (plain structs and host pointers, no CUDA headers), so the rest of the project compiles
// with g++ alone; implemented by cuda/entry_points.cpp in a CUDA build and by src/run/cuda_unavailable.cpp (which
// throws InputError) without CUDA.
#pragma once

#include <cstdint>
#include <string>

#include "ttcgames/ensemble/ensemble_math.hpp"

namespace ttcg::cuda {

//! Markets [first, first + count) of an ensemble, one thread per market; p's pool pointers are host memory (copied
//! to the device); out receives `count` outcomes in market order.
void solve_ensemble_markets(const EnsembleParams& p, std::int64_t first, std::int64_t count, MarketOutcome* out);

}  // namespace ttcg::cuda
