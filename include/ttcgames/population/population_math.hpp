// Per-user math of a Monte Carlo population (docs/model.md §7; population.hpp is the host API), written once for the
// OpenMP loops (src/population/population_cpu.cpp) and the CUDA kernels (cuda/population/population.cu).
//
// A user u has a dollar value α_u of its query (USD), a rationality β_u (1/USD), an outside option v0_u (USD) and a
// question q_u (an index into the query tables). A provider i at level k answers q correctly with probability
// a_iq(k) and bills T_iq(k) tokens at π_i USD per token. With the market's baseline b, markup m and value curve f:
//   value fraction  φ_iq(k) = b + (1 − b)·f(a_iq(k))          (f applies to the per-question probability)
//   quality         q_iu = α_u·φ_iq(k)          price p_iq = T_iq·π_i          cost c_iq = p_iq/(1 + m)
//   log attraction  x_iu = β_u·(q_iu − p_iq)    x_0u = β_u·v0_u
//   surplus         W_iu = q_iu − c_iq          margin p_iq − c_iq
// These are the market engine's formulas (market_math.hpp) in the same order of operations, so a homogeneous
// population reproduces the single-user market's numbers.
//
// The logit choice of one user at a profile (demand): m = max(x_0, x_1..x_n); e_j = exp(x_j − m) for the outside
// option first, then providers 0..n−1; S = e_0 + e_1 + … + e_n summed in that order; shares e_j/S. Every path
// (the vectorized CPU tiles, the per-user functions below, the kernels) runs this sequence with the same step
// functions (add_attraction, add_weight, add_demand_terms, …, below) and the portable exponential
// (portable_math.hpp), so per-user values are bitwise identical on every backend and instruction set;
// only the reductions over users differ between the CPU (fixed 8-lane order within a block, blocks in order) and
// the GPU (a fixed tree per block). Exponentials below 2^−1022 relative to the largest term are flushed to 0.
//
// C++17 and free of std:: containers so that kernels include it.
#pragma once

#include <cmath>
#include <cstdint>

#include "ttcgames/core/distributions.hpp"
#include "ttcgames/core/hd.hpp"
#include "ttcgames/core/portable_math.hpp"
#include "ttcgames/core/rng.hpp"
#include "ttcgames/market/auction_math.hpp"

namespace ttcg::population {

//! Largest number of providers of a population market (bound of the per-user arrays in kernels).
constexpr int MAX_PROVIDERS = 64;
//! Largest number of levels per provider.
constexpr int MAX_LEVELS = 64;

//! Philox streams of a population (keyed with the population seed).
constexpr std::uint64_t USERS_STREAM = rng::stream_id("population.users");
constexpr std::uint64_t OUTCOMES_STREAM = rng::stream_id("population.outcomes");
//! Draw indices of the users stream, counter (replicate, 0, user, draw).
enum UserDraw : std::uint32_t {
  DRAW_VALUE_SCALE = 0,
  DRAW_BETA = 1,
  DRAW_V0 = 2,
  DRAW_BENCHMARK = 3,
  DRAW_QUESTION = 4
};
//! Draw index of the outcomes stream, counter (replicate, 0, user, 0): words 0-1 choose the market provider,
//! words 2-3 decide correctness (the same uniform in both regimes: common random numbers).
constexpr std::uint32_t DRAW_OUTCOME = 0;

//! The query tables, row-major [Q][n][K] (question, provider, level); per question its benchmark's α (USD).
struct QueryView {
  int n = 0;
  int K = 0;
  std::int64_t Q = 0;
  const double* value_fraction = nullptr;  //!< φ = b + (1 − b) f(a)
  const double* price = nullptr;           //!< p (USD)
  const double* cost = nullptr;            //!< c (USD)
  const double* log_margin = nullptr;      //!< log(p − c); −inf for a zero margin
  const double* p_correct = nullptr;       //!< a (probability)
  const double* tokens = nullptr;          //!< T (tokens)
  double baseline = 0.1;                   //!< b

  TTCG_HD std::int64_t at(std::int64_t q, int i, int k) const { return (q * n + i) * static_cast<std::int64_t>(K) + k; }
};

//! The query tables at one profile: what a user with question q sees from each provider, row-major [Q][n].
struct ProfileView {
  int n = 0;
  std::int64_t Q = 0;
  const double* value_fraction = nullptr;
  const double* price = nullptr;
  const double* cost = nullptr;
  TTCG_HD std::int64_t at(std::int64_t q, int i) const { return q * n + i; }
};

//! One replicate's users, structure of arrays.
struct UsersView {
  std::int64_t count = 0;
  const double* alpha = nullptr;           //!< α_u (USD)
  const double* beta = nullptr;            //!< β_u (1/USD)
  const double* v0 = nullptr;              //!< v0_u (USD)
  const std::int32_t* question = nullptr;  //!< q_u
};

//! What a user population is drawn from (host pointers; the CUDA launcher copies what they point to).
struct SamplingView {
  dist::DistributionView value_scale, beta, v0;
  dist::AliasView benchmark;                       //!< over the benchmarks, by weight
  const std::int64_t* benchmark_offset = nullptr;  //!< [B + 1]: the questions of benchmark b
  const double* benchmark_alpha = nullptr;         //!< [B] α_b (USD)
};

//! The attributes of one user.
struct UserDraws {
  double alpha, beta, v0;
  std::int32_t question;
};

//! Draws user `user` of replicate `replicate` (counter (replicate, 0, user, draw) of the users stream).
TTCG_HD inline UserDraws draw_user(const SamplingView& s, rng::Philox4x32Key key, std::uint32_t replicate,
                                   std::uint32_t user) {
  UserDraws d;
  const double scale = dist::sample(s.value_scale, rng::draw(key, replicate, 0, user, DRAW_VALUE_SCALE));
  d.beta = dist::sample(s.beta, rng::draw(key, replicate, 0, user, DRAW_BETA));
  d.v0 = dist::sample(s.v0, rng::draw(key, replicate, 0, user, DRAW_V0));
  const int b =
      s.benchmark.n > 1 ? dist::sample_alias(s.benchmark, rng::draw(key, replicate, 0, user, DRAW_BENCHMARK)) : 0;
  const std::int64_t first = s.benchmark_offset[b];
  const std::int64_t count = s.benchmark_offset[b + 1] - first;
  const rng::Philox4x32Ctr w = rng::draw(key, replicate, 0, user, DRAW_QUESTION);
  d.question = static_cast<std::int32_t>(first + rng::to_bounded(w.v[0], w.v[1], static_cast<std::uint32_t>(count)));
  d.alpha = scale * s.benchmark_alpha[b];
  return d;
}

//! x = β·(α·φ − p), the log attraction of a provider (market_math.hpp's order: q = α·φ, V = q − p, x = β·V).
TTCG_HD inline double log_attraction(double beta, double alpha, double value_fraction, double price) {
  return beta * (alpha * value_fraction - price);
}

//! W = α·φ − c, the social surplus of serving the user.
TTCG_HD inline double surplus(double alpha, double value_fraction, double cost) {
  return alpha * value_fraction - cost;
}

// The steps of one user and one provider. The per-user functions below (and so the CUDA kernels) and the CPU tiles
// of src/population/population_cpu.cpp, which run them for a tile of users one provider at a time, are all built of
// these steps: the arithmetic of a user's numbers is written once, in one order of operations. The tiles pass their
// lane arrays' elements by reference (e.g. acc[u]); inlined, the steps vectorize over u.

//! x_0 = β·v0, the log attraction of the outside option.
TTCG_HD inline double outside_attraction(double beta, double v0) {
  return beta * v0;
}

//! m = max(m, x), the update of a running maximum of log attractions (m > x ? m : x).
TTCG_HD inline void raise_max(double& m, double x) {
  m = m > x ? m : x;
}

//! A provider's log attraction into x (log_attraction), raising the running maximum m to it.
TTCG_HD inline void add_attraction(double beta, double alpha, double value_fraction, double price, double& x,
                                   double& m) {
  x = log_attraction(beta, alpha, value_fraction, price);
  raise_max(m, x);
}

//! e = exp(x − m), the weight of a log attraction x shifted by the maximum m (x ≤ m).
TTCG_HD inline double shifted_weight(double x, double m) {
  return portable::exp_nonpositive(x - m);
}

//! Adds the weight exp(x − m) to total; returns it.
TTCG_HD inline double add_weight(double x, double m, double& total) {
  const double e = shifted_weight(x, m);
  total += e;
  return e;
}

//! log S from the shifted sum: m + log(Σ exp(x − m)).
TTCG_HD inline double shifted_log_sum(double m, double total) {
  return m + portable::log(total);
}

//! The first demand step of a user: 1/S into inv, the outside share s_0 = e_0·(1/S) into outside; returns the
//! welfare's first term s_0·v0.
TTCG_HD inline double start_welfare(double outside_weight, double total, double v0, double& inv, double& outside) {
  inv = 1.0 / total;
  outside = outside_weight * inv;
  return outside * v0;
}

//! Adds provider i's welfare term s_i·W_i to welfare, s_i = e_i·(1/S); returns s_i.
TTCG_HD inline double add_welfare_term(double e, double inv, double alpha, double value_fraction, double cost,
                                       double& welfare) {
  const double s = e * inv;
  welfare += s * surplus(alpha, value_fraction, cost);
  return s;
}

//! Adds provider i's demand terms: the welfare s_i·W_i, the value s_i·(α·φ_i − p_i) and the price s_i·p_i (USD);
//! the share s_i = e_i·(1/S) into share and the margin s_i·(p_i − c_i) into profit.
TTCG_HD inline void add_demand_terms(double e, double inv, double alpha, double value_fraction, double price,
                                     double cost, double& welfare, double& value, double& paid, double& share,
                                     double& profit) {
  const double s = add_welfare_term(e, inv, alpha, value_fraction, cost, welfare);
  value += s * (alpha * value_fraction - price);
  paid += s * price;
  share = s;
  profit = s * (price - cost);
}

//! Adds a weight e = exp(x − m) to total and its welfare e·W to num (the others' side of join_level_welfare).
TTCG_HD inline void add_weighted_surplus(double x, double m, double alpha, double value_fraction, double cost,
                                         double& total, double& num) {
  const double e = add_weight(x, m, total);
  num += e * surplus(alpha, value_fraction, cost);
}

//! log(p − c) + log σ(x − log A_{−i}): the log of a provider's expected profit from one user at log attraction x
//! against the others' log aggregate.
TTCG_HD inline double log_profit(double log_margin, double x, double log_a_minus_i) {
  return log_margin + portable::log_sigmoid(x - log_a_minus_i);
}

//! log(p − c) + x − log A: the same from the share e^x/A with A summed over every option including x itself (the
//! certificate's form).
TTCG_HD inline double log_profit_in(double log_margin, double x, double log_a) {
  return log_margin + x - log_a;
}

//! One user's logit choice at a profile: e[0..n) the providers' weights e_i = exp(x_i − m), returns e_0 (the outside
//! option's weight) and S = e_0 + e_1 + … + e_n. x[0..n) is scratch holding the log attractions.
struct Choice {
  double outside_weight;  //!< e_0
  double total;           //!< S
};

//! A number of providers known at compile time (user_choice's `n`), so that a kernel can keep e[] in registers.
template <int N>
struct FixedCount {
  TTCG_HD constexpr operator int() const { return N; }
};

//! `n` is the number of providers: t.n, or a FixedCount<N> with N = t.n; the arithmetic is the same.
template <class Count>
TTCG_HD inline Choice user_choice(const ProfileView& t, double alpha, double beta, double v0, std::int32_t q, double* e,
                                  Count n) {
  const double x0 = outside_attraction(beta, v0);
  double m = x0;
  for (int i = 0; i < n; ++i) {
    const std::int64_t a = t.at(q, i);
    add_attraction(beta, alpha, t.value_fraction[a], t.price[a], e[i], m);
  }
  Choice c;
  c.outside_weight = shifted_weight(x0, m);
  c.total = c.outside_weight;
  for (int i = 0; i < n; ++i) e[i] = add_weight(e[i], m, c.total);
  return c;
}

TTCG_HD inline Choice user_choice(const ProfileView& t, double alpha, double beta, double v0, std::int32_t q,
                                  double* e) {
  return user_choice(t, alpha, beta, v0, q, e, t.n);
}

//! One user's terms of the demand sums at a profile (DemandSums of population.hpp): the outside share, the
//! welfare s_0·v0 + Σ_i s_i·W_i, the value Σ_i s_i·(α·vf_i − p_i) and the price Σ_i s_i·p_i (USD); per provider the
//! share s_i into share[0..n) and the margin s_i·(p_i − c_i) into profit[0..n). The body of the CUDA demand kernel;
//! the CPU tiles (src/population/population_cpu.cpp) run the same steps (start_welfare, add_demand_terms), which the
//! unit tests check bit for bit per user.
struct UserDemand {
  double outside, welfare, value, price;
};
template <class Count>
TTCG_HD inline UserDemand user_demand(const ProfileView& t, double alpha, double beta, double v0, std::int32_t q,
                                      double* e, Count n, double* share, double* profit) {
  const Choice c = user_choice(t, alpha, beta, v0, q, e, n);
  double inv;
  UserDemand d;
  d.welfare = start_welfare(c.outside_weight, c.total, v0, inv, d.outside);
  d.value = 0.0;
  d.price = 0.0;
  for (int i = 0; i < n; ++i) {
    const std::int64_t a = t.at(q, i);
    add_demand_terms(e[i], inv, alpha, t.value_fraction[a], t.price[a], t.cost[a], d.welfare, d.value, d.price,
                     share[i], profit[i]);
  }
  return d;
}

//! One user's expected welfare at a profile: s_0·v0 + Σ_i s_i·W_i with s = e·(1/S) (the order of the demand pass).
//! Leaves the weights in e[0..n) and 1/S in inv.
TTCG_HD inline double user_welfare(const ProfileView& t, double alpha, double beta, double v0, std::int32_t q,
                                   double* e, double& inv) {
  const Choice c = user_choice(t, alpha, beta, v0, q, e);
  double outside;
  double w = start_welfare(c.outside_weight, c.total, v0, inv, outside);
  for (int i = 0; i < t.n; ++i) {
    const std::int64_t a = t.at(q, i);
    add_welfare_term(e[i], inv, alpha, t.value_fraction[a], t.cost[a], w);
  }
  return w;
}

//! Streaming log-sum-exp of log terms with one exponential per term (a NaN-free form of game_math.hpp's LogSumExp
//! that also accepts −inf terms): value() = log Σ e^{t}.
struct OnlineLogSum {
  double max = -INFINITY;
  double sum = 0.0;
  TTCG_HD void add(double t) {
    const bool finite = t > -INFINITY;
    const bool above = t > max;
    // exp(−|t − max|) is NaN or 0 exactly when it is not used; the selects keep the loop branch-free.
    const double d = portable::select(finite & (max > -INFINITY), portable::exp_nonpositive(-fabs(t - max)), 0.0);
    sum = portable::select(finite, portable::select(above, sum * d + 1.0, sum + d), sum);
    max = portable::select(above, t, max);
  }
  //! Adds another partial sum (merge of two blocks, in block order).
  TTCG_HD void merge(const OnlineLogSum& o) {
    if (o.max == -INFINITY) return;
    if (max == -INFINITY) {
      *this = o;
      return;
    }
    if (o.max > max) {
      sum = sum * portable::exp_nonpositive(max - o.max) + o.sum;
      max = o.max;
    } else {
      sum += o.sum * portable::exp_nonpositive(o.max - max);
    }
  }
  TTCG_HD double value() const { return max == -INFINITY ? -INFINITY : max + portable::log(sum); }
};

//! log A_{−i} of one user: log(e^{x_0} + Σ_{j≠i} e^{x_j}) at a profile, with the same max shift as user_choice
//! (the maximum over the others).
TTCG_HD inline double log_aggregate_without(const ProfileView& t, double alpha, double beta, double v0, std::int32_t q,
                                            int skip) {
  const double x0 = outside_attraction(beta, v0);
  double m = x0;
  for (int j = 0; j < t.n; ++j) {
    if (j == skip) continue;
    const std::int64_t a = t.at(q, j);
    double x;
    add_attraction(beta, alpha, t.value_fraction[a], t.price[a], x, m);
  }
  double s = shifted_weight(x0, m);
  for (int j = 0; j < t.n; ++j) {
    if (j == skip) continue;
    const std::int64_t a = t.at(q, j);
    add_weight(log_attraction(beta, alpha, t.value_fraction[a], t.price[a]), m, s);
  }
  return shifted_log_sum(m, s);
}

//! One user's welfare when provider i plays a level of log attraction x and surplus w against the others, given as
//! num = Σ e^{x_j − m}·W_j and total = Σ e^{x_j − m} over the outside option and the others, shifted by their
//! maximum m (so total ≥ 1). One exponential of −|x − m| scales the smaller side: the denominator never underflows
//! to 0, whatever the spread of the log attractions (NaN-free at any β).
TTCG_HD inline double join_level_welfare(double num, double total, double m, double x, double w) {
  const double d = portable::exp_nonpositive(-fabs(x - m));
  const bool above = x > m;
  const double numerator = portable::select(above, num * d + w, num + d * w);
  const double denominator = portable::select(above, total * d + 1.0, total + d);
  return numerator / denominator;
}

//! log of provider i's expected profit from one user when it plays level k against log A_{−i}:
//! log(p − c) + log σ(x_i(k) − log A_{−i}).
TTCG_HD inline double log_profit_term(const QueryView& g, double alpha, double beta, std::int32_t q, int i, int k,
                                      double log_a_minus_i) {
  const std::int64_t a = g.at(q, i, k);
  return log_profit(g.log_margin[a], log_attraction(beta, alpha, g.value_fraction[a], g.price[a]), log_a_minus_i);
}

//! The first best of one user: max(v0, max over providers and levels of W) (USD).
TTCG_HD inline double first_best(const QueryView& g, double alpha, double v0, std::int32_t q) {
  double best = v0;
  for (int i = 0; i < g.n; ++i)
    for (int k = 0; k < g.K; ++k) {
      const std::int64_t a = g.at(q, i, k);
      const double w = surplus(alpha, g.value_fraction[a], g.cost[a]);
      best = best > w ? best : w;
    }
  return best;
}

//! One user's realized outcome under one regime (market or auction).
struct Outcome {
  std::int32_t provider = -1;     //!< who served the user; −1: the outside option
  std::int32_t level = -1;        //!< the level it served at
  std::int32_t correct = -1;      //!< 1/0 realized correctness; −1 when nobody served
  double tokens = 0.0;            //!< billed tokens
  double payment = 0.0;           //!< paid by the user (USD)
  double user_surplus = 0.0;      //!< realized quality − payment, or v0 (USD)
  double profit = 0.0;            //!< payment − cost, the serving provider's profit (USD)
  double welfare = 0.0;           //!< realized quality − cost, or v0 (USD)
  double expected_welfare = 0.0;  //!< the regime's expected welfare for this user (USD)
};

//! Realized quality α(b + (1 − b)·c) of an answer that is correct (c = 1) or not (c = 0): f(0) = 0 and f(1) = 1 for
//! every value curve, so this is f applied to the realized correctness.
TTCG_HD inline double realized_quality(double alpha, double baseline, int correct) {
  return alpha * (baseline + (1.0 - baseline) * static_cast<double>(correct));
}

//! The served part of an outcome: correctness from `coin`, tokens, payment, profit and welfare.
TTCG_HD inline void serve(const QueryView& g, double alpha, std::int32_t q, int i, int k, double payment, double coin,
                          Outcome& o) {
  const std::int64_t a = g.at(q, i, k);
  o.provider = i;
  o.level = k;
  o.correct = coin < g.p_correct[a] ? 1 : 0;
  o.tokens = g.tokens[a];
  o.payment = payment;
  const double quality = realized_quality(alpha, g.baseline, o.correct);
  o.user_surplus = quality - payment;
  o.profit = payment - g.cost[a];
  o.welfare = quality - g.cost[a];
}

//! The pay-per-compute market at `profile`: the user picks provider i with its logit share (inverse CDF over
//! providers 0..n−1, the outside option last), pays p_iq(k_i) and gets an answer correct with probability a_iq(k_i).
//! `e` is scratch for n weights.
TTCG_HD inline Outcome market_outcome(const QueryView& g, const ProfileView& t, const int* profile, double alpha,
                                      double beta, double v0, std::int32_t q, const rng::Philox4x32Ctr& w, double* e) {
  double inv = 0.0;
  const double expected = user_welfare(t, alpha, beta, v0, q, e, inv);
  const double u = rng::to_unit_double(w.v[0], w.v[1]);
  double cumulative = 0.0;
  int chosen = -1;
  for (int i = 0; i < t.n && chosen < 0; ++i) {
    cumulative += e[i] * inv;
    if (u < cumulative) chosen = i;
  }
  Outcome o;
  if (chosen >= 0) {
    serve(g, alpha, q, chosen, profile[chosen], t.price[t.at(q, chosen)], rng::to_unit_double(w.v[2], w.v[3]), o);
  } else {
    o.user_surplus = v0;
    o.welfare = v0;
  }
  o.expected_welfare = expected;
  return o;
}

//! The reverse second-price auction for this user's query with expected-quality bids: every provider bids
//! truthfully at its level maximizing W for this user (first on ties), scores S_i = W_i; clearing as clear_scores
//! (auction_math.hpp) with the user's v0; the winner is paid q_w − S_(2) and answers correctly with probability
//! a_wq at its level. `score` and `level` are scratch for n entries.
TTCG_HD inline Outcome auction_outcome(const QueryView& g, double alpha, double v0, std::int32_t q, Reserve reserve,
                                       const rng::Philox4x32Ctr& w, double* score, int* level) {
  for (int i = 0; i < g.n; ++i) {
    int best = 0;
    double best_w = surplus(alpha, g.value_fraction[g.at(q, i, 0)], g.cost[g.at(q, i, 0)]);
    for (int k = 1; k < g.K; ++k) {
      const double wk = surplus(alpha, g.value_fraction[g.at(q, i, k)], g.cost[g.at(q, i, k)]);
      if (wk > best_w) {
        best_w = wk;
        best = k;
      }
    }
    level[i] = best;
    score[i] = best_w;
  }
  const Clearing c = clear_scores(score, g.n, reserve, v0);
  Outcome o;
  if (c.winner < 0) {
    o.user_surplus = v0;
    o.welfare = v0;
    o.expected_welfare = v0;
    return o;
  }
  const int k = level[c.winner];
  const std::int64_t a = g.at(q, c.winner, k);
  const double expected_quality = alpha * g.value_fraction[a];
  serve(g, alpha, q, c.winner, k, expected_quality - c.second_score, rng::to_unit_double(w.v[2], w.v[3]), o);
  o.expected_welfare = c.winning_score;
  return o;
}

}  // namespace ttcg::population
