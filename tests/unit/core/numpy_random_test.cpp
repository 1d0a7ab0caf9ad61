// Known answers of numpy 1.24 (numpy.random.SeedSequence, PCG64, default_rng(seed).random/uniform, numpy.quantile),
// computed once with /usr/bin/python3 and written here.
#include <gtest/gtest.h>

#include <vector>

#include "ttcgames/core/numpy_random.hpp"
#include "ttcgames/core/tally.hpp"

namespace {

using namespace ttcg;

TEST(NumpyRandom, SeedSequenceMatchesNumpy) {
  // SeedSequence(0).generate_state(4) and SeedSequence(2**40 + 5).generate_state(4) (uint32 words).
  EXPECT_EQ(numpy_seed_sequence(0, 4), (std::vector<std::uint32_t>{2968811710u, 3677149159u, 745650761u, 2884920346u}));
  EXPECT_EQ(numpy_seed_sequence((std::uint64_t{1} << 40) + 5, 4),
            (std::vector<std::uint32_t>{3767146251u, 3672381269u, 2127416108u, 2216012776u}));
}

TEST(NumpyRandom, Pcg64RawOutputMatchesNumpy) {
  NumpyPcg64 g(0);  // numpy.random.PCG64(0).random_raw(4)
  EXPECT_EQ(g.next_u64(), 11749869230777074271ull);
  EXPECT_EQ(g.next_u64(), 4976686463289251617ull);
  EXPECT_EQ(g.next_u64(), 755828109848996024ull);
  EXPECT_EQ(g.next_u64(), 304881062738325533ull);
  NumpyPcg64 two_words((std::uint64_t{1} << 40) + 5);
  EXPECT_EQ(two_words.next_u64(), 87427594128977387ull);
  EXPECT_EQ(two_words.next_u64(), 6872972437549564694ull);
  NumpyPcg64 other(123456789);
  EXPECT_EQ(other.next_u64(), 511209809126027580ull);
  EXPECT_EQ(other.next_u64(), 16725663875132018381ull);
}

TEST(NumpyRandom, DoublesAndUniformMatchNumpyBitForBit) {
  NumpyPcg64 g(0);  // default_rng(0).random(3)
  EXPECT_EQ(g.random(), 0.6369616873214543);
  EXPECT_EQ(g.random(), 0.2697867137638703);
  EXPECT_EQ(g.random(), 0.04097352393619469);
  NumpyPcg64 u(0);  // default_rng(0).uniform(0, 1e-5, 3)
  EXPECT_EQ(u.uniform(0.0, 1e-5), 6.369616873214544e-06);
  EXPECT_EQ(u.uniform(0.0, 1e-5), 2.6978671376387032e-06);
  EXPECT_EQ(u.uniform(0.0, 1e-5), 4.097352393619469e-07);
}

TEST(NumpyQuantile, SortedQuantileMatchesNumpyLinearBitForBit) {
  // numpy.quantile([0, 1, 2.5, 2.5, 7, 11, 12.25], q): both branches of numpy's interpolation.
  const std::vector<double> x{0.0, 1.0, 2.5, 2.5, 7.0, 11.0, 12.25};
  const std::vector<double> q{0.0, 0.025, 0.2, 0.4, 0.5, 0.6, 0.8, 0.975, 1.0};
  const std::vector<double> numpy{
      0.0, 0.15000000000000002, 1.3000000000000003, 2.5, 2.5, 5.199999999999998, 10.200000000000003, 12.0625, 12.25};
  for (std::size_t i = 0; i < q.size(); ++i) EXPECT_EQ(sorted_quantile(x, q[i]), numpy[i]) << "q = " << q[i];
  EXPECT_EQ(exact_quantile({12.25, 0.0, 7.0, 2.5, 1.0, 11.0, 2.5}, 0.8), 10.200000000000003);
}

}  // namespace
