// The portable elementary functions (portable_math.hpp) against glibc: within a named number of ulps over the
// whole range, exact special values, and the properties the kernels rely on (flush to zero, branch-free selects).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>

#include "ttcgames/core/portable_math.hpp"

namespace {

namespace pm = ttcg::portable;

//! Largest distance in ulps from glibc allowed (glibc itself is within 1 ulp of the exact result).
constexpr double MAX_ULPS = 2.0;
//! log1p goes through log(1 + y)·y/((1 + y) − 1): two more roundings.
constexpr double MAX_ULPS_LOG1P = 4.0;
constexpr int SAMPLES = 200000;
constexpr std::uint64_t SEED = 20260301;

std::int64_t ordered(double x) {
  std::int64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b < 0 ? std::numeric_limits<std::int64_t>::min() - b : b;
}

double ulps(double a, double b) {
  if (a == b || (std::isnan(a) && std::isnan(b))) return 0.0;
  return std::fabs(static_cast<double>(ordered(a) - ordered(b)));
}

TEST(PortableMath, ExpWithinTwoUlpsOfGlibc) {
  std::mt19937_64 gen(SEED);
  std::uniform_real_distribution<double> x(-745.0, 709.7);
  double worst = 0.0, at = 0.0;
  for (int s = 0; s < SAMPLES; ++s) {
    const double v = x(gen);
    const double d = ulps(pm::exp(v), std::exp(v));
    if (d > worst) worst = d, at = v;
  }
  EXPECT_LE(worst, MAX_ULPS) << "at x = " << at << " (seed " << SEED << ")";
}

TEST(PortableMath, ExpNonpositiveMatchesExpAndFlushesBelowTheNormalRange) {
  std::mt19937_64 gen(SEED + 1);
  std::uniform_real_distribution<double> x(-708.39, 0.0);
  for (int s = 0; s < SAMPLES; ++s) {
    const double v = x(gen);
    ASSERT_LE(ulps(pm::exp_nonpositive(v), std::exp(v)), MAX_ULPS) << "x = " << v << " (seed " << SEED + 1 << ")";
  }
  EXPECT_EQ(pm::exp_nonpositive(0.0), 1.0);
  EXPECT_EQ(pm::exp_nonpositive(-708.5), 0.0);
  EXPECT_EQ(pm::exp_nonpositive(-INFINITY), 0.0);
  EXPECT_TRUE(std::isnan(pm::exp_nonpositive(NAN)));
}

TEST(PortableMath, ExpSpecialValuesAndSubnormals) {
  EXPECT_EQ(pm::exp(0.0), 1.0);
  EXPECT_EQ(pm::exp(-INFINITY), 0.0);
  EXPECT_EQ(pm::exp(INFINITY), INFINITY);
  EXPECT_EQ(pm::exp(710.0), INFINITY);
  EXPECT_EQ(pm::exp(-746.0), 0.0);
  EXPECT_TRUE(std::isnan(pm::exp(NAN)));
  std::mt19937_64 gen(SEED + 2);
  std::uniform_real_distribution<double> x(-745.13, -708.4);  // subnormal results
  for (int s = 0; s < 20000; ++s) {
    const double v = x(gen);
    ASSERT_LE(ulps(pm::exp(v), std::exp(v)), MAX_ULPS) << "x = " << v;
  }
}

TEST(PortableMath, LogWithinTwoUlpsOfGlibc) {
  std::mt19937_64 gen(SEED + 3);
  std::uniform_real_distribution<double> decade(-307.0, 308.0), near_one(0.5, 1.5), fraction(0.0, 1.0);
  double worst = 0.0, at = 0.0;
  for (int s = 0; s < SAMPLES; ++s) {
    for (const double v : {std::pow(10.0, decade(gen)), near_one(gen), fraction(gen) * 0x1p-1022}) {
      const double d = ulps(pm::log(v), std::log(v));
      if (d > worst) worst = d, at = v;
    }
  }
  EXPECT_LE(worst, MAX_ULPS) << "at x = " << at << " (seed " << SEED + 3 << ")";
}

TEST(PortableMath, LogSpecialValues) {
  EXPECT_EQ(pm::log(1.0), 0.0);
  EXPECT_EQ(pm::log(0.0), -INFINITY);
  EXPECT_EQ(pm::log(-0.0), -INFINITY);
  EXPECT_TRUE(std::isnan(pm::log(-1.0)));
  EXPECT_TRUE(std::isnan(pm::log(NAN)));
  EXPECT_EQ(pm::log(INFINITY), INFINITY);
  EXPECT_EQ(pm::log(std::numeric_limits<double>::denorm_min()), std::log(std::numeric_limits<double>::denorm_min()));
}

TEST(PortableMath, Log1pSoftplusAndLogSigmoid) {
  std::mt19937_64 gen(SEED + 4);
  std::uniform_real_distribution<double> decade(-300.0, 0.0);
  double worst = 0.0;
  for (int s = 0; s < SAMPLES; ++s) {
    const double y = std::pow(10.0, decade(gen));
    worst = std::max(worst, ulps(pm::log1p(y), std::log1p(y)));
  }
  EXPECT_LE(worst, MAX_ULPS_LOG1P) << "seed " << SEED + 4;
  EXPECT_EQ(pm::log1p(0.0), 0.0);
  EXPECT_EQ(pm::log1p(1e-300), 1e-300);
  // log σ(z) for large |z| stays finite and exact in its limits.
  EXPECT_EQ(pm::log_sigmoid(1e6), -0.0);
  EXPECT_DOUBLE_EQ(pm::log_sigmoid(-1e6), -1e6);
  EXPECT_NEAR(pm::log_sigmoid(0.0), -std::log(2.0), 1e-16);
  EXPECT_NEAR(pm::softplus(3.0), std::log1p(std::exp(3.0)), 1e-15);
}

TEST(PortableMath, SelectTakesTheRightSideWithoutBranching) {
  EXPECT_EQ(pm::select(true, 1.0, 2.0), 1.0);
  EXPECT_EQ(pm::select(false, 1.0, 2.0), 2.0);
  EXPECT_TRUE(std::isnan(pm::select(true, NAN, 2.0)));
  EXPECT_EQ(pm::select(false, NAN, -INFINITY), -INFINITY);
}

}  // namespace
