"""Statistics of a tally: the Student-t 95 % interval of a mean, recomputed from the stored sums (so that files of
format 1, which stored normal intervals, read with the same intervals as files of format 2; docs/hdf5-format.md).

The t quantile is computed here without scipy, as in the C++ core (include/ttcgames/core/student_t.hpp): the t CDF
from the regularized incomplete beta function (continued fraction), inverted by safeguarded Newton steps; from
ASYMPTOTIC_DOF degrees of freedom on, the Cornish–Fisher expansion."""

import math

CONFIDENCE = 0.95
_TINY = 1e-300
_EPS = 1e-16


def _beta_fraction(a, b, x):
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 100001):
        m2 = 2.0 * m
        coefficient = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2))
        for _ in range(2):
            d = 1.0 + coefficient * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + coefficient / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
            coefficient = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0))
        if abs(d * c - 1.0) < _EPS:
            break
    return h


def _incomplete_beta(a, b, x):
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(front) * _beta_fraction(b, a, 1.0 - x) / b


def _upper_tail(t, dof):
    return 0.5 * _incomplete_beta(0.5 * dof, 0.5, dof / (dof + t * t))


def _density(t, dof):
    return math.exp(math.lgamma(0.5 * (dof + 1.0)) - math.lgamma(0.5 * dof) - 0.5 * math.log(dof * math.pi)
                    - 0.5 * (dof + 1.0) * math.log1p(t * t / dof))


ASYMPTOTIC_DOF = 1e4  # as STUDENT_T_ASYMPTOTIC_DOF in C++


def _normal_quantile(p):
    """Φ^{-1}(p) for 0.5 <= p < 1 by Newton on math.erfc (to ~1e-15)."""
    x = 0.0
    for _ in range(60):
        f = 0.5 * math.erfc(-x / math.sqrt(2.0)) - p
        step = f / (math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi))
        x -= step
        if abs(step) <= 1e-16 * max(1.0, abs(x)):
            break
    return x


def _asymptotic(p, dof):
    """Cornish–Fisher expansion to dof^-4 (Abramowitz & Stegun 26.7.5)."""
    x = _normal_quantile(p)
    x2 = x * x
    g1 = (x2 + 1.0) * x / 4.0
    g2 = ((5.0 * x2 + 16.0) * x2 + 3.0) * x / 96.0
    g3 = (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) * x / 384.0
    g4 = ((((79.0 * x2 + 776.0) * x2 + 1482.0) * x2 - 1920.0) * x2 - 945.0) * x / 92160.0
    return x + (g1 + (g2 + (g3 + g4 / dof) / dof) / dof) / dof


def t_quantile(p, dof):
    """The p-quantile of Student's t with dof > 0 degrees of freedom, 0.5 <= p < 1 (relative accuracy ~1e-12)."""
    if dof >= ASYMPTOTIC_DOF:
        return _asymptotic(p, dof)
    if dof == 1:
        return math.tan(math.pi * (p - 0.5))
    if dof == 2:
        return (2.0 * p - 1.0) / math.sqrt(2.0 * p * (1.0 - p))
    tail = 1.0 - p
    t, lo, hi = 2.0, 0.0, math.inf
    for _ in range(200):
        f = _upper_tail(t, dof) - tail
        if f > 0.0:
            lo = t
        else:
            hi = t
        step = t + f / _density(t, dof)
        if not lo < step < hi:
            step = 0.5 * (lo + hi) if math.isfinite(hi) else 2.0 * t
        if abs(step - t) <= 1e-14 * t:
            return step
        t = step
    return t


def interval_columns(count, total, total_sq):
    """mean, sd, standard_error, ci95_low, ci95_high of a tally (count, Σx, Σx²); NaN where undefined (n < 2)."""
    nan = float("nan")
    n = int(count)
    mean = total / n if n > 0 else nan
    if n < 2:
        return {"mean": mean, "sd": nan, "standard_error": nan, "ci95_low": nan, "ci95_high": nan}
    sd = math.sqrt(max(0.0, (total_sq - n * mean * mean) / (n - 1)))
    se = sd / math.sqrt(n)
    half = t_quantile(0.5 * (1.0 + CONFIDENCE), n - 1) * se
    return {"mean": mean, "sd": sd, "standard_error": se, "ci95_low": mean - half, "ci95_high": mean + half}
