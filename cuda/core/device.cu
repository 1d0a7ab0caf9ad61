// Device discovery for the CUDA backend: how many devices the runtime sees and a one-line description of the
// one in use. Neither throws: a missing or too old driver is "no device", and the description then carries
// the reason.
#include <cuda_runtime.h>

#include <cstdio>
#include <string>

#include "../launchers.hpp"

namespace ttcg::cuda::detail {

int query_device_count() noexcept {
  int count = 0;
  const cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess) {
    static_cast<void>(cudaGetLastError());  // clear the runtime's record of the failure
    return 0;
  }
  return count;
}

std::string describe_device() noexcept {
  try {
    int count = 0;
    const cudaError_t error = cudaGetDeviceCount(&count);
    if (error != cudaSuccess) {
      static_cast<void>(cudaGetLastError());
      return std::string("no usable CUDA device (") + cudaGetErrorString(error) + ")";
    }
    if (count == 0) return "no CUDA device found";
    int device = 0;
    cudaDeviceProp prop{};
    cudaError_t e = cudaGetDevice(&device);
    if (e == cudaSuccess) e = cudaGetDeviceProperties(&prop, device);
    if (e != cudaSuccess) {
      static_cast<void>(cudaGetLastError());
      return std::string("CUDA device ") + std::to_string(device) + " cannot be queried (" + cudaGetErrorString(e) +
             ")";
    }
    char memory[32];
    std::snprintf(memory, sizeof memory, "%.1f GiB",
                  static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
    return std::string(prop.name) + " (sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + ", " +
           std::to_string(prop.multiProcessorCount) + " SMs, " + memory + ")";
  } catch (...) {  // std::bad_alloc from the strings
    return "CUDA device description unavailable";
  }
}

int set_device_for_rank(int local_rank) noexcept {
  const int count = query_device_count();
  if (count <= 0) return -1;
  const int device = (local_rank % count + count) % count;
  if (cudaSetDevice(device) != cudaSuccess) {
    static_cast<void>(cudaGetLastError());
    return -1;
  }
  return device;
}

}  // namespace ttcg::cuda::detail
