#include "ttcgames/core/student_t.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace ttcg {
namespace {

// The reference quantiles below (the t CDF inverted with mpmath at 40 digits, rounded to 10 or 11 significant
// digits) hold the computed quantiles to their last digit.
constexpr double REFERENCE_TOLERANCE = 1e-9;  // relative
// F(t_p) = p to this (absolute), the CDF being computed independently of the inversion's stopping rule; at
// thousands of degrees of freedom the log-gamma terms of the incomplete beta cancel to about 1e-12.
constexpr double ROUND_TRIP_TOLERANCE = 1e-12;

TEST(StudentT, KnownQuantilesAt975) {
  const struct {
    double dof, t;
  } known[] = {{1, 12.706204736}, {2, 4.302652730},  {3, 3.182446305},  {4, 2.776445105},    {5, 2.5705818356},
               {9, 2.262157163},  {10, 2.228138852}, {30, 2.042272456}, {100, 1.9839715185}, {1000, 1.962339081}};
  for (const auto& k : known)
    EXPECT_NEAR(student_t_quantile(0.975, k.dof), k.t, REFERENCE_TOLERANCE * k.t) << "dof " << k.dof;
}

TEST(StudentT, OtherProbabilitiesAndSymmetry) {
  EXPECT_NEAR(student_t_quantile(0.95, 1), 6.313751515, REFERENCE_TOLERANCE * 6.313751515);
  // ν = 3 from the closed-form CDF ½ + (t/(√3(1 + t²/3)) + atan(t/√3))/π, solved to 25 digits.
  EXPECT_NEAR(student_t_quantile(0.995, 3), 5.8409093097, REFERENCE_TOLERANCE * 5.8409093097);
  EXPECT_NEAR(student_t_quantile(0.9, 7), 1.414923928, REFERENCE_TOLERANCE * 1.414923928);
  for (const double dof : {1.0, 2.0, 3.5, 17.0, 250.0})
    EXPECT_EQ(student_t_quantile(0.025, dof), -student_t_quantile(0.975, dof));
  EXPECT_EQ(student_t_quantile(0.5, 3), 0.0);
  EXPECT_TRUE(std::isnan(student_t_quantile(0.975, 0)));
  EXPECT_TRUE(std::isnan(student_t_quantile(1.5, 3)));
}

TEST(StudentT, TendsToTheNormalQuantile) {
  constexpr double Z = 1.959963984540054;
  EXPECT_NEAR(student_t_quantile(0.975, 1e7), Z, 1e-6);
  EXPECT_GT(student_t_quantile(0.975, 1e7), Z);
  // Either side of STUDENT_T_ASYMPTOTIC_DOF (inversion below, asymptotic expansion from it on).
  EXPECT_NEAR(student_t_quantile(0.975, 9999), 1.96020126362, REFERENCE_TOLERANCE);
  EXPECT_NEAR(student_t_quantile(0.975, 10000), 1.96020123989, REFERENCE_TOLERANCE);
  EXPECT_GT(student_t_quantile(0.975, 9999), student_t_quantile(0.975, 10000));
}

TEST(StudentT, QuantileInvertsTheCdf) {
  for (const double dof : {1.0, 2.0, 3.0, 4.5, 12.0, 99.0, 5000.0})
    for (const double p : {0.6, 0.9, 0.975, 0.999})
      EXPECT_NEAR(student_t_cdf(student_t_quantile(p, dof), dof), p, ROUND_TRIP_TOLERANCE) << dof << " " << p;
}

TEST(StudentT, ConfidenceFactor) {
  EXPECT_TRUE(std::isnan(confidence_t_factor(0)));
  EXPECT_TRUE(std::isnan(confidence_t_factor(1)));
  EXPECT_NEAR(confidence_t_factor(2), 12.706204736, REFERENCE_TOLERANCE * 12.706204736);
  EXPECT_NEAR(confidence_t_factor(31), 2.042272456, REFERENCE_TOLERANCE * 2.042272456);
}

}  // namespace
}  // namespace ttcg
