// numpy's default generator, numpy.random.default_rng(seed): a PCG64 (128-bit LCG, XSL-RR output) seeded through
// numpy's SeedSequence, re-implemented from the published algorithms (O'Neill's PCG paper and seed_seq design, and
// numpy's documentation of SeedSequence and Generator) to reproduce the reference implementation's random jitter
// bit for bit (relative-effort bins, docs/model.md §4). Known-answer tests against numpy are in
// tests/unit/core/numpy_random_test.cpp. Everything else in ttcgames uses the counter-based Philox generator (rng.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ttcg {

//! numpy.random.SeedSequence(seed).generate_state(words, np.uint32) for a non-negative integer seed.
std::vector<std::uint32_t> numpy_seed_sequence(std::uint64_t seed, std::size_t words);

class NumpyPcg64 {
 public:
  //! The bit generator of numpy.random.default_rng(seed).
  explicit NumpyPcg64(std::uint64_t seed);

  //! Next raw 64-bit output (PCG64.random_raw()).
  std::uint64_t next_u64();
  //! Generator.random(): (next_u64 >> 11) · 2^-53, in [0, 1).
  double random();
  //! Generator.uniform(low, high): low + (high − low) · random().
  double uniform(double low, double high);

 private:
  __extension__ using u128 = unsigned __int128;
  u128 state_ = 0;
  u128 increment_ = 0;
  void step();
};

}  // namespace ttcg
