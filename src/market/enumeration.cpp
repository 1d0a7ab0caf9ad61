#include "ttcgames/market/enumeration.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "ttcgames/core/error.hpp"
#include "ttcgames/market/aggregate_enumeration.hpp"
#include "ttcgames/market/cuda_market.hpp"
#include "ttcgames/market/enumeration_math.hpp"

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
double window_margin(const GameView& g, int i, int k, int j, double L, double log_tol) {
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
    const double da = window_margin(g, i, k, j, a, log_tol), db = window_margin(g, i, k, j, b, log_tol);
    const bool increasing = xk > xj;  // d is monotone in L: increasing iff x_k > x_j, constant if equal
    if (xk == xj || std::isnan(da) || std::isnan(db)) {
      const double d = window_margin(g, i, k, j, 0.5 * (a + b), log_tol);
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
      if ((window_margin(g, i, k, j, mid, log_tol) >= 0.0) == (da >= 0.0))
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
    return is_tol_best_response(g, i, digits[i], L, log_tol);
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

//! Equilibria reported by the aggregative search in its own order: the count, the extremes with lexicographic
//! tie-breaks, and the lexicographically first max_stored profiles (trimmed whenever twice as many are held).
class StructuralCollector {
 public:
  StructuralCollector(const GameView& g, std::int64_t max_stored) : g_(g), max_stored_(max_stored) {}

  void operator()(const int* profile) {
    const double welfare = social_welfare(g_, profile);
    ++count_;
    if (count_ == 1 || welfare < worst_ || (welfare == worst_ && precedes(profile, worst_profile_))) {
      worst_ = welfare;
      worst_profile_.assign(profile, profile + g_.n);
    }
    if (count_ == 1 || welfare > best_ || (welfare == best_ && precedes(profile, best_profile_))) {
      best_ = welfare;
      best_profile_.assign(profile, profile + g_.n);
    }
    if (max_stored_ <= 0) return;
    rows_.insert(rows_.end(), profile, profile + g_.n);
    if (static_cast<std::int64_t>(rows_.size()) >= 2 * max_stored_ * g_.n) trim();
  }

  void finish(EquilibriumSet& set) {
    trim();
    set.count = count_;
    for (std::size_t r = 0; r < rows_.size(); r += static_cast<std::size_t>(g_.n))
      set.stored.emplace_back(rows_.begin() + static_cast<std::ptrdiff_t>(r),
                              rows_.begin() + static_cast<std::ptrdiff_t>(r) + g_.n);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    set.worst_welfare = count_ ? worst_ : nan;
    set.best_welfare = count_ ? best_ : nan;
    set.worst_profile = std::move(worst_profile_);
    set.best_profile = std::move(best_profile_);
  }

 private:
  bool precedes(const int* a, const Profile& b) const {
    return std::lexicographical_compare(a, a + g_.n, b.begin(), b.end());
  }
  //! Keeps the lexicographically first max_stored rows, sorted.
  void trim() {
    const std::size_t n = static_cast<std::size_t>(g_.n);
    std::vector<std::size_t> order(rows_.size() / n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto row_less = [&](std::size_t a, std::size_t b) {
      return std::lexicographical_compare(rows_.begin() + a * n, rows_.begin() + (a + 1) * n, rows_.begin() + b * n,
                                          rows_.begin() + (b + 1) * n);
    };
    std::sort(order.begin(), order.end(), row_less);
    order.resize(std::min(order.size(), static_cast<std::size_t>(max_stored_)));
    std::vector<int> kept;
    kept.reserve(order.size() * n);
    for (const std::size_t r : order) kept.insert(kept.end(), rows_.begin() + r * n, rows_.begin() + (r + 1) * n);
    rows_ = std::move(kept);
  }

  const GameView& g_;
  std::int64_t max_stored_;
  std::int64_t count_ = 0;
  double worst_ = INFINITY, best_ = -INFINITY;
  Profile worst_profile_, best_profile_;
  std::vector<int> rows_;
};

//! Host scratch of the aggregative search (AggregateSearchSpace over vectors).
struct AggregateSearchBuffers {
  std::vector<AggregateEvent> event;
  std::vector<std::uint32_t> covered, pending;
  std::vector<int> profile;
  std::vector<double> rest_low, rest_high;
  std::vector<LogSumExp> prefix;

  AggregateSearchBuffers(int n, int K)
      : event(2 * static_cast<std::size_t>(n) * K),
        covered(n),
        pending(n),
        profile(n),
        rest_low(n + 1),
        rest_high(n + 1),
        prefix(n + 1) {}
  AggregateSearchSpace space() {
    return AggregateSearchSpace{event.data(),    covered.data(),   pending.data(), profile.data(),
                                rest_low.data(), rest_high.data(), prefix.data()};
  }
};

EquilibriumSet enumerate_structural(const GameView& g, double log_tol, std::int64_t max_stored) {
  AggregateSearchBuffers buffers(g.n, g.K);
  StructuralCollector collect(g, max_stored);
  const AggregateSearchStats stats = enumerate_by_aggregate(g, log_tol, buffers.space(), collect);
  EquilibriumSet set;
  collect.finish(set);
  set.profiles = profile_count(g.n, g.K);
  set.work = stats.nodes;
  return set;
}

Profile decode(std::int64_t index, int n, int K) {
  Profile p(static_cast<std::size_t>(n), -1);
  if (index >= 0) decode_profile(index, n, K, p.data());
  return p;
}

//! Every K^n profile (the oracle): the windows or the direct test on the CPU, the CUDA kernel on cuda.
EquilibriumSet enumerate_exhaustive(const GameView& g, const EnumerationOptions& options, Backend backend,
                                    double log_tol) {
  const std::int64_t total = profile_count(g.n, g.K);
  if (backend == Backend::cuda) return cuda::enumerate_equilibria(g, log_tol, options.max_stored);
  const bool windows = options.algorithm == EnumerationAlgorithm::windows ||
                       (options.algorithm == EnumerationAlgorithm::exhaustive && total >= WINDOWS_MIN_PROFILES);
  std::vector<Window> window(windows ? static_cast<std::size_t>(g.n) * g.K : 0);
  if (windows) {
    for (int i = 0; i < g.n; ++i)
      for (int k = 0; k < g.K; ++k) window[i * g.K + k] = level_window(g, i, k, log_tol);
  }
  const std::int64_t prefixes = total / g.K;
  std::vector<Accumulator> partial(omp_get_max_threads());
#pragma omp parallel if (prefixes >= EXHAUSTIVE_PARALLEL_MIN_PREFIXES)
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
  set.work = total;
  set.count = all.count;
  for (const std::int64_t index : all.indices) set.stored.push_back(decode(index, g.n, g.K));
  set.worst_welfare = all.count ? all.worst : std::numeric_limits<double>::quiet_NaN();
  set.best_welfare = all.count ? all.best : std::numeric_limits<double>::quiet_NaN();
  if (all.count) {
    set.worst_profile = decode(all.worst_index, g.n, g.K);
    set.best_profile = decode(all.best_index, g.n, g.K);
  }
  return set;
}

}  // namespace

const char* to_string(EnumerationAlgorithm algorithm) {
  switch (algorithm) {
    case EnumerationAlgorithm::structural:
      return "structural";
    case EnumerationAlgorithm::exhaustive:
      return "exhaustive";
    case EnumerationAlgorithm::windows:
      return "windows";
    case EnumerationAlgorithm::direct:
      return "direct";
  }
  return "structural";
}

EnumerationAlgorithm parse_enumeration_algorithm(const std::string& text, const std::string& where) {
  if (text == "structural") return EnumerationAlgorithm::structural;
  if (text == "exhaustive") return EnumerationAlgorithm::exhaustive;
  throw InputError(where + " is \"" + text + "\"; valid: \"structural\" (all equilibria from the aggregate, the " +
                   "default) or \"exhaustive\" (the oracle over all K^n profiles)");
}

bool profile_precedes(const Profile& a, const Profile& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

void check_enumeration_limits(int n, int K, const EnumerationOptions& options) {
  if (K > ENUMERATION_MAX_LEVELS)
    throw InputError("equilibrium enumeration supports at most " + std::to_string(ENUMERATION_MAX_LEVELS) +
                     " levels per provider, got " + std::to_string(K) + " (set [equilibria] enumerate = false)");
  if (options.algorithm == EnumerationAlgorithm::structural) return;
  const std::int64_t total = profile_count(n, K);
  if (total < 0 || total > options.max_profiles)
    throw InputError("exhaustive equilibrium enumeration: " + std::to_string(K) + "^" + std::to_string(n) +
                     " profiles exceed the limit of " + std::to_string(options.max_profiles) +
                     " (raise [equilibria] max_profiles, use algorithm = \"structural\", or set enumerate = false)");
}

EquilibriumSet enumerate_equilibria(const Game& game, const EnumerationOptions& options, Backend backend) {
  const GameView g = game.view();
  check_enumeration_limits(g.n, g.K, options);
  const double log_tol = std::log1p(options.relative_tolerance);
  if (options.algorithm == EnumerationAlgorithm::structural)
    return enumerate_structural(g, log_tol, options.max_stored);
  return enumerate_exhaustive(g, options, backend, log_tol);
}

}  // namespace ttcg
