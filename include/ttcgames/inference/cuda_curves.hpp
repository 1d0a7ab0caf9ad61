// CUDA entry point of the inference stage: the permutation estimator (kernel in cuda/inference/curves.cu).
// Host-only declarations (plain structs and host pointers, no CUDA headers), so the rest of the project compiles
// with g++ alone; implemented by cuda/entry_points.cpp in a CUDA build and by src/run/cuda_unavailable.cpp (which
// throws InputError) without CUDA.
#pragma once

#include <cstdint>
#include <string>

#include "ttcgames/inference/curves_math.hpp"

namespace ttcg::cuda {

//! The permutation estimator of the inference stage (curves_math.hpp): the same tallies as the OpenMP loop,
//! bit for bit; view points to host memory.
PermutationTallies permutation_tallies(const PermutationView& view, std::int64_t permutations);

}  // namespace ttcg::cuda
