// Counter-based RNG: Philox4x32-10 against Random123's known-answer vectors and its own implementation
// (Debian librandom123-dev), and CPython's MT19937/random.shuffle against values printed by CPython 3.11.
#include <Random123/philox.h>
#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <set>

#include "ttcgames/core/mt19937.hpp"
#include "ttcgames/core/rng.hpp"

namespace {

using ttcg::rng::Philox4x32Ctr;
using ttcg::rng::Philox4x32Key;

struct KnownAnswer {
  Philox4x32Ctr ctr;
  Philox4x32Key key;
  Philox4x32Ctr expected;
};

// Random123 kat_vectors, philox4x32 with 10 rounds.
const KnownAnswer PHILOX_KAT[] = {
    {{{0, 0, 0, 0}}, {{0, 0}}, {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}}},
    {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}},
     {{0xffffffff, 0xffffffff}},
     {{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}}},
    {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}},
     {{0xa4093822, 0x299f31d0}},
     {{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}},
};

TEST(Rng, PhiloxKnownAnswers) {
  for (const KnownAnswer& kat : PHILOX_KAT) {
    const Philox4x32Ctr r = ttcg::rng::philox_4x32<10>(kat.ctr, kat.key);
    for (int w = 0; w < 4; ++w) EXPECT_EQ(r.v[w], kat.expected.v[w]) << "word " << w;
  }
}

TEST(Rng, PhiloxMatchesRandom123OnManyCounters) {
  r123::Philox4x32 reference;
  std::mt19937_64 gen(12345);
  for (int trial = 0; trial < 10000; ++trial) {
    const auto a = static_cast<std::uint32_t>(gen()), b = static_cast<std::uint32_t>(gen());
    const auto c = static_cast<std::uint32_t>(gen()), d = static_cast<std::uint32_t>(gen());
    const auto k0 = static_cast<std::uint32_t>(gen()), k1 = static_cast<std::uint32_t>(gen());
    const r123::Philox4x32::ctr_type rc = {{a, b, c, d}};
    const r123::Philox4x32::key_type rk = {{k0, k1}};
    const auto expected = reference(rc, rk);
    const Philox4x32Ctr got = ttcg::rng::philox_4x32<10>(Philox4x32Ctr{{a, b, c, d}}, Philox4x32Key{{k0, k1}});
    for (int w = 0; w < 4; ++w) ASSERT_EQ(got.v[w], expected[w]) << "trial " << trial << " word " << w;
  }
}

// The keyed draw of the Monte Carlo stages is Random123's Philox4x32-10 at counter (replicate, round, entity, draw)
// under the key of make_key(seed, stream).
TEST(Rng, KeyedDrawsAreRandom123Philox) {
  r123::Philox4x32 reference;
  const auto key = ttcg::rng::make_key(20260121, ttcg::rng::stream_id("population.users"));
  const r123::Philox4x32::key_type rk = {{key.v[0], key.v[1]}};
  for (std::uint32_t replicate = 0; replicate < 3; ++replicate)
    for (std::uint32_t user = 0; user < 1000; user += 7)
      for (std::uint32_t draw = 0; draw < 5; ++draw) {
        const auto expected = reference(r123::Philox4x32::ctr_type{{replicate, 0, user, draw}}, rk);
        const auto got = ttcg::rng::draw(key, replicate, 0, user, draw);
        for (int w = 0; w < 4; ++w) ASSERT_EQ(got.v[w], expected[w]) << "user " << user << " draw " << draw;
      }
}

TEST(Rng, StreamsAndCountersAreDistinct) {
  const auto k1 = ttcg::rng::make_key(7, ttcg::rng::stream_id("a"));
  const auto k2 = ttcg::rng::make_key(7, ttcg::rng::stream_id("b"));
  const auto k3 = ttcg::rng::make_key(8, ttcg::rng::stream_id("a"));
  EXPECT_FALSE(k1.v[0] == k2.v[0] && k1.v[1] == k2.v[1]);
  EXPECT_FALSE(k1.v[0] == k3.v[0] && k1.v[1] == k3.v[1]);
  std::set<std::uint32_t> words;
  for (std::uint32_t i = 0; i < 1000; ++i) words.insert(ttcg::rng::draw(k1, 0, 0, 0, i).v[0]);
  EXPECT_GT(words.size(), 995u);
}

TEST(Rng, UnitDoublesUse53BitsAndStayInRange) {
  EXPECT_EQ(ttcg::rng::to_unit_double(0, 0), 0.0);
  EXPECT_EQ(ttcg::rng::to_unit_double(0xffffffffu, 0xffffffffu), 1.0 - 0x1.0p-53);
  EXPECT_EQ(ttcg::rng::to_unit_double(0, 0x800u), 0x1.0p-53);  // the lowest kept bit
  const auto key = ttcg::rng::make_key(1, ttcg::rng::stream_id("uniform"));
  double sum = 0.0;
  constexpr int N = 100000;
  for (std::uint32_t i = 0; i < N; ++i) {
    const auto r = ttcg::rng::draw(key, 0, 0, 0, i);
    const double u = ttcg::rng::to_unit_double(r.v[0], r.v[1]);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  // Mean of N uniforms: sd = 1/sqrt(12 N); 5 sd.
  EXPECT_NEAR(sum / N, 0.5, 5.0 / std::sqrt(12.0 * N));
}

TEST(Rng, BoundedIntegersCoverTheRange) {
  const auto key = ttcg::rng::make_key(3, ttcg::rng::stream_id("bounded"));
  std::vector<int> counts(7, 0);
  for (std::uint32_t i = 0; i < 70000; ++i) {
    const auto r = ttcg::rng::draw(key, 0, 0, 0, i);
    const std::uint32_t v = ttcg::rng::to_bounded(r.v[0], r.v[1], 7);
    ASSERT_LT(v, 7u);
    ++counts[v];
  }
  for (const int c : counts) EXPECT_NEAR(c, 10000, 500);  // sd ≈ 93
}

// Values printed by CPython 3.11: random.seed(0); [random.getrandbits(32) for _ in range(3)], then shuffles.
TEST(PythonRandom, MatchesCPython) {
  ttcg::PythonRandom r(0);
  EXPECT_EQ(r.getrandbits(32), 3626764237u);
  EXPECT_EQ(r.getrandbits(32), 1654615998u);
  EXPECT_EQ(r.getrandbits(32), 3255389356u);

  ttcg::PythonRandom s(0);
  std::vector<int> x(9);
  std::iota(x.begin(), x.end(), 0);
  const std::vector<std::vector<int>> expected = {{7, 5, 1, 3, 4, 2, 0, 8, 6},
                                                  {1, 7, 3, 6, 0, 5, 4, 2, 8},
                                                  {3, 1, 6, 8, 4, 5, 2, 0, 7},
                                                  {0, 2, 7, 6, 3, 4, 8, 5, 1}};
  for (const auto& e : expected) {
    s.shuffle(x);
    EXPECT_EQ(x, e);
  }
  // A seed wider than 32 bits: random.seed(123456789012); random.shuffle([0..4]); random.getrandbits(32).
  ttcg::PythonRandom wide(123456789012ull);
  std::vector<int> y{0, 1, 2, 3, 4};
  wide.shuffle(y);
  EXPECT_EQ(y, (std::vector<int>{2, 4, 1, 0, 3}));
  EXPECT_EQ(wide.getrandbits(32), 1794965889u);
}

}  // namespace
