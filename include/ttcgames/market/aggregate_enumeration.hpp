// All pure Nash equilibria of the logit market from its aggregative structure (docs/model.md §2.3), without visiting
// the K^n profiles. Written once for the host enumeration (src/market/enumeration.cpp) and the market ensembles
// (ensemble_math.hpp: the OpenMP loop and the CUDA kernel). C++17, no std:: containers: the caller owns the memory.
//
// The test. A profile is an equilibrium at tolerance log_tol = log(1 + tol) when, for every provider i, no level
// beats its own by more than log_tol in log-utility against L_i = log A_{−i}, the log aggregate of the others
// computed as log_aggregate (game_math.hpp) does. Every candidate found below gets exactly this test
// (is_pure_equilibrium), so the set is the one of the exhaustive enumeration (enumeration_math.hpp), bit for bit.
//
// The structure. u_i depends on the others only through L_i, and the margin of level k over level j,
// d(L) = log u_i(k, L) − log u_i(j, L) + log_tol, is monotone in L (increasing iff x_i(k) > x_i(j)) with a closed-form
// root. So level k is a tol-best response of provider i on an interval of L, and, as L_i = log(A − e^{x_i(k)}), on an
// interval of T = log A, the log of the total aggregate. A profile is an equilibrium iff T lies in the window of
// every provider's level. The windows are computed with certified margins: a pair excludes the L beyond a point
// where the floating-point margin is below −2ε, ε bounding its rounding error, and the L- and T-windows are widened
// by η, bounding the rounding error of the log-sum-exps; so no window misses a profile that passes the exact test.
// The window ends cut the T axis into segments. In a segment, each provider may only play the levels whose windows
// cover it, and a depth-first search over providers 0..n−1 enumerates those combinations, pruning a partial profile
// as soon as the range of T its completions can still reach misses the segment. A leaf is a candidate only when its
// T (the canonical log-sum-exp of the whole profile) lies in the segment, so each profile is tested at most once.
//
// Rounding. With u = 2^−53, a log-utility computed at a given L differs from its exact value by at most about
// u·(3(|x| + |L|) + |lm| + 5) (the subtraction x − L, softplus's exp and log1p within 2 ulp, the addition of lm), and
// the test's comparison adds one more rounding of the threshold: a pair's computed margin is within ε ≈ 12u·(|x| +
// |L| + |lm| + log_tol + 1) of the exact one. A computed log-sum-exp of m terms is within u·(|value| + 4(m + 2)) of
// the exact one, and a computed log A_{−i} is never below x_0 (max ≥ x_0, sum ≥ 1). The bounds used are
// AGGREGATE_ROUNDING_FACTOR = 64 unit roundoffs times the game's largest magnitudes, well above these estimates;
// wider margins only add candidates that the exact test rejects.
//
// Complexity, for n providers and K levels. Windows: O(n K²) (per level two log-utilities at the range ends, for
// each pair two comparisons and, when it may bind, a closed-form root, and the certified points of the two
// binding pairs per level). Segments: O(n K log(nK)) to sort the 2nK window ends, then per segment in the range of
// T with every provider covered O(n) for its reachable ranges. Search: O(n) per node, at most n·Π_i |C_i(s)| nodes in
// segment s, C_i(s) being provider i's levels whose windows cover it; a candidate costs O(n² + nK). |C_i(s)| > 1 only
// where windows of one provider overlap: within the certified margins at window ends, where a large provider's levels
// map the same L to different T, and for levels that tie exactly (duplicates, zero margins). So without exact ties the
// work is O(n K² + n² K) and independent of K^n (measured: about 10 search nodes and 10 µs per β for the paper's
// 9×6 markets, 30 nodes for 30×10; bench/enumeration_bench.cpp), and in general it is bounded by
// n·Σ_s Π_i |C_i(s)| nodes: when exact ties make the number of equilibria explode, the search visits each of them
// (which any enumeration must list) and at most n nodes per tied combination whose T misses its segment.
#pragma once

#include <cmath>
#include <cstdint>

#include "ttcgames/core/hd.hpp"
#include "ttcgames/market/enumeration_math.hpp"
#include "ttcgames/market/game_math.hpp"

namespace ttcg {

//! Unit roundoff of double precision, 2^−53.
constexpr double UNIT_ROUNDOFF = 1.1102230246251565e-16;
//! The certified margins are this many unit roundoffs times the magnitudes involved (the rounding estimates in the
//! header's paragraph need about 12; a wider margin only adds candidates that the exact test rejects).
constexpr double AGGREGATE_ROUNDING_FACTOR = 64.0;
//! First step, relative to 1 + |root|, from a pair's closed-form root towards the certainly excluded side.
constexpr double AGGREGATE_ROOT_FIRST_STEP = 1e-10;
//! Growth of that step while the margin at the point is not yet certainly negative, and the number of tries.
constexpr double AGGREGATE_ROOT_STEP_GROWTH = 8.0;
constexpr int AGGREGATE_ROOT_MAX_STEPS = 40;

//! log(e^a + e^b); either may be −inf.
TTCG_HD inline double log_add_exp(double a, double b) {
  const double hi = fmax(a, b);
  if (hi == -INFINITY || hi == INFINITY) return hi;
  return hi + log1p(exp(fmin(a, b) - hi));
}

//! log |e^c − 1| for c ≠ 0, without overflow.
TTCG_HD inline double log_abs_expm1(double c) {
  if (c > 30.0) return c + log1p(-exp(-c));
  if (c < -30.0) return log1p(-exp(c));
  return log(fabs(expm1(c)));
}

//! Whether `level` is a tol-best response of provider i against log A_{−i} = log_a: no level beats it by more than
//! log_tol in log-utility (the comparison of the exhaustive enumeration).
TTCG_HD inline bool is_tol_best_response(const GameView& g, int i, int level, double log_a, double log_tol) {
  const double threshold = log_utility(g, i, level, log_a) + log_tol;
  for (int k = 0; k < g.K; ++k)
    if (k != level && log_utility(g, i, k, log_a) > threshold) return false;
  return true;
}

//! The exact equilibrium test of a profile, given prefix[d] = the canonical log-sum-exp of x_0 and providers 0..d−1
//! at the profile (d = 0..n−1): each log A_{−i} is continued from prefix[i], bit for bit log_aggregate's.
TTCG_HD inline bool is_pure_equilibrium(const GameView& g, const int* profile, const LogSumExp* prefix,
                                        double log_tol) {
  for (int i = g.n - 1; i >= 0; --i) {
    LogSumExp a = prefix[i];
    for (int j = i + 1; j < g.n; ++j) a.add(g.xs(j, profile[j]));
    if (!is_tol_best_response(g, i, profile[i], a.value(), log_tol)) return false;
  }
  return true;
}

//! The levels' windows in T = log A: level k of provider i can be part of an equilibrium only if lo ≤ T < hi.
struct AggregateWindow {
  double lo = -INFINITY;
  double hi = INFINITY;
  TTCG_HD bool empty() const { return !(lo < hi); }
};

//! One end of a window: provider i's level k (item = i·K + k) enters or leaves the covered set at T = value.
struct AggregateEvent {
  double value = 0.0;
  int item = 0;
  int enters = 0;
};

//! Work counters of one search.
struct AggregateSearchStats {
  std::int64_t segments = 0;    //!< segments searched (every provider covered)
  std::int64_t nodes = 0;       //!< partial and complete profiles visited
  std::int64_t candidates = 0;  //!< complete profiles whose T lies in their segment (each gets the exact test)
  std::int64_t equilibria = 0;  //!< candidates that passed
};

//! Caller-owned scratch of one search: 2·n·K events, n masks, pending masks and profile entries, n + 1 reachable
//! ranges and prefixes.
struct AggregateSearchSpace {
  AggregateEvent* event = nullptr;
  std::uint32_t* covered = nullptr;  //!< levels whose windows cover the current segment
  std::uint32_t* pending = nullptr;  //!< levels still to try at each depth
  int* profile = nullptr;
  double* rest_low = nullptr;   //!< rest_low[d]: log Σ_{j≥d} min over covered levels of e^{x_j}
  double* rest_high = nullptr;  //!< likewise with the max
  LogSumExp* prefix = nullptr;
};

//! Fixed-capacity scratch for games of at most N providers and K levels (per-thread memory in kernels).
template <int N, int K>
struct AggregateSearchStorage {
  AggregateEvent event[2 * N * K];
  std::uint32_t covered[N], pending[N];
  int profile[N];
  double rest_low[N + 1], rest_high[N + 1];
  LogSumExp prefix[N + 1];
  TTCG_HD AggregateSearchSpace space() {
    return AggregateSearchSpace{event, covered, pending, profile, rest_low, rest_high, prefix};
  }
};

//! Error bounds of one game: ε of a pair margin (log-utility units), η of a log-sum-exp and of the T-windows, the
//! slack of the search's reachable ranges (chains of n log_add_exp), all in nats, and the range [L_min, L_max] of
//! every computed log A_{−i}.
struct AggregateBounds {
  double eps = 0.0, eta = 0.0, slack = 0.0, L_min = 0.0, L_max = 0.0;
};

TTCG_HD inline AggregateBounds aggregate_bounds(const GameView& g, double log_tol) {
  double x_abs = 0.0, lm_abs = 0.0;
  LogSumExp top;
  top.add(g.x0);
  for (int i = 0; i < g.n; ++i) {
    double x_max = -INFINITY;
    for (int k = 0; k < g.K; ++k) {
      x_abs = fmax(x_abs, fabs(g.xs(i, k)));
      x_max = fmax(x_max, g.xs(i, k));
      if (g.lm(i, k) > -INFINITY) lm_abs = fmax(lm_abs, fabs(g.lm(i, k)));
    }
    top.add(x_max);
  }
  AggregateBounds b;
  const double T_top = top.value();
  const double magnitude = fabs(g.x0) + fabs(T_top) + x_abs;
  b.eta = AGGREGATE_ROUNDING_FACTOR * UNIT_ROUNDOFF * (magnitude + g.n + 2.0);
  b.eps = AGGREGATE_ROUNDING_FACTOR * UNIT_ROUNDOFF * (magnitude + lm_abs + fabs(log_tol) + 1.0);
  b.slack = 4.0 * b.eta + AGGREGATE_ROUNDING_FACTOR * UNIT_ROUNDOFF * (g.n + 2.0) * (magnitude + 1.0);
  b.L_min = g.x0;  // a computed log A_{−i} is max + log(sum) with max ≥ x_0 and sum ≥ 1: never below x_0
  b.L_max = T_top + 2.0 * b.eta;
  return b;
}

//! The floating-point margin of level k over level j of provider i at L, as the exact test rounds it.
TTCG_HD inline double pair_margin(const GameView& g, int i, int k, int j, double L, double log_tol) {
  return (log_utility(g, i, k, L) + log_tol) - log_utility(g, i, j, L);
}

//! The root of the pair's margin d(L) = 0 in exact arithmetic: e^L = e^{x_k}(e^Δ − 1)/(1 − e^c) with
//! Δ = lm_k − lm_j + log_tol and c = Δ + x_k − x_j (NaN or ±inf where there is none).
TTCG_HD inline double pair_root(const GameView& g, int i, int k, int j, double log_tol) {
  const double x_k = g.xs(i, k), x_j = g.xs(i, j);
  const double delta = g.lm(i, k) - g.lm(i, j) + log_tol;
  return x_k + log_abs_expm1(delta) - log_abs_expm1(delta + x_k - x_j);
}

//! A point p of [L_min, L_max], as close to `root` as found, where the pair's margin is certainly negative: beyond
//! p (below it when rising, above it otherwise) the pair's test fails for every L. `near` (L_min when rising, else
//! L_max) must be such a point already.
TTCG_HD inline double excluded_point(const GameView& g, int i, int k, int j, double log_tol, bool rising, double root,
                                     const AggregateBounds& b) {
  const double near = rising ? b.L_min : b.L_max;
  if (!(root == root)) return near;
  root = fmin(fmax(root, b.L_min), b.L_max);
  double step = AGGREGATE_ROOT_FIRST_STEP * (1.0 + fabs(root));
  for (int s = 0; s < AGGREGATE_ROOT_MAX_STEPS; ++s, step *= AGGREGATE_ROOT_STEP_GROWTH) {
    const double p = rising ? root - step : root + step;
    if (rising ? p <= near : p >= near) break;
    if (pair_margin(g, i, k, j, p, log_tol) < -2.0 * b.eps) return p;
  }
  return near;
}

//! The windows in T = log A of every level of provider i (out[k]; empty when the level is never a best response).
//! Level k's window in L is bounded below by the pairs j with x_j < x_k and above by those with x_j > x_k; every
//! pair is checked at L_min and L_max (log-utilities there computed once per level), and for each side only the
//! pair with the binding exact root gets its certified exclusion point: any certified point bounds the window, the
//! binding one most tightly.
TTCG_HD inline void provider_windows(const GameView& g, int i, double log_tol, const AggregateBounds& b,
                                     AggregateWindow* out) {
  const int K = g.K;
  const double bar = -2.0 * b.eps;
  double lu_min[ENUMERATION_MAX_LEVELS], lu_max[ENUMERATION_MAX_LEVELS];
  bool any_margin = false;
  for (int k = 0; k < K; ++k) {
    lu_min[k] = log_utility(g, i, k, b.L_min);
    lu_max[k] = log_utility(g, i, k, b.L_max);
    any_margin = any_margin || g.lm(i, k) > -INFINITY;
  }
  for (int k = 0; k < K; ++k) {
    AggregateWindow& w = out[k];
    w = AggregateWindow{};
    // A zero margin is a best response only when every level's margin is zero; a zero-margin level never beats a
    // positive one.
    bool empty = g.lm(i, k) == -INFINITY && any_margin;
    int lower = -1, upper = -1;  // the pairs whose exact roots bind from below and from above
    double lower_root = -INFINITY, upper_root = INFINITY;
    for (int j = 0; j < K && !empty && g.lm(i, k) > -INFINITY; ++j) {
      if (j == k || g.lm(i, j) == -INFINITY) continue;
      const double x_k = g.xs(i, k), x_j = g.xs(i, j);
      const double at_min = (lu_min[k] + log_tol) - lu_min[j], at_max = (lu_max[k] + log_tol) - lu_max[j];
      if (x_k == x_j) {  // the margin does not depend on L
        empty = at_min < bar;
        continue;
      }
      const bool rising = x_k > x_j;
      if ((rising ? at_max : at_min) < bar) {  // excluded over the whole range
        empty = true;
      } else if ((rising ? at_min : at_max) < bar) {
        const double root = pair_root(g, i, k, j, log_tol);
        if (rising && (lower < 0 || root > lower_root)) lower = j, lower_root = root;
        if (!rising && (upper < 0 || root < upper_root)) upper = j, upper_root = root;
      }
    }
    double lo = -INFINITY, hi = INFINITY;  // a computed log A_{−i} passing the exact test lies in (lo, hi)
    if (!empty && lower >= 0) lo = excluded_point(g, i, k, lower, log_tol, true, lower_root, b);
    if (!empty && upper >= 0) hi = excluded_point(g, i, k, upper, log_tol, false, upper_root, b);
    if (empty || !(lo < hi)) {
      w.lo = INFINITY;
      w.hi = -INFINITY;
      continue;
    }
    const double x = g.xs(i, k);
    if (lo > -INFINITY) w.lo = log_add_exp(lo - b.eta, x) - 2.0 * b.eta;
    if (hi < INFINITY) w.hi = log_add_exp(hi + b.eta, x) + 2.0 * b.eta;
    if (!(w.lo == w.lo)) w.lo = -INFINITY;  // NaN: no certain bound
    if (!(w.hi == w.hi)) w.hi = INFINITY;
  }
}

//! Index of the lowest set bit of a nonzero mask.
TTCG_HD inline int lowest_bit(std::uint32_t m) {
#if defined(__CUDA_ARCH__)
  return __ffs(static_cast<int>(m)) - 1;
#else
  return __builtin_ctz(m);
#endif
}

//! Heap sort of the events by value (in place, O(m log m), no recursion).
TTCG_HD inline void sort_events(AggregateEvent* e, int m) {
  auto sift = [e](int root, int end) {
    while (2 * root + 1 < end) {
      int child = 2 * root + 1;
      if (child + 1 < end && e[child].value < e[child + 1].value) ++child;
      if (!(e[root].value < e[child].value)) return;
      const AggregateEvent t = e[root];
      e[root] = e[child];
      e[child] = t;
      root = child;
    }
  };
  for (int start = m / 2 - 1; start >= 0; --start) sift(start, m);
  for (int end = m - 1; end > 0; --end) {
    const AggregateEvent t = e[0];
    e[0] = e[end];
    e[end] = t;
    sift(0, end);
  }
}

//! Searches the segment lo ≤ T < hi; calls visit(profile) for each equilibrium whose T lies in it.
template <class Visitor>
TTCG_HD void search_segment(const GameView& g, double log_tol, const AggregateSearchSpace& s, double lo, double hi,
                            double slack, AggregateSearchStats& stats, Visitor& visit) {
  const int n = g.n;
  s.rest_low[n] = s.rest_high[n] = -INFINITY;
  for (int j = n - 1; j >= 0; --j) {
    double low = INFINITY, high = -INFINITY;
    for (std::uint32_t m = s.covered[j]; m != 0; m &= m - 1) {
      const double x = g.xs(j, lowest_bit(m));
      low = fmin(low, x);
      high = fmax(high, x);
    }
    s.rest_low[j] = log_add_exp(s.rest_low[j + 1], low);
    s.rest_high[j] = log_add_exp(s.rest_high[j + 1], high);
  }
  auto reachable = [&](double P, int d) {
    return log_add_exp(P, s.rest_high[d]) + slack >= lo && log_add_exp(P, s.rest_low[d]) - slack < hi;
  };
  s.prefix[0] = LogSumExp{};
  s.prefix[0].add(g.x0);
  if (!reachable(s.prefix[0].value(), 0)) return;
  ++stats.segments;
  int d = 0;
  s.pending[0] = s.covered[0];
  while (d >= 0) {
    if (s.pending[d] == 0) {
      --d;
      continue;
    }
    const int k = lowest_bit(s.pending[d]);
    s.pending[d] &= s.pending[d] - 1;
    s.profile[d] = k;
    s.prefix[d + 1] = s.prefix[d];
    s.prefix[d + 1].add(g.xs(d, k));
    ++stats.nodes;
    const double P = s.prefix[d + 1].value();
    if (d + 1 == n) {
      if (!(lo <= P && P < hi)) continue;
      ++stats.candidates;
      if (!is_pure_equilibrium(g, s.profile, s.prefix, log_tol)) continue;
      ++stats.equilibria;
      visit(static_cast<const int*>(s.profile));
      continue;
    }
    if (!reachable(P, d + 1)) continue;
    ++d;
    s.pending[d] = s.covered[d];
  }
}

//! Every pure NE of the game at tolerance log_tol = log(1 + tol): visit(profile) once per equilibrium, in an order
//! that depends only on the game (by segment of T, then lexicographically within a segment). K ≤ 32.
template <class Visitor>
TTCG_HD AggregateSearchStats enumerate_by_aggregate(const GameView& g, double log_tol, const AggregateSearchSpace& s,
                                                    Visitor& visit) {
  AggregateSearchStats stats;
  const int n = g.n, K = g.K;
  const AggregateBounds b = aggregate_bounds(g, log_tol);
  int events = 0, providers_covered = 0;
  AggregateWindow window[ENUMERATION_MAX_LEVELS];
  for (int i = 0; i < n; ++i) {
    s.covered[i] = 0;
    provider_windows(g, i, log_tol, b, window);
    for (int k = 0; k < K; ++k) {
      const AggregateWindow w = window[k];
      if (w.empty()) continue;
      if (w.lo == -INFINITY)
        s.covered[i] |= 1u << k;
      else
        s.event[events++] = AggregateEvent{w.lo, i * K + k, 1};
      if (w.hi < INFINITY) s.event[events++] = AggregateEvent{w.hi, i * K + k, 0};
    }
    if (s.covered[i] != 0) ++providers_covered;
  }
  sort_events(s.event, events);
  const double slack = b.slack;
  double start = -INFINITY;
  for (int e = 0;;) {
    const double end = e < events ? s.event[e].value : INFINITY;
    // A computed T lies in [x_0, L_max]: segments outside that range need no search.
    const bool in_range = end >= b.L_min - slack && start <= b.L_max + slack;
    if (start < end && in_range && providers_covered == n)
      search_segment(g, log_tol, s, start, end, slack, stats, visit);
    if (e >= events) break;
    for (; e < events && s.event[e].value == end; ++e) {
      const int i = s.event[e].item / K;
      const std::uint32_t bit = 1u << (s.event[e].item % K);
      if (s.event[e].enters) {
        providers_covered += s.covered[i] == 0;
        s.covered[i] |= bit;
      } else {
        s.covered[i] &= ~bit;
        providers_covered -= s.covered[i] == 0;
      }
    }
    start = end;
  }
  return stats;
}

//! Visitor keeping the count and the welfare extremes of the equilibria of a game of at most N providers, with the
//! exhaustive enumeration's tie-break (the lexicographically first profile attaining an extreme).
template <int N>
struct SummaryVisitor {
  const GameView& g;
  EquilibriumSummary summary;
  int worst[N], best[N];

  TTCG_HD explicit SummaryVisitor(const GameView& game) : g(game) {}
  TTCG_HD static bool precedes(const int* a, const int* b, int n) {
    for (int i = 0; i < n; ++i)
      if (a[i] != b[i]) return a[i] < b[i];
    return false;
  }
  TTCG_HD void operator()(const int* profile) {
    const double welfare = social_welfare(g, profile);
    const bool first = summary.count++ == 0;
    if (first || welfare < summary.worst_welfare ||
        (welfare == summary.worst_welfare && precedes(profile, worst, g.n))) {
      summary.worst_welfare = welfare;
      for (int i = 0; i < g.n; ++i) worst[i] = profile[i];
    }
    if (first || welfare > summary.best_welfare || (welfare == summary.best_welfare && precedes(profile, best, g.n))) {
      summary.best_welfare = welfare;
      for (int i = 0; i < g.n; ++i) best[i] = profile[i];
    }
  }
};

//! Count and welfare extremes of every pure NE of a game of at most N providers by the aggregative search: what
//! scan_equilibria (enumeration_math.hpp) returns, for any K^n. The extremes' profile indices are −1 when K^n
//! exceeds 2^62 (or when there is no equilibrium).
template <int N>
TTCG_HD EquilibriumSummary summarize_by_aggregate(const GameView& g, double log_tol, const AggregateSearchSpace& s) {
  SummaryVisitor<N> visit(g);
  enumerate_by_aggregate(g, log_tol, s, visit);
  EquilibriumSummary out = visit.summary;
  bool fits = true;
  std::int64_t total = 1;
  for (int i = 0; i < g.n && fits; ++i) {
    fits = total <= (std::int64_t{1} << 62) / g.K;
    total *= g.K;
  }
  if (out.count > 0 && fits) {
    out.worst_index = encode_profile(visit.worst, g.n, g.K);
    out.best_index = encode_profile(visit.best, g.n, g.K);
  }
  return out;
}

}  // namespace ttcg
