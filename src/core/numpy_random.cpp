#include "ttcgames/core/numpy_random.hpp"

#include <array>

namespace ttcg {

namespace {

// SeedSequence constants (O'Neill's seed_seq design as adopted by numpy).
constexpr std::uint32_t INIT_A = 0x43b0d7e5u;
constexpr std::uint32_t MULT_A = 0x931e8875u;
constexpr std::uint32_t INIT_B = 0x8b51f9ddu;
constexpr std::uint32_t MULT_B = 0x58f38dedu;
constexpr std::uint32_t MIX_MULT_L = 0xca01f9ddu;
constexpr std::uint32_t MIX_MULT_R = 0x4973f715u;
constexpr int XSHIFT = 16;
constexpr std::size_t POOL_SIZE = 4;

//! Hashes `value` with the running constant `h` (advanced).
std::uint32_t hashmix(std::uint32_t value, std::uint32_t& h) {
  value ^= h;
  h *= MULT_A;
  value *= h;
  value ^= value >> XSHIFT;
  return value;
}

std::uint32_t mix(std::uint32_t x, std::uint32_t y) {
  std::uint32_t r = MIX_MULT_L * x - MIX_MULT_R * y;
  r ^= r >> XSHIFT;
  return r;
}

//! The seed as numpy's entropy words: 32-bit little-endian limbs, at least one.
std::vector<std::uint32_t> entropy_words(std::uint64_t seed) {
  std::vector<std::uint32_t> words{static_cast<std::uint32_t>(seed)};
  if (seed >> 32) words.push_back(static_cast<std::uint32_t>(seed >> 32));
  return words;
}

std::array<std::uint32_t, POOL_SIZE> mixed_pool(const std::vector<std::uint32_t>& entropy) {
  std::array<std::uint32_t, POOL_SIZE> pool{};
  std::uint32_t h = INIT_A;
  for (std::size_t i = 0; i < POOL_SIZE; ++i) pool[i] = hashmix(i < entropy.size() ? entropy[i] : 0u, h);
  for (std::size_t src = 0; src < POOL_SIZE; ++src)
    for (std::size_t dst = 0; dst < POOL_SIZE; ++dst)
      if (src != dst) pool[dst] = mix(pool[dst], hashmix(pool[src], h));
  for (std::size_t src = POOL_SIZE; src < entropy.size(); ++src)
    for (std::size_t dst = 0; dst < POOL_SIZE; ++dst) pool[dst] = mix(pool[dst], hashmix(entropy[src], h));
  return pool;
}

// PCG64: the 128-bit default multiplier of the PCG family.
__extension__ using u128 = unsigned __int128;
constexpr u128 PCG_MULTIPLIER = (static_cast<u128>(2549297995355413924ull) << 64) | 4865540595714422341ull;

}  // namespace

std::vector<std::uint32_t> numpy_seed_sequence(std::uint64_t seed, std::size_t words) {
  const std::array<std::uint32_t, POOL_SIZE> pool = mixed_pool(entropy_words(seed));
  std::vector<std::uint32_t> state(words);
  std::uint32_t h = INIT_B;
  for (std::size_t i = 0; i < words; ++i) {
    std::uint32_t v = pool[i % POOL_SIZE];
    v ^= h;
    h *= MULT_B;
    v *= h;
    v ^= v >> XSHIFT;
    state[i] = v;
  }
  return state;
}

NumpyPcg64::NumpyPcg64(std::uint64_t seed) {
  // Four 64-bit words (pairs of 32-bit words, low first): state = (w0, w1), stream = (w2, w3), high word first.
  const std::vector<std::uint32_t> w = numpy_seed_sequence(seed, 8);
  std::array<std::uint64_t, 4> v{};
  for (std::size_t i = 0; i < 4; ++i) v[i] = static_cast<std::uint64_t>(w[2 * i]) | (std::uint64_t{w[2 * i + 1]} << 32);
  const u128 initial_state = (static_cast<u128>(v[0]) << 64) | v[1];
  const u128 sequence = (static_cast<u128>(v[2]) << 64) | v[3];
  state_ = 0;
  increment_ = (sequence << 1) | 1u;
  step();
  state_ += initial_state;
  step();
}

void NumpyPcg64::step() {
  state_ = state_ * PCG_MULTIPLIER + increment_;
}

std::uint64_t NumpyPcg64::next_u64() {
  step();
  const std::uint64_t x = static_cast<std::uint64_t>(state_ >> 64) ^ static_cast<std::uint64_t>(state_);
  const unsigned rot = static_cast<unsigned>(state_ >> 122);
  return (x >> rot) | (x << ((64u - rot) & 63u));
}

double NumpyPcg64::random() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double NumpyPcg64::uniform(double low, double high) {
  return low + (high - low) * random();
}

}  // namespace ttcg
