#include "ttcgames/core/tally.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ttcgames/core/rng.hpp"

namespace ttcg {
namespace {

constexpr double EXACT = 1e-12;  // relative tolerance of sums that differ only by summation order

TEST(Tally, MomentsOfAKnownSample) {
  Tally t;
  for (const double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) t.add(x);
  EXPECT_EQ(t.count, 8);
  EXPECT_DOUBLE_EQ(t.mean(), 5.0);
  EXPECT_DOUBLE_EQ(t.variance(), 32.0 / 7.0);
  EXPECT_DOUBLE_EQ(t.standard_error(), std::sqrt(32.0 / 7.0 / 8.0));
  EXPECT_NEAR(t.ci95_half_width(), 2.364624251 * std::sqrt(32.0 / 7.0 / 8.0), 1e-9);  // t_{0.975,7}
  EXPECT_DOUBLE_EQ(t.ci95_low(), t.mean() - t.ci95_half_width());
  EXPECT_EQ(t.min, 2.0);
  EXPECT_EQ(t.max, 9.0);
}

TEST(Tally, EmptyAndSingleValue) {
  Tally t;
  EXPECT_TRUE(std::isnan(t.mean()));
  t.add(3.0);
  EXPECT_EQ(t.mean(), 3.0);
  EXPECT_TRUE(std::isnan(t.variance()));
  EXPECT_TRUE(std::isnan(t.standard_error()));
  EXPECT_TRUE(std::isnan(t.ci95_half_width()));
  EXPECT_TRUE(std::isnan(t.ci95_low()));
}

TEST(Tally, BlockMergeInFixedOrderIsBitwiseReproducible) {
  const auto key = rng::make_key(7, rng::stream_id("tally.test"));
  constexpr int BLOCKS = 64, PER_BLOCK = 1000;
  std::vector<Tally> blocks(BLOCKS);
  Tally direct;
  for (int b = 0; b < BLOCKS; ++b)
    for (int j = 0; j < PER_BLOCK; ++j) {
      const auto w = rng::draw(key, 0, 0, b, j);
      const double x = rng::to_unit_double(w.v[0], w.v[1]);
      blocks[b].add(x);
      direct.add(x);
    }
  Tally merged_a, merged_b;
  for (const Tally& t : blocks) merged_a.merge(t);
  for (const Tally& t : blocks) merged_b.merge(t);
  EXPECT_EQ(merged_a.sum, merged_b.sum);
  EXPECT_EQ(merged_a.sum_sq, merged_b.sum_sq);
  EXPECT_EQ(merged_a.count, direct.count);
  EXPECT_NEAR(merged_a.sum, direct.sum, EXACT * direct.sum);
  EXPECT_EQ(merged_a.min, direct.min);
  EXPECT_EQ(merged_a.max, direct.max);
  // Uniform(0, 1): mean 1/2, variance 1/12, within 5 standard errors.
  EXPECT_NEAR(merged_a.mean(), 0.5, 5.0 * std::sqrt(1.0 / 12.0 / static_cast<double>(merged_a.count)));
}

TEST(Histogram, CountsOverflowAndQuantiles) {
  Histogram h(0.0, 10.0, 10);
  for (int i = 0; i < 100; ++i) h.add(i * 0.1);  // 10 values per bin
  h.add(-1.0);
  h.add(10.0);
  h.add(NAN);
  EXPECT_EQ(h.total(), 103);
  EXPECT_EQ(h.underflow, 1);
  EXPECT_EQ(h.overflow, 2);
  for (int b = 0; b < 10; ++b) EXPECT_EQ(h.counts[b], 10) << "bin " << b;
  EXPECT_EQ(h.quantile(0.0), -INFINITY);
  EXPECT_EQ(h.quantile(1.0), INFINITY);
  EXPECT_NEAR(h.quantile(0.5), 5.0, h.bin_width());
}

TEST(Histogram, MergeNeedsTheSameBinning) {
  Histogram a(0.0, 1.0, 4), b(0.0, 1.0, 4), c(0.0, 2.0, 4);
  a.add(0.1);
  b.add(0.9);
  a.merge(b);
  EXPECT_EQ(a.counts[0], 1);
  EXPECT_EQ(a.counts[3], 1);
  EXPECT_THROW(a.merge(c), std::invalid_argument);
  EXPECT_THROW(Histogram(1.0, 1.0, 3), std::invalid_argument);
}

TEST(ExactQuantile, MatchesNumpyLinearInterpolation) {
  // numpy.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 0.9, 1]) = [1, 1.75, 2.5, 3.7, 4]
  const std::vector<double> v{4.0, 1.0, 3.0, 2.0};
  EXPECT_DOUBLE_EQ(exact_quantile(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(exact_quantile(v, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(exact_quantile(v, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(exact_quantile(v, 0.9), 3.7);
  EXPECT_DOUBLE_EQ(exact_quantile(v, 1.0), 4.0);
  EXPECT_TRUE(std::isnan(exact_quantile({}, 0.5)));
  const std::vector<double> all = exact_quantiles(v, {0.0, 0.25, 0.5, 0.9, 1.0});
  EXPECT_EQ(all, (std::vector<double>{1.0, 1.75, 2.5, exact_quantile(v, 0.9), 4.0}));
  EXPECT_TRUE(std::isnan(exact_quantiles({}, {0.5})[0]));
}

}  // namespace
}  // namespace ttcg
