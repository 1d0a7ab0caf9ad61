// MT19937 seeded the way CPython's random.seed(int) seeds it (init_by_array over the seed's 32-bit words), and
// random.shuffle on top of it. Used only to reproduce the provider order of the reference implementation, whose
// published runs call random.seed(0) before each run and random.shuffle once per round (docs/model.md §2.1).
// Everything else in ttcgames uses the counter-based Philox generator in rng.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace ttcg {

class PythonRandom {
 public:
  explicit PythonRandom(std::uint64_t seed);

  //! genrand_uint32.
  std::uint32_t next_u32();
  //! random.getrandbits(k) for 1 ≤ k ≤ 32.
  std::uint32_t getrandbits(int k);
  //! random._randbelow(n) by rejection on getrandbits(n.bit_length()).
  std::uint32_t randbelow(std::uint32_t n);
  //! random.shuffle(x).
  template <class T>
  void shuffle(std::vector<T>& x) {
    shuffle(x.data(), x.size());
  }
  //! random.shuffle of x[0..size).
  template <class T>
  void shuffle(T* x, std::size_t size) {
    for (std::size_t i = size; i-- > 1;) std::swap(x[i], x[randbelow(static_cast<std::uint32_t>(i + 1))]);
  }

 private:
  static constexpr int N = 624;
  std::array<std::uint32_t, N> mt_{};
  int index_ = N;
  void init_genrand(std::uint32_t s);
  void twist();
};

}  // namespace ttcg
