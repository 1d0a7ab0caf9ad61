#include "ttcgames/enumeration.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ttcgames/cuda_backend.hpp"
#include "ttcgames/enumeration_math.hpp"
#include "ttcgames/error.hpp"

namespace ttcg {

std::int64_t profile_count(int n, int K) {
  if (n < 0 || K < 1) return -1;
  std::int64_t total = 1;
  for (int i = 0; i < n; ++i) {
    if (total > (std::int64_t{1} << 62) / K) return -1;
    total *= K;
  }
  return total;
}

namespace {

//! Running statistics over equilibria seen in increasing index order.
struct Accumulator {
  std::int64_t count = 0;
  std::vector<std::int64_t> indices;
  double worst = INFINITY, best = -INFINITY;
  std::int64_t worst_index = -1, best_index = -1;

  void add(std::int64_t index, double welfare, std::int64_t max_stored) {
    ++count;
    if (static_cast<std::int64_t>(indices.size()) < max_stored) indices.push_back(index);
    if (welfare < worst) worst = welfare, worst_index = index;
    if (welfare > best) best = welfare, best_index = index;
  }
  //! Appends a later chunk (all of its indices are larger than ours).
  void merge(const Accumulator& o, std::int64_t max_stored) {
    count += o.count;
    for (const std::int64_t i : o.indices)
      if (static_cast<std::int64_t>(indices.size()) < max_stored) indices.push_back(i);
    if (o.worst < worst) worst = o.worst, worst_index = o.worst_index;
    if (o.best > best) best = o.best, best_index = o.best_index;
  }
};

//! Where level k is a tol-best response of provider i, as a function of L = log A_{−i}: certainly inside for
//! L ∈ [lo_certain, hi_certain], certainly outside for L < lo_possible or L > hi_possible, undecided between.
struct Window {
  double lo_possible = -INFINITY, lo_certain = -INFINITY;
  double hi_certain = INFINITY, hi_possible = INFINITY;
};
enum class Verdict { no, yes, undecided };

Verdict classify(const Window& w, double L) {
  if (L < w.lo_possible || L > w.hi_possible) return Verdict::no;
  if (L >= w.lo_certain && L <= w.hi_certain) return Verdict::yes;
  return Verdict::undecided;
}

//! Margins of the windows. The direct test compares log-utilities of magnitude |log u| ≲ 1e3 with rounding
//! error ~1e-13 at most; a window edge is trusted only MARGIN_GAIN beyond that, and only where the pairwise
//! difference moves fast enough in L (slope ≥ MIN_SLOPE) that its curvature (|d''| ≤ 1/2) cannot undo the
//! margin.
constexpr double MARGIN_GAIN = 1e-10;
constexpr double MIN_SLOPE = 1e-3;
constexpr int BISECTION_STEPS = 200;

//! d(L) = log u_i(k, L) − log u_i(j, L) + log_tol; level k beats level j (within tol) iff d(L) ≥ 0.
double pair_margin(const GameView& g, int i, int k, int j, double L, double log_tol) {
  return log_utility(g, i, k, L) - log_utility(g, i, j, L) + log_tol;
}

Window level_window(const GameView& g, int i, int k, double log_tol) {
  Window w;
  const double xk = g.xs(i, k);
  for (int j = 0; j < g.K; ++j) {
    if (j == k) continue;
    const double xj = g.xs(i, j);
    // Beyond ±(800 + |x|) both log-utilities are at their limits to double precision.
    const double a = std::fmin(xk, xj) - 800.0, b = std::fmax(xk, xj) + 800.0;
    const double da = pair_margin(g, i, k, j, a, log_tol), db = pair_margin(g, i, k, j, b, log_tol);
    const bool increasing = xk > xj;  // d is monotone in L: increasing iff x_k > x_j, constant if equal
    if (xk == xj || std::isnan(da) || std::isnan(db)) {
      const double d = pair_margin(g, i, k, j, 0.5 * (a + b), log_tol);
      if (std::isnan(d) || std::fabs(d) <= MARGIN_GAIN) {  // undecidable here: always fall back
        w.lo_certain = INFINITY;
        w.hi_certain = -INFINITY;
      } else if (d < 0.0) {
        w.lo_possible = INFINITY;  // k never beats j
      }
      continue;
    }
    if ((da >= 0.0) == (db >= 0.0)) {  // same verdict over the whole range (the ends are the limits)
      if (da < 0.0 && db < 0.0) w.lo_possible = INFINITY;
      if (std::fmin(std::fabs(da), std::fabs(db)) <= MARGIN_GAIN) w.lo_certain = INFINITY, w.hi_certain = -INFINITY;
      continue;
    }
    double lo = a, hi = b;  // invariant: d(lo) and d(hi) straddle 0
    for (int step = 0; step < BISECTION_STEPS && hi - lo > 4e-16 * (1.0 + std::fabs(lo)); ++step) {
      const double mid = 0.5 * (lo + hi);
      if ((pair_margin(g, i, k, j, mid, log_tol) >= 0.0) == (da >= 0.0))
        lo = mid;
      else
        hi = mid;
    }
    const double root = 0.5 * (lo + hi);
    const double slope = std::fabs(1.0 / (1.0 + std::exp(xj - root)) - 1.0 / (1.0 + std::exp(xk - root)));
    const double delta = slope >= MIN_SLOPE ? 2.0 * MARGIN_GAIN / slope + 1e-12 * (1.0 + std::fabs(root)) : INFINITY;
    if (increasing) {  // k beats j for L ≥ root
      w.lo_possible = std::fmax(w.lo_possible, root - delta);
      w.lo_certain = std::fmax(w.lo_certain, root + delta);
    } else {  // k beats j for L ≤ root
      w.hi_possible = std::fmin(w.hi_possible, root + delta);
      w.hi_certain = std::fmin(w.hi_certain, root - delta);
    }
  }
  return w;
}

//! The direct test of one provider at one profile, given its canonical log A_{−i}.
bool direct_best_response(const GameView& g, int i, int level, double L, double log_tol) {
  const double threshold = log_utility(g, i, level, L) + log_tol;
  for (int k = 0; k < g.K; ++k)
    if (k != level && log_utility(g, i, k, L) > threshold) return false;
  return true;
}

struct WindowScanner {
  const GameView& g;
  const std::vector<Window>& windows;  // [i*K + k]
  double log_tol;
  std::vector<int> digits;     // the profile; digits[n−1] is the completion under test
  std::vector<LogSumExp> lse;  // lse[d]: x_0 then providers 0..d−1 (the canonical summation order)
  std::int64_t direct_tests = 0;

  WindowScanner(const GameView& gv, const std::vector<Window>& w, double tol)
      : g(gv), windows(w), log_tol(tol), digits(gv.n, 0), lse(gv.n) {}

  void seek(std::int64_t prefix) {
    decode_profile(prefix, g.n - 1, g.K, digits.data());
    lse[0] = LogSumExp{};
    lse[0].add(g.x0);
    refresh_from(0);
  }
  void refresh_from(int d) {
    for (int e = d; e + 1 < g.n; ++e) {
      lse[e + 1] = lse[e];
      lse[e + 1].add(g.xs(e, digits[e]));
    }
  }
  void advance() {
    int d = g.n - 2;
    while (d >= 0 && ++digits[d] == g.K) digits[d--] = 0;
    refresh_from(std::max(d, 0));
  }
  bool responds(int i, double L) {
    const Verdict v = classify(windows[i * g.K + digits[i]], L);
    if (v != Verdict::undecided) return v == Verdict::yes;
    ++direct_tests;
    return direct_best_response(g, i, digits[i], L, log_tol);
  }
  std::uint32_t completions() {
    const int last = g.n - 1;
    const double L_last = lse[last].value();  // == log_aggregate(g, profile, last), bit for bit
    std::uint32_t mask = 0;
    for (int k = 0; k < g.K; ++k) {
      digits[last] = k;
      if (!responds(last, L_last)) continue;
      bool ok = true;
      for (int i = last - 1; ok && i >= 0; --i) {  // log A_{−i}: the prefix before i, then i+1..n−1, as canonical
        LogSumExp a = lse[i];
        for (int j = i + 1; j < g.n; ++j) a.add(g.xs(j, digits[j]));
        ok = responds(i, a.value());
      }
      if (ok) mask |= 1u << k;
    }
    return mask;
  }
};

}  // namespace

void check_enumeration_limits(int n, int K, const EnumerationOptions& options) {
  const std::int64_t total = profile_count(n, K);
  if (total < 0 || total > options.max_profiles)
    throw InputError("equilibrium enumeration: " + std::to_string(K) + "^" + std::to_string(n) +
                     " profiles exceed the limit of " + std::to_string(options.max_profiles) +
                     " (raise [equilibria] max_profiles, or set enumerate = false)");
  if (K > ENUMERATION_MAX_LEVELS)
    throw InputError("equilibrium enumeration supports at most " + std::to_string(ENUMERATION_MAX_LEVELS) +
                     " levels per provider, got " + std::to_string(K) + " (set [equilibria] enumerate = false)");
}

EquilibriumSet enumerate_equilibria(const Game& game, const EnumerationOptions& options, Backend backend) {
  const GameView g = game.view();
  check_enumeration_limits(g.n, g.K, options);
  const std::int64_t total = profile_count(g.n, g.K);
  const double log_tol = std::log1p(options.relative_tolerance);
  if (backend == Backend::cuda) return cuda::enumerate_equilibria(g, log_tol, options.max_stored);

  const bool windows = options.algorithm == EnumerationAlgorithm::windows ||
                       (options.algorithm == EnumerationAlgorithm::automatic && total >= WINDOWS_MIN_PROFILES);
  std::vector<Window> window(windows ? static_cast<std::size_t>(g.n) * g.K : 0);
  if (windows) {
    for (int i = 0; i < g.n; ++i)
      for (int k = 0; k < g.K; ++k) window[i * g.K + k] = level_window(g, i, k, log_tol);
  }
  const std::int64_t prefixes = total / g.K;
  std::vector<Accumulator> partial(omp_get_max_threads());
#pragma omp parallel
  {
    const std::int64_t threads = omp_get_num_threads();
    const std::int64_t t = omp_get_thread_num();
    const std::int64_t begin = prefixes * t / threads;
    const std::int64_t end = prefixes * (t + 1) / threads;
    std::vector<int> profile(g.n);
    WindowScanner scan(g, window, log_tol);
    if (windows && begin < end) scan.seek(begin);
    Accumulator& acc = partial[t];
    for (std::int64_t prefix = begin; prefix < end; ++prefix) {
      std::uint32_t mask;
      if (windows) {
        mask = scan.completions();
        std::copy(scan.digits.begin(), scan.digits.end(), profile.begin());
        scan.advance();
      } else {
        decode_profile(prefix, g.n - 1, g.K, profile.data());
        mask = equilibrium_completions(g, profile.data(), log_tol);
      }
      for (int k = 0; mask != 0; ++k, mask >>= 1) {
        if (!(mask & 1u)) continue;
        profile[g.n - 1] = k;
        acc.add(prefix * g.K + k, social_welfare(g, profile.data()), options.max_stored);
      }
    }
  }
  Accumulator all;
  for (const Accumulator& p : partial) all.merge(p, options.max_stored);

  EquilibriumSet set;
  set.profiles = total;
  set.count = all.count;
  set.indices = std::move(all.indices);
  set.worst_welfare = all.count ? all.worst : std::numeric_limits<double>::quiet_NaN();
  set.best_welfare = all.count ? all.best : std::numeric_limits<double>::quiet_NaN();
  set.worst_index = all.worst_index;
  set.best_index = all.best_index;
  return set;
}

}  // namespace ttcg
