#include "ttcgames/io/statistic_group.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/student_t.hpp"

namespace ttcg {
namespace {

Tally tally_of(const std::vector<double>& v) {
  Tally t;
  for (const double x : v) t.add(x);
  return t;
}

TEST(StatisticGroup, RoundTripWithStudentTInterval) {
  h5::File file = h5::File::create_in_memory("statistic");
  h5::Group root = file.root();
  const Tally t = tally_of({1.0, 2.0, 4.0});
  Histogram h(0.0, 5.0, 5);
  for (const double x : {1.0, 2.0, 4.0, 7.0}) h.add(x);
  const std::vector<double> p{0.5};
  h5::Group g = h5::write_statistic(root, "x", t, "USD", "three values");
  h5::write_quantiles(g, p, std::vector<double>{2.0}, "USD", "exact");
  h5::write_histogram(g, h, "USD", p);

  const double half = student_t_quantile(0.975, 2) * t.standard_error();
  EXPECT_DOUBLE_EQ(g.read_scalar_f64("ci95_high") - g.read_scalar_f64("mean"), t.ci95_half_width());
  EXPECT_NEAR(t.ci95_half_width(), half, 1e-12 * half);
  EXPECT_EQ(g.read_attribute_string("interval"), "student-t");

  const h5::Statistic s = h5::read_statistic(root.open_group("x"), 2);
  EXPECT_EQ(s.units, "USD");
  EXPECT_EQ(s.tally.count, 3);
  EXPECT_EQ(s.tally.sum, t.sum);
  EXPECT_EQ(s.tally.sum_sq, t.sum_sq);
  EXPECT_EQ(s.tally.min, 1.0);
  EXPECT_EQ(s.tally.max, 4.0);
  EXPECT_EQ(s.quantiles, std::vector<double>{2.0});
  ASSERT_TRUE(s.histogram.has_value());
  EXPECT_EQ(s.histogram->counts, h.counts);
  EXPECT_EQ(s.histogram->lo, 0.0);
  EXPECT_EQ(s.histogram->hi, 5.0);
  EXPECT_EQ(s.histogram->overflow, 1);
  EXPECT_EQ(s.histogram_quantiles, std::vector<double>{h.quantile(0.5)});
}

TEST(StatisticGroup, BelowTwoValuesThereIsNoInterval) {
  h5::File file = h5::File::create_in_memory("statistic");
  h5::Group root = file.root();
  h5::Group g = h5::write_statistic(root, "one", tally_of({3.0}), "1", "one value");
  EXPECT_EQ(g.read_scalar_f64("mean"), 3.0);
  EXPECT_TRUE(std::isnan(g.read_scalar_f64("sd")));
  EXPECT_TRUE(std::isnan(g.read_scalar_f64("ci95_low")));
  EXPECT_TRUE(std::isnan(g.read_scalar_f64("ci95_high")));
  h5::Group e = h5::write_statistic(root, "none", Tally{}, "1", "no value");
  EXPECT_TRUE(std::isnan(e.read_scalar_f64("min")));
  EXPECT_EQ(h5::read_statistic(root.open_group("none"), 2).tally.count, 0);
}

TEST(StatisticGroup, ReadsTheVersion1PopulationLayout) {
  h5::File file = h5::File::create_in_memory("v1");
  h5::Group root = file.root();
  h5::Group g = root.create_group("welfare");
  const Tally t = tally_of({1.0, 2.0});
  g.write_scalar("count", t.count, "1", "");
  g.write_scalar("sum", t.sum, "USD", "");
  g.write_scalar("sum_sq", t.sum_sq, "USD^2", "");
  g.write_scalar("min", t.min, "USD", "");
  g.write_scalar("max", t.max, "USD", "");
  g.write("histogram", std::span<const std::int64_t>(std::vector<std::int64_t>{1, 1}), {}, {"bin"}, "1", "");
  const std::vector<double> range{0.0, 4.0};
  g.write("histogram_range", std::span<const double>(range), {}, {"bound"}, "USD", "");
  g.write_scalar("underflow", std::int64_t{0}, "1", "");
  g.write_scalar("overflow", std::int64_t{0}, "1", "");
  const h5::Statistic s = h5::read_statistic(g, 1);
  EXPECT_EQ(s.tally.count, 2);
  ASSERT_TRUE(s.histogram.has_value());
  EXPECT_EQ(s.histogram->hi, 4.0);
  EXPECT_EQ(s.histogram->bins(), 2);
  EXPECT_TRUE(s.quantiles.empty());
}

TEST(StatisticGroup, DamagedHistogramIsAnInputError) {
  h5::File file = h5::File::create_in_memory("bad");
  h5::Group root = file.root();
  h5::Group g = root.create_group("h");
  g.write("counts", std::span<const std::int64_t>(std::vector<std::int64_t>{1, 2}), {}, {"bin"}, "1", "");
  const std::vector<double> edges{1.0, 1.0, 1.0};
  g.write("edges", std::span<const double>(edges), {}, {"bin_edge"}, "1", "");
  g.write_scalar("underflow", std::int64_t{0}, "1", "");
  g.write_scalar("overflow", std::int64_t{0}, "1", "");
  EXPECT_THROW(h5::read_histogram(g), InputError);
}

}  // namespace
}  // namespace ttcg
