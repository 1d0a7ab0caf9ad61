// Counter-based random numbers: Philox4x32-10 (Salmon et al., SC'11), identical on host and device.
//
// A stream is keyed by (seed, named stream); a draw is addressed by the counter (replicate, round, entity, draw).
// No generator state is tied to a thread, rank or backend, so the same logical coordinates give the same numbers
// everywhere. Known-answer tests against Random123 live in tests/unit/core/rng_test.cpp.
#pragma once

#include <cstdint>

#include "ttcgames/core/hd.hpp"

namespace ttcg::rng {

struct Philox4x32Key {
  std::uint32_t v[2];
};
struct Philox4x32Ctr {
  std::uint32_t v[4];
};

namespace detail {
constexpr std::uint32_t PHILOX_M0 = 0xD2511F53u;
constexpr std::uint32_t PHILOX_M1 = 0xCD9E8D57u;
constexpr std::uint32_t PHILOX_W0 = 0x9E3779B9u;
constexpr std::uint32_t PHILOX_W1 = 0xBB67AE85u;

TTCG_HD inline void mulhilo32(std::uint32_t a, std::uint32_t b, std::uint32_t& hi, std::uint32_t& lo) {
  const std::uint64_t product = static_cast<std::uint64_t>(a) * b;
  hi = static_cast<std::uint32_t>(product >> 32);
  lo = static_cast<std::uint32_t>(product);
}
}  // namespace detail

//! Philox4x32 with R rounds (10 is the standard, crush-resistant choice).
template <int R = 10>
TTCG_HD inline Philox4x32Ctr philox_4x32(Philox4x32Ctr ctr, Philox4x32Key key) {
  for (int r = 0; r < R; ++r) {
    if (r > 0) {
      key.v[0] += detail::PHILOX_W0;
      key.v[1] += detail::PHILOX_W1;
    }
    std::uint32_t hi0, lo0, hi1, lo1;
    detail::mulhilo32(detail::PHILOX_M0, ctr.v[0], hi0, lo0);
    detail::mulhilo32(detail::PHILOX_M1, ctr.v[2], hi1, lo1);
    ctr = Philox4x32Ctr{{hi1 ^ ctr.v[1] ^ key.v[0], lo1, hi0 ^ ctr.v[3] ^ key.v[1], lo0}};
  }
  return ctr;
}

//! SplitMix64 finalizer: a bijective 64-bit mixer.
TTCG_HD constexpr std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

//! 64-bit FNV-1a of a stream name, for named streams known at compile time.
constexpr std::uint64_t stream_id(const char* name) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (; *name; ++name) h = (h ^ static_cast<unsigned char>(*name)) * 0x100000001B3ull;
  return h;
}

//! The Philox key of (seed, stream).
TTCG_HD constexpr Philox4x32Key make_key(std::uint64_t seed, std::uint64_t stream) {
  const std::uint64_t k = splitmix64(splitmix64(seed) ^ stream);
  return Philox4x32Key{{static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k >> 32)}};
}

//! Four 32-bit words at logical coordinates (replicate, round, entity, draw) of a keyed stream.
TTCG_HD inline Philox4x32Ctr draw(Philox4x32Key key, std::uint32_t replicate, std::uint32_t round, std::uint32_t entity,
                                  std::uint32_t index) {
  return philox_4x32<10>(Philox4x32Ctr{{replicate, round, entity, index}}, key);
}

//! A double in [0, 1) with 53 random bits, from two 32-bit words.
TTCG_HD inline double to_unit_double(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t bits = ((static_cast<std::uint64_t>(hi) << 32) | lo) >> 11;
  return static_cast<double>(bits) * 0x1.0p-53;
}

//! An integer in [0, bound) from 64 random bits by multiply-shift (bias below bound/2^64).
TTCG_HD inline std::uint32_t to_bounded(std::uint32_t hi, std::uint32_t lo, std::uint32_t bound) {
  const std::uint64_t bits = (static_cast<std::uint64_t>(hi) << 32) | lo;
#if defined(__CUDA_ARCH__)
  return static_cast<std::uint32_t>(__umul64hi(bits, bound));
#else
  __extension__ using u128 = unsigned __int128;
  return static_cast<std::uint32_t>((static_cast<u128>(bits) * bound) >> 64);
#endif
}

}  // namespace ttcg::rng
