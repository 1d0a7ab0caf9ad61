// Error checking and device memory for the CUDA backend. Every runtime API call goes through TTCG_CUDA_CHECK
// and every kernel launch is followed by TTCG_CUDA_CHECK_LAUNCH; a failure throws std::runtime_error naming
// file:line, the failed call, the error's name and its description. Execution errors of an asynchronous
// kernel surface at the next synchronizing call (a checked cudaMemcpy). DeviceArray owns one cudaMalloc'd
// array.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace ttcg::cuda::detail {

[[noreturn]] inline void throw_cuda_error(cudaError_t error, const char* what, const char* file, int line) {
  throw std::runtime_error(std::string(file) + ":" + std::to_string(line) + ": " + what +
                           " failed: " + cudaGetErrorName(error) + ": " + cudaGetErrorString(error));
}

inline void check_cuda(cudaError_t error, const char* what, const char* file, int line) {
  if (error != cudaSuccess) throw_cuda_error(error, what, file, line);
}

}  // namespace ttcg::cuda::detail

//! Throws std::runtime_error when a CUDA runtime call does not return cudaSuccess.
#define TTCG_CUDA_CHECK(call) ::ttcg::cuda::detail::check_cuda((call), #call, __FILE__, __LINE__)

//! Checks the launch of `kernel` (a name, for the message) right after `kernel<<<...>>>(...)`.
#define TTCG_CUDA_CHECK_LAUNCH(kernel) \
  ::ttcg::cuda::detail::check_cuda(cudaGetLastError(), "launch of " #kernel, __FILE__, __LINE__)

namespace ttcg::cuda::detail {

//! An array in device memory (uninitialized), freed on destruction; moves, never copies.
template <class T>
class DeviceArray {
 public:
  explicit DeviceArray(std::size_t size) : size_(size) {
    if (size_ > 0) TTCG_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data_), size_ * sizeof(T)));
  }
  //! A device copy of host[0..size).
  DeviceArray(const T* host, std::size_t size) : DeviceArray(size) {
    if (size_ > 0) TTCG_CUDA_CHECK(cudaMemcpy(data_, host, size_ * sizeof(T), cudaMemcpyHostToDevice));
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  DeviceArray(DeviceArray&& other) noexcept : data_(other.data_), size_(other.size_) {
    other.data_ = nullptr;
    other.size_ = 0;
  }
  DeviceArray& operator=(DeviceArray&& other) noexcept {
    if (this != &other) {
      release();
      data_ = other.data_;
      size_ = other.size_;
      other.data_ = nullptr;
      other.size_ = 0;
    }
    return *this;
  }
  ~DeviceArray() { release(); }

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }

  //! Copies the first `count` elements to host memory (synchronizes with earlier work on the default stream).
  void copy_to_host(T* host, std::size_t count) const {
    if (count > size_) throw std::logic_error("DeviceArray::copy_to_host: count exceeds the array size");
    if (count > 0) TTCG_CUDA_CHECK(cudaMemcpy(host, data_, count * sizeof(T), cudaMemcpyDeviceToHost));
  }

 private:
  void release() noexcept {
    if (data_ != nullptr) static_cast<void>(cudaFree(data_));  // a destructor must not throw
    data_ = nullptr;
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace ttcg::cuda::detail
