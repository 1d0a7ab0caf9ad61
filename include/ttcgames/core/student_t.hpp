// Student's t distribution: the quantiles behind every confidence interval of a mean in ttcgames.
//
// A 95% interval of the mean of n values is mean ± t_{0.975, n−1} · sd/√n with the t quantile at n − 1 degrees of
// freedom, never the normal 1.96 (which is too narrow for a handful of replicates: t_{0.975,2} = 4.30). Below two
// values there is no interval (NaN). The quantile is computed here, without tables: the t CDF from the regularized
// incomplete beta function (continued fraction, modified Lentz), inverted by safeguarded Newton steps to a relative
// STUDENT_T_RELATIVE_TOLERANCE; above STUDENT_T_ASYMPTOTIC_DOF degrees of freedom the Cornish–Fisher expansion to
// ν⁻⁴ (Abramowitz & Stegun 26.7.5, error O(ν⁻⁵) < 1e-18) is used instead. Exact closed forms for ν = 1 and 2.
#pragma once

#include <cstdint>

namespace ttcg {

//! Coverage of every confidence interval of a mean that ttcgames writes or prints.
constexpr double CONFIDENCE_LEVEL = 0.95;
//! Relative accuracy to which student_t_quantile solves F(t) = p.
constexpr double STUDENT_T_RELATIVE_TOLERANCE = 1e-14;
//! From this many degrees of freedom on, the asymptotic expansion replaces the numerical inversion.
constexpr double STUDENT_T_ASYMPTOTIC_DOF = 1e4;

//! P(T ≤ t) for Student's t with `dof` > 0 degrees of freedom; NaN for NaN arguments or dof ≤ 0.
double student_t_cdf(double t, double dof);
//! The p-quantile of Student's t with `dof` > 0 degrees of freedom (0 < p < 1; ±inf at p = 0, 1; NaN otherwise).
double student_t_quantile(double p, double dof);
//! t_{(1 + CONFIDENCE_LEVEL)/2, n − 1}: the factor of sd/√n in the interval of the mean of n values (NaN for n < 2).
double confidence_t_factor(std::int64_t n);

}  // namespace ttcg
