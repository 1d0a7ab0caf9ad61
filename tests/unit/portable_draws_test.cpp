// portable_draws.hpp: e^x and log x within 2 ulp of the C library over their whole range, exact at the easy points,
// and the normal quantile against known values and its symmetry.
#include "ttcgames/portable_draws.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "ttcgames/rng.hpp"

namespace {

using namespace ttcg;

//! Agreement with glibc (itself within an ulp of the exact value).
constexpr double MAX_ULPS = 2.0;

double ulps(double a, double b) {
  if (a == b) return 0.0;
  return std::fabs(a - b) / (std::nextafter(std::fabs(b), INFINITY) - std::fabs(b));
}

TEST(PortableDraws, ExpAgreesWithTheCLibrary) {
  const rng::Philox4x32Key key = rng::make_key(1, rng::stream_id("test.portable_exp"));
  double worst = 0.0;
  for (std::uint32_t j = 0; j < 200000; ++j) {
    const rng::Philox4x32Ctr r = rng::draw(key, 0, 0, 0, j);
    const double x = -745.0 + 1454.0 * rng::to_unit_double(r.v[0], r.v[1]);
    if (x > 709.7) continue;
    const double e = std::exp(x);
    if (e < 2.3e-308) continue;  // subnormal results: checked below by value
    worst = std::fmax(worst, ulps(portable_exp(x), e));
  }
  EXPECT_LE(worst, MAX_ULPS);
  EXPECT_EQ(portable_exp(0.0), 1.0);
  EXPECT_EQ(portable_exp(-1000.0), 0.0);
  EXPECT_EQ(portable_exp(800.0), INFINITY);
  EXPECT_TRUE(std::isnan(portable_exp(NAN)));
  EXPECT_NEAR(portable_exp(-740.0) / std::exp(-740.0), 1.0, 1e-3);  // subnormal: a few significant bits
}

TEST(PortableDraws, LogAgreesWithTheCLibrary) {
  const rng::Philox4x32Key key = rng::make_key(1, rng::stream_id("test.portable_log"));
  double worst = 0.0;
  for (std::uint32_t j = 0; j < 200000; ++j) {
    const rng::Philox4x32Ctr r = rng::draw(key, 0, 0, 0, j);
    const double x = std::exp(-700.0 + 1400.0 * rng::to_unit_double(r.v[0], r.v[1]));
    worst = std::fmax(worst, ulps(portable_log(x), std::log(x)));
    const double near_one = 1.0 + (rng::to_unit_double(r.v[2], r.v[3]) - 0.5) * 1e-3;
    worst = std::fmax(worst, ulps(portable_log(near_one), std::log(near_one)));
  }
  EXPECT_LE(worst, MAX_ULPS);
  EXPECT_EQ(portable_log(1.0), 0.0);
  EXPECT_EQ(portable_log(0.0), -INFINITY);
  EXPECT_TRUE(std::isnan(portable_log(-1.0)));
  EXPECT_EQ(portable_log(INFINITY), INFINITY);
  EXPECT_NEAR(portable_log(5e-324), std::log(5e-324), 1e-12);
}

TEST(PortableDraws, NormalQuantileKnownValuesAndSymmetry) {
  EXPECT_EQ(normal_quantile(0.5), 0.0);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-15);
  EXPECT_NEAR(normal_quantile(0.8413447460685429), 1.0, 1e-14);
  EXPECT_NEAR(normal_quantile(0.0013498980316301), -3.0, 1e-12);
  EXPECT_NEAR(normal_quantile(1e-300), -37.04710, 1e-4);  // beyond r = 5: the third branch
  EXPECT_EQ(normal_quantile(0.0), -INFINITY);
  EXPECT_EQ(normal_quantile(1.0), INFINITY);
  EXPECT_TRUE(std::isnan(normal_quantile(1.5)));
  for (const double p : {0x1p-30, 0x1p-20, 0.01, 0.07, 0.2, 0.4})  // 1 − p exact or nearly
    EXPECT_NEAR(normal_quantile(p), -normal_quantile(1.0 - p), 1e-9 * std::fabs(normal_quantile(p)));
}

}  // namespace
