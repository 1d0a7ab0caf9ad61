// The per-market logic of the equilibrium computations (docs/model.md §2.1), written once for the host
// (src/market/equilibrium.cpp, src/ensemble/ensemble.cpp, the population engine) and the CUDA kernels
// (cuda/ensemble/ensemble.cu): better/best-response dynamics over a "utility oracle", the provider-order policies, and
// the regret certificate of a profile. C++17 without std:: containers: the caller owns every array (fixed-capacity
// arrays in a kernel, vectors on the host).
//
// Utility oracle. The dynamics only need the log-utility of the visited provider at each candidate level,
// given everyone else's current level. An oracle is any class O with
//
//   int providers() const;                      n
//   int levels() const;                         K
//   void reset(const int* profile);             the dynamics start at `profile` (fill caches here)
//   void prepare(const int* profile, int i);    provider i is visited; the others play profile[j], j ≠ i
//   double log_utility(int i, int k) const;     log u_i(k, k_{−i}) against the profile of the last prepare(·, i)
//   void moved(const int* profile, int i);      provider i has just moved to profile[i] (update caches here)
//
// log u may be −inf (a zero margin) but never NaN. prepare() is where the aggregate over the others is built
// (A_{−i} for one logit user, one A_{−i,u} per user for a population); log_utility() must be a pure function of
// (profile, i, k), so that a visit whose profile has not changed since the same provider's last non-move can be
// skipped (the dynamics do skip it, which changes nothing but the time taken). LogitOracle below is the oracle
// of one logit user; the population engine supplies a mixed-logit one.
//
// Provider order. An order policy has `void shuffle(int round, int* order, int n)`, applied in place to the
// visiting order of the previous round (the reference implementation shuffles one list over and over):
// FixedOrder (0..n−1), PhiloxOrder (counter-based; host and device), and on the host the reference
// implementation's CPython MT19937 order (src/market/equilibrium.cpp).
//
// Tolerances (named, defaults of the reference implementation): a move needs u' > u + tol·|u|, or u' > abs_tol
// when tol·|u| is 0 in double precision; both tests are made on log-utilities.
#pragma once

#include <cmath>
#include <cstdint>

#include "ttcgames/core/hd.hpp"
#include "ttcgames/core/rng.hpp"
#include "ttcgames/market/game_math.hpp"

namespace ttcg {

enum class DynamicsRule {
  reference,      //!< nearest-first better response of the reference implementation (model.md §2.1)
  best_response,  //!< move to the utility-maximizing level (first index on ties)
};
enum class ProviderOrder {
  random,     //!< seeded random order (Philox stream "dynamics.order"), reshuffled every round
  reference,  //!< the reference implementation's order: Python's random.seed(seed), then random.shuffle per round
  fixed,      //!< providers visited 0..n−1 every round
};

//! Default relative improvement a move needs (the reference implementation's tol).
constexpr double DYNAMICS_RELATIVE_TOLERANCE = 1e-8;
//! Default absolute improvement (USD) used when tol·|u| is 0 in double precision.
constexpr double DYNAMICS_ABSOLUTE_TOLERANCE = 1e-9;
//! Default round limit of the reference implementation.
constexpr int DYNAMICS_MAX_ROUNDS = 1000;

//! The numeric settings of one run of the dynamics (DynamicsOptions without the start and the order).
struct DynamicsSettings {
  DynamicsRule rule = DynamicsRule::reference;
  double relative_tolerance = DYNAMICS_RELATIVE_TOLERANCE;
  double absolute_tolerance = DYNAMICS_ABSOLUTE_TOLERANCE;
  int max_rounds = DYNAMICS_MAX_ROUNDS;
};

//! What a run of the dynamics did (the profile is the caller's array).
struct DynamicsCounters {
  int rounds = 0;          //!< rounds run, the last one without a move when converged
  std::int64_t turns = 0;  //!< provider visits
  std::int64_t moves = 0;
  bool converged = false;  //!< a round ended without a move
};

//! The move tests of DynamicsSettings on log-utilities, with the logarithms of the tolerances computed once.
struct ImprovementTest {
  double relative;      //!< tol
  double log_relative;  //!< log(tol) (−inf for tol = 0)
  double log1p_relative;
  double log_absolute;

  TTCG_HD explicit ImprovementTest(const DynamicsSettings& s)
      : relative(s.relative_tolerance),
        log_relative(log(s.relative_tolerance)),
        log1p_relative(log1p(s.relative_tolerance)),
        log_absolute(log(s.absolute_tolerance)) {}

  //! The log-utility a candidate must exceed: log(u + tol·|u|), or log(abs_tol) when tol·u is 0 in double
  //! precision (u underflowed).
  TTCG_HD double threshold(double log_u) const {
    // tol·e^{log u} is certainly a normal double when log tol + log u > −700; only otherwise is the product formed.
    const bool nonzero = (log_u > -700.0 && log_relative + log_u > -700.0) || relative * exp(log_u) != 0.0;
    return nonzero ? log_u + log1p_relative : log_absolute;
  }
};

//! The reference rule: for d = 1, 2, …, try k − d then k + d and take the first candidate that improves.
template <class Oracle>
TTCG_HD int reference_move(const Oracle& oracle, int i, int current, const ImprovementTest& test) {
  const double threshold = test.threshold(oracle.log_utility(i, current));
  const int K = oracle.levels();
  const int reach = current > K - 1 - current ? current : K - 1 - current;
  for (int d = 1; d <= reach; ++d) {
    if (current - d >= 0 && oracle.log_utility(i, current - d) > threshold) return current - d;
    if (current + d < K && oracle.log_utility(i, current + d) > threshold) return current + d;
  }
  return current;
}

//! The best-response rule: the first utility-maximizing level, if it beats the current one by a factor 1 + tol.
template <class Oracle>
TTCG_HD int best_response_move(const Oracle& oracle, int i, int current, const ImprovementTest& test) {
  const double log_u = oracle.log_utility(i, current);
  int best = current;
  double best_log_u = -INFINITY;
  for (int k = 0; k < oracle.levels(); ++k) {
    const double v = oracle.log_utility(i, k);
    if (v > best_log_u) {
      best_log_u = v;
      best = k;
    }
  }
  return best_log_u > log_u + test.log1p_relative ? best : current;
}

//! Visits providers 0..n−1 in the same order every round.
struct FixedOrder {
  TTCG_HD void shuffle(int, int*, int) const {}
};

//! Philox stream of the random provider order.
constexpr std::uint64_t DYNAMICS_ORDER_STREAM = rng::stream_id("dynamics.order");

//! Fisher–Yates shuffle per round from the Philox stream (seed, stream), counter (replicate, round, 0, j). A single
//! market uses the stream "dynamics.order" and replicate 0; an ensemble gives each market its replicate.
struct PhiloxOrder {
  rng::Philox4x32Key key;
  std::uint32_t replicate;
  TTCG_HD explicit PhiloxOrder(std::uint64_t seed, std::uint64_t stream = DYNAMICS_ORDER_STREAM,
                               std::uint32_t replicate_index = 0)
      : key(rng::make_key(seed, stream)), replicate(replicate_index) {}
  TTCG_HD void shuffle(int round, int* order, int n) const {
    for (int j = n - 1; j >= 1; --j) {
      const rng::Philox4x32Ctr r =
          rng::draw(key, replicate, static_cast<std::uint32_t>(round), 0, static_cast<std::uint32_t>(j));
      const int other = static_cast<int>(rng::to_bounded(r.v[0], r.v[1], static_cast<std::uint32_t>(j + 1)));
      const int t = order[j];
      order[j] = order[other];
      order[other] = t;
    }
  }
};

//! Observer that records nothing (the kernels' choice); the host passes one that stores the history.
struct NoObserver {
  TTCG_HD void operator()(const int*) const {}
};

//! Runs the dynamics from `profile` (updated in place) until a round without a move or max_rounds rounds.
//! `order` holds the visiting order (n entries, initialized by the caller, e.g. 0..n−1; shuffled in place);
//! `last_idle` is n entries of scratch. `observe(profile)` is called after every move.
template <class Oracle, class Order, class Observer>
TTCG_HD DynamicsCounters run_dynamics_loop(Oracle& oracle, Order& order_policy, const DynamicsSettings& settings,
                                           int* profile, int* order, std::int64_t* last_idle, Observer& observe) {
  const int n = oracle.providers();
  const ImprovementTest test(settings);
  DynamicsCounters c;
  for (int i = 0; i < n; ++i) last_idle[i] = -1;  // moves counter at provider i's last visit without a move
  oracle.reset(profile);
  for (int round = 0; round < settings.max_rounds; ++round) {
    order_policy.shuffle(round, order, n);
    bool moved = false;
    for (int t = 0; t < n; ++t) {
      const int i = order[t];
      ++c.turns;
      if (last_idle[i] == c.moves) continue;  // same profile as at its last idle visit: the same verdict
      oracle.prepare(profile, i);
      const int next = settings.rule == DynamicsRule::reference ? reference_move(oracle, i, profile[i], test)
                                                                : best_response_move(oracle, i, profile[i], test);
      if (next == profile[i]) {
        last_idle[i] = c.moves;
        continue;
      }
      profile[i] = next;
      moved = true;
      ++c.moves;
      oracle.moved(profile, i);
      observe(profile);
    }
    c.rounds = round + 1;
    if (!moved) {
      c.converged = true;
      break;
    }
  }
  return c;
}

//! The oracle of the one-user logit game: u_i = s_i·(p_i − c_i), log u_i = log(p_i − c_i) + log σ(x_i − log A_{−i}).
//! log A_{−i} is summed in the canonical order of log_aggregate (x_0, then providers 0..n−1 without i), from cached
//! prefix sums, so it equals log_aggregate(g, profile, i) bit for bit. The prefixes are extended lazily: a move of
//! provider i only invalidates those that contain it. `prefix` is scratch for n + 1 sums.
class LogitOracle {
 public:
  TTCG_HD LogitOracle(const GameView& g, LogSumExp* prefix) : g_(g), prefix_(prefix) {}

  TTCG_HD int providers() const { return g_.n; }
  TTCG_HD int levels() const { return g_.K; }
  TTCG_HD void reset(const int*) {
    prefix_[0] = LogSumExp{};
    prefix_[0].add(g_.x0);
    valid_ = 0;
  }
  TTCG_HD void prepare(const int* profile, int i) {
    for (; valid_ < i; ++valid_) {
      prefix_[valid_ + 1] = prefix_[valid_];
      prefix_[valid_ + 1].add(g_.xs(valid_, profile[valid_]));
    }
    LogSumExp a = prefix_[i];
    for (int j = i + 1; j < g_.n; ++j) a.add(g_.xs(j, profile[j]));
    log_a_ = a.value();
  }
  TTCG_HD double log_utility(int i, int k) const { return ttcg::log_utility(g_, i, k, log_a_); }
  TTCG_HD void moved(const int*, int i) {
    if (i < valid_) valid_ = i;  // prefix_[d] holds providers 0..d−1: those up to d = i stay valid
  }

 private:
  GameView g_;
  LogSumExp* prefix_;
  int valid_ = 0;  //!< prefix_[0..valid_] are up to date
  double log_a_ = 0.0;
};

//! How far a profile is from a pure Nash equilibrium.
struct Certificate {
  double max_regret = 0.0;           //!< max_i [max_k u_i(k, k_−i) − u_i(k)] (USD)
  double max_relative_regret = 0.0;  //!< max_i [max_k u_i(k, k_−i)/u_i(k) − 1], from log utilities
  int worst_provider = -1;           //!< provider attaining max_relative_regret (−1 if none regrets)
};

//! Adds provider i's best deviation (log-utility `best` against its current `log_u`) to a certificate.
TTCG_HD inline void add_regret(Certificate& cert, int i, double log_u, double best) {
  if (!(best > log_u)) return;  // also false when both are −inf (zero margin everywhere)
  const bool finite = std::isfinite(log_u);
  const double relative = finite ? expm1(best - log_u) : INFINITY;
  const double absolute = finite ? exp(log_u) * relative : exp(best);
  cert.max_regret = cert.max_regret < absolute ? absolute : cert.max_regret;
  if (relative > cert.max_relative_regret) {
    cert.max_relative_regret = relative;
    cert.worst_provider = i;
  }
}

//! The certificate of the logit game, independent of the dynamics: every unilateral deviation's log-utility
//! log(p_i − c_i) + x_i − log A is computed with its own full aggregate A (x_0, then providers 0..n−1 in order).
//! Nothing changes a bit by sharing: the part before provider i is common to its deviations, and so are the
//! exponentials of the part after it for every deviation that does not raise the running maximum (the steps of the
//! log-sum-exp depend only on that maximum), so they are computed once per provider. `steps` is n entries of
//! scratch.
TTCG_HD inline Certificate logit_certificate(const GameView& g, const int* profile, double* steps) {
  Certificate cert;
  LogSumExp before;  // x_0 and providers 0..i−1 at the profile
  before.add(g.x0);
  for (int i = 0; i < g.n; ++i) {
    // The suffix from a state of maximum before.max: steps[j] = e^{x_j − max} (a term) or e^{max − x_j} (a new
    // maximum), −1 where the exponential is exactly 0.
    double top = before.max;
    for (int j = i + 1; j < g.n; ++j) {
      const double v = g.xs(j, profile[j]);
      const double d = v <= top ? v - top : top - v;
      steps[j] = d < EXP_ZERO_BELOW ? -1.0 : exp(d);
      if (!(v <= top)) top = v;
    }
    double log_u = 0.0;
    double best = -INFINITY;
    for (int pass = 0; pass < 2; ++pass) {  // the current level first, then the deviations in level order
      for (int k = 0; k < g.K; ++k) {
        if ((pass == 0) != (k == profile[i])) continue;
        const double x = g.xs(i, k);
        LogSumExp a = before;
        a.add(x);
        if (x <= before.max) {  // the shared steps: the running maximum is before.max's path
          for (int j = i + 1; j < g.n; ++j) {
            const double v = g.xs(j, profile[j]);
            if (v <= a.max) {
              if (steps[j] >= 0.0) a.sum += steps[j];
            } else {
              a.sum = steps[j] < 0.0 ? 1.0 : a.sum * steps[j] + 1.0;
              a.max = v;
            }
          }
        } else {
          for (int j = i + 1; j < g.n; ++j) a.add(g.xs(j, profile[j]));
        }
        const double v = g.lm(i, k) + x - a.value();
        if (pass == 0) {
          log_u = v;
          best = v;
        } else if (best < v) {
          best = v;
        }
      }
    }
    add_regret(cert, i, log_u, best);
    before.add(g.xs(i, profile[i]));
  }
  return cert;
}

//! The certificate through an oracle (e.g. a population's): for every provider, its best deviation against the
//! others' levels in `profile`. Independent of the dynamics only as far as the oracle is.
template <class Oracle>
TTCG_HD Certificate oracle_certificate(Oracle& oracle, const int* profile) {
  Certificate cert;
  oracle.reset(profile);
  for (int i = 0; i < oracle.providers(); ++i) {
    oracle.prepare(profile, i);
    const double log_u = oracle.log_utility(i, profile[i]);
    double best = log_u;
    for (int k = 0; k < oracle.levels(); ++k) {
      if (k == profile[i]) continue;
      const double v = oracle.log_utility(i, k);
      if (best < v) best = v;
    }
    add_regret(cert, i, log_u, best);
  }
  return cert;
}

}  // namespace ttcg
