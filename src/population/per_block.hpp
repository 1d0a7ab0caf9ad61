// Private to src/population: running one function per block of users in parallel (OpenMP), each into its own
// slot, and merging the slots in block order (the fixed-order reduction of the population stage).
#pragma once

#include <cstdint>
#include <exception>
#include <mutex>
#include <vector>

namespace ttcg::population_detail {

//! Runs f(b) for every block b in parallel, each into its own slot, and returns the slots (merge them in order).
//! An exception inside the parallel region is kept and rethrown after it.
template <class T, class F>
std::vector<T> per_block(std::int64_t blocks, F f) {
  std::vector<T> out(blocks);
  std::exception_ptr failure;
  std::mutex m;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t b = 0; b < blocks; ++b) {
    try {
      out[b] = f(b);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(m);
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  return out;
}

template <class T>
T merge_in_order(std::vector<T>& parts) {
  T total = std::move(parts.front());
  for (std::size_t b = 1; b < parts.size(); ++b) total.merge(parts[b]);
  return total;
}

}  // namespace ttcg::population_detail
