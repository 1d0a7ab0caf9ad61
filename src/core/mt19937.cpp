#include "ttcgames/core/mt19937.hpp"

#include <bit>

namespace ttcg {

namespace {
constexpr int M = 397;
constexpr std::uint32_t MATRIX_A = 0x9908B0DFu;
constexpr std::uint32_t UPPER_MASK = 0x80000000u;
constexpr std::uint32_t LOWER_MASK = 0x7FFFFFFFu;
}  // namespace

void PythonRandom::init_genrand(std::uint32_t s) {
  mt_[0] = s;
  for (int i = 1; i < N; ++i) mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<std::uint32_t>(i);
  index_ = N;
}

PythonRandom::PythonRandom(std::uint64_t seed) {
  // CPython: the key is the seed's 32-bit words, least significant first; 0 gives the single word 0.
  std::vector<std::uint32_t> key{static_cast<std::uint32_t>(seed)};
  if (seed >> 32) key.push_back(static_cast<std::uint32_t>(seed >> 32));
  init_genrand(19650218u);
  int i = 1;
  std::size_t j = 0;
  for (int k = std::max<int>(N, static_cast<int>(key.size())); k > 0; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525u)) + key[j] + static_cast<std::uint32_t>(j);
    ++i;
    ++j;
    if (i >= N) {
      mt_[0] = mt_[N - 1];
      i = 1;
    }
    if (j >= key.size()) j = 0;
  }
  for (int k = N - 1; k > 0; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941u)) - static_cast<std::uint32_t>(i);
    ++i;
    if (i >= N) {
      mt_[0] = mt_[N - 1];
      i = 1;
    }
  }
  mt_[0] = 0x80000000u;
  index_ = N;
}

void PythonRandom::twist() {
  for (int k = 0; k < N; ++k) {
    const std::uint32_t y = (mt_[k] & UPPER_MASK) | (mt_[(k + 1) % N] & LOWER_MASK);
    mt_[k] = mt_[(k + M) % N] ^ (y >> 1) ^ ((y & 1u) ? MATRIX_A : 0u);
  }
  index_ = 0;
}

std::uint32_t PythonRandom::next_u32() {
  if (index_ >= N) twist();
  std::uint32_t y = mt_[index_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9D2C5680u;
  y ^= (y << 15) & 0xEFC60000u;
  y ^= y >> 18;
  return y;
}

std::uint32_t PythonRandom::getrandbits(int k) {
  return next_u32() >> (32 - k);
}

std::uint32_t PythonRandom::randbelow(std::uint32_t n) {
  const int k = std::bit_width(n);
  std::uint32_t r = getrandbits(k);
  while (r >= n) r = getrandbits(k);
  return r;
}

}  // namespace ttcg
