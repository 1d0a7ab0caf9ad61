#include "ttcgames/core/student_t.hpp"

#include <cmath>
#include <limits>

#include "ttcgames/core/distributions.hpp"

namespace ttcg {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double PI = 3.14159265358979323846;
constexpr int MAX_FRACTION_TERMS = 100000;  // the continued fraction needs O(√max(a, b)) terms
constexpr double FRACTION_EPSILON = 1e-16;
constexpr double TINY = 1e-300;
constexpr int MAX_NEWTON_STEPS = 100;

//! The continued fraction of I_x(a, b) (modified Lentz), for x < (a + 1)/(a + b + 2), where it converges fast.
double beta_fraction(double a, double b, double x) {
  double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < TINY) d = TINY;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= MAX_FRACTION_TERMS; ++m) {
    const double m2 = 2.0 * m;
    double coefficient = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
    for (int half = 0; half < 2; ++half) {
      d = 1.0 + coefficient * d;
      if (std::fabs(d) < TINY) d = TINY;
      c = 1.0 + coefficient / c;
      if (std::fabs(c) < TINY) c = TINY;
      d = 1.0 / d;
      h *= d * c;
      coefficient = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
    }
    if (std::fabs(d * c - 1.0) < FRACTION_EPSILON) break;
  }
  return h;
}

//! The regularized incomplete beta function I_x(a, b), 0 ≤ x ≤ 1.
double incomplete_beta(double a, double b, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  if (x < (a + 1.0) / (a + b + 2.0)) return std::exp(log_front) * beta_fraction(a, b, x) / a;
  return 1.0 - std::exp(log_front) * beta_fraction(b, a, 1.0 - x) / b;
}

//! P(T > t) for t ≥ 0: ½ I_{ν/(ν+t²)}(ν/2, ½).
double upper_tail(double t, double dof) {
  return 0.5 * incomplete_beta(0.5 * dof, 0.5, dof / (dof + t * t));
}

double density(double t, double dof) {
  return std::exp(std::lgamma(0.5 * (dof + 1.0)) - std::lgamma(0.5 * dof) - 0.5 * std::log(dof * PI) -
                  0.5 * (dof + 1.0) * std::log1p(t * t / dof));
}

//! Cornish–Fisher expansion of the t quantile around the normal quantile x (Abramowitz & Stegun 26.7.5).
double asymptotic_quantile(double x, double dof) {
  const double x2 = x * x;
  const double g1 = (x2 + 1.0) * x / 4.0;
  const double g2 = ((5.0 * x2 + 16.0) * x2 + 3.0) * x / 96.0;
  const double g3 = (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) * x / 384.0;
  const double g4 = ((((79.0 * x2 + 776.0) * x2 + 1482.0) * x2 - 1920.0) * x2 - 945.0) * x / 92160.0;
  return x + (g1 + (g2 + (g3 + g4 / dof) / dof) / dof) / dof;
}

}  // namespace

double student_t_cdf(double t, double dof) {
  if (std::isnan(t) || !(dof > 0.0)) return NaN;
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  const double tail = upper_tail(std::fabs(t), dof);
  return t >= 0.0 ? 1.0 - tail : tail;
}

double student_t_quantile(double p, double dof) {
  if (std::isnan(p) || !(dof > 0.0) || p < 0.0 || p > 1.0) return NaN;
  if (p == 0.0) return -std::numeric_limits<double>::infinity();
  if (p == 1.0) return std::numeric_limits<double>::infinity();
  if (p == 0.5) return 0.0;
  if (p < 0.5) return -student_t_quantile(1.0 - p, dof);
  const double tail = 1.0 - p;  // exact for p ≥ 0.5 (Sterbenz)
  if (dof == 1.0) return std::tan(PI * (p - 0.5));
  if (dof == 2.0) return (2.0 * p - 1.0) / std::sqrt(2.0 * p * tail);
  const double x = dist::standard_normal_quantile(p);
  double t = asymptotic_quantile(x, dof);
  if (dof >= STUDENT_T_ASYMPTOTIC_DOF) return t;
  // Solve upper_tail(t) = tail; upper_tail decreases in t. Keep a bracket [lo, hi] and fall back to bisection.
  double lo = 0.0, hi = std::numeric_limits<double>::infinity();
  if (!(t > 0.0) || !std::isfinite(t)) t = x > 0.0 ? x : 1.0;
  for (int step = 0; step < MAX_NEWTON_STEPS; ++step) {
    const double f = upper_tail(t, dof) - tail;  // > 0: t too small
    if (f > 0.0)
      lo = t;
    else
      hi = t;
    double next = t + f / density(t, dof);
    if (!(next > lo && next < hi)) next = std::isfinite(hi) ? 0.5 * (lo + hi) : 2.0 * t;
    if (std::fabs(next - t) <= STUDENT_T_RELATIVE_TOLERANCE * t) return next;
    t = next;
  }
  return t;
}

double confidence_t_factor(std::int64_t n) {
  return n < 2 ? NaN : student_t_quantile(0.5 * (1.0 + CONFIDENCE_LEVEL), static_cast<double>(n - 1));
}

}  // namespace ttcg
