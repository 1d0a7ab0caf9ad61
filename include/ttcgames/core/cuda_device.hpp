// The CUDA device of this process and the device side of the RNG and portable-math known-answer tests.
// Host-only declarations (plain structs and host pointers, no CUDA headers), so the rest of the project compiles
// with g++ alone; implemented by cuda/entry_points.cpp in a CUDA build and by src/run/cuda_unavailable.cpp (which
// throws InputError) without CUDA.
#pragma once

#include <cstdint>
#include <string>

#include "ttcgames/core/rng.hpp"

namespace ttcg::cuda {

int device_count();                //!< 0 when no usable device (or no CUDA build)
std::string device_description();  //!< name and compute capability of the current device, or why there is none
//! Makes device (local_rank mod device count) current for this process (one GPU per MPI rank of a node);
//! returns its index, or −1 when there is no device.
int select_device(int local_rank);

// ---- Random numbers and portable math (known-answer and parity tests) ----

//! Philox4x32-10 on the device: out[j] = philox_4x32<10>(counters[j], key) for j < count.
void philox_draws(rng::Philox4x32Key key, const rng::Philox4x32Ctr* counters, std::int64_t count,
                  rng::Philox4x32Ctr* out);
//! portable::exp, portable::log and the standard normal quantile of x[0..count) on the device.
void portable_math(const double* x, std::int64_t count, double* exp_out, double* log_out, double* normal_out);

}  // namespace ttcg::cuda
