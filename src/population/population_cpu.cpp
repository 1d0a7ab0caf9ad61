// The CPU block kernels of the population engine (population.hpp): vectorized loops over tiles of users in a
// structure-of-arrays layout, one pass per call over the users of one fixed block. The loops run one provider at a
// time over the users of a tile (`omp simd`); their arithmetic is the TTCG_HD step functions of population_math.hpp
// (add_attraction, add_weight, start_welfare, add_demand_terms, shifted_log_sum, log_profit, …) that the per-user
// functions and so the CUDA kernels are made of, called on the tile's lane arrays by reference. Every per-user
// value therefore equals the per-user functions' (and the CUDA kernels') bit for bit; sums over users go to fixed
// lanes (simd.hpp), so the block's result does not depend on the instruction set either.
#include <algorithm>
#include <cmath>
#include <vector>

#include "simd.hpp"
#include "ttcgames/population/population.hpp"

namespace ttcg {

namespace {

using population::OnlineLogSum;
using population::ProfileView;
using population::QueryView;
using population::UsersView;
using simd::LANES;
using simd::TILE;

static_assert(TILE % LANES == 0, "tiles hold whole lane groups");

//! The users of one tile, padded with neutral users (α = β = v0 = 0, question 0) past `count`.
struct TileUsers {
  alignas(64) double alpha[TILE];
  alignas(64) double beta[TILE];
  alignas(64) double v0[TILE];
  alignas(64) std::int32_t q[TILE];
  int count = 0;

  TTCG_ALWAYS_INLINE void load(const UsersView& users, std::int64_t first, int n_users) {
    count = n_users;
    for (int u = 0; u < TILE; ++u) {
      const bool real = u < n_users;
      alpha[u] = real ? users.alpha[first + u] : 0.0;
      beta[u] = real ? users.beta[first + u] : 0.0;
      v0[u] = real ? users.v0[first + u] : 0.0;
      q[u] = real ? users.question[first + u] : 0;
    }
  }
};

//! Sets values[u] = 0 for the padding users of a tile.
TTCG_ALWAYS_INLINE void clear_padding(double* values, int count) {
  for (int u = count; u < TILE; ++u) values[u] = 0.0;
}

//! Online log-sums in LANES lanes (user u of a block to lane u mod LANES), combined in lane order.
struct LogSumLanes {
  alignas(64) double max[LANES];
  alignas(64) double sum[LANES];
  LogSumLanes() {
    for (int l = 0; l < LANES; ++l) max[l] = -INFINITY, sum[l] = 0.0;
  }
  //! Adds t[0..TILE) (padding users must hold −inf).
  TTCG_ALWAYS_INLINE void add(const double* t) {
    for (int u0 = 0; u0 < TILE; u0 += LANES) {
#pragma omp simd
      for (int l = 0; l < LANES; ++l) {
        OnlineLogSum s{max[l], sum[l]};
        s.add(t[u0 + l]);
        max[l] = s.max;
        sum[l] = s.sum;
      }
    }
  }
  OnlineLogSum combine() const {
    OnlineLogSum s;
    for (int l = 0; l < LANES; ++l) s.merge(OnlineLogSum{max[l], sum[l]});
    return s;
  }
};

//! The profile tables seen by the tile's users, one provider at a time: with a single question the same three
//! numbers for every user; otherwise gathered once per tile into contiguous columns [TILE].
template <bool SINGLE_QUESTION>
struct ProviderColumns {
  const double *vf = nullptr, *price = nullptr, *cost = nullptr;  // [TILE] gathered columns
  double vf0 = 0.0, price0 = 0.0, cost0 = 0.0;                    // single question
  TTCG_ALWAYS_INLINE double value_fraction(int u) const { return SINGLE_QUESTION ? vf0 : vf[u]; }
  TTCG_ALWAYS_INLINE double price_of(int u) const { return SINGLE_QUESTION ? price0 : price[u]; }
  TTCG_ALWAYS_INLINE double cost_of(int u) const { return SINGLE_QUESTION ? cost0 : cost[u]; }
};

//! Gathers (or reads) the tables of every provider for the tile's users: columns [n][TILE] of vf, price, cost.
struct GatheredTables {
  std::vector<double> vf, price, cost;
  explicit GatheredTables(int n) : vf(static_cast<std::size_t>(n) * TILE), price(vf.size()), cost(vf.size()) {}

  template <bool SINGLE_QUESTION>
  TTCG_ALWAYS_INLINE void gather(const ProfileView& t, const TileUsers& tu) {
    if constexpr (SINGLE_QUESTION) return;
    const int n = t.n;
    const double* __restrict tv = t.value_fraction;
    const double* __restrict tp = t.price;
    const double* __restrict tc = t.cost;
    for (int i = 0; i < n; ++i) {
      double* __restrict gv = vf.data() + i * TILE;
      double* __restrict gp = price.data() + i * TILE;
      double* __restrict gc = cost.data() + i * TILE;
#pragma omp simd
      for (int u = 0; u < TILE; ++u) {
        const int a = tu.q[u] * n + i;  // Q·n < 2^31 (checked by build_query_tables)
        gv[u] = tv[a];
        gp[u] = tp[a];
        gc[u] = tc[a];
      }
    }
  }
  template <bool SINGLE_QUESTION>
  TTCG_ALWAYS_INLINE ProviderColumns<SINGLE_QUESTION> provider(const ProfileView& t, int i) const {
    ProviderColumns<SINGLE_QUESTION> c;
    if constexpr (SINGLE_QUESTION) {
      c.vf0 = t.value_fraction[i];
      c.price0 = t.price[i];
      c.cost0 = t.cost[i];
    } else {
      c.vf = vf.data() + i * TILE;
      c.price = price.data() + i * TILE;
      c.cost = cost.data() + i * TILE;
    }
    return c;
  }
};

//! x0[u] = β v0, the outside option's log attraction, which starts the running maximum m[u].
TTCG_ALWAYS_INLINE void start_attractions(const TileUsers& tu, double* x0, double* m) {
#pragma omp simd
  for (int u = 0; u < TILE; ++u) {
    x0[u] = population::outside_attraction(tu.beta[u], tu.v0[u]);
    m[u] = x0[u];
  }
}

//! The tile's log attractions at a profile: x0[u] = β v0 and x[i][u], with their maximum m[u].
template <bool SINGLE_QUESTION>
TTCG_ALWAYS_INLINE void profile_attractions(const ProfileView& t, const GatheredTables& gt, const TileUsers& tu,
                                            double* x0, double* x, double* m) {
  start_attractions(tu, x0, m);
  for (int i = 0; i < t.n; ++i) {
    double* __restrict xi = x + i * TILE;
    const ProviderColumns<SINGLE_QUESTION> c = gt.provider<SINGLE_QUESTION>(t, i);
#pragma omp simd
    for (int u = 0; u < TILE; ++u)
      population::add_attraction(tu.beta[u], tu.alpha[u], c.value_fraction(u), c.price_of(u), xi[u], m[u]);
  }
}

struct DemandScratch {
  std::vector<double> x;  // [n][TILE] log attractions, then weights e_i
  GatheredTables tables;
  alignas(64) double x0[TILE], m[TILE], e0[TILE], total[TILE], inv[TILE], s[TILE], acc_w[TILE], acc_v[TILE],
      acc_p[TILE], tmp[TILE];
  explicit DemandScratch(int n) : x(static_cast<std::size_t>(n) * TILE), tables(n) {}
};

template <bool SINGLE_QUESTION>
TTCG_ALWAYS_INLINE void demand_tiles(const ProfileView& t, const UsersView& users, BlockRange range, DemandSums& out) {
  const int n = t.n;
  DemandScratch w(n);
  TileUsers tu;
  std::vector<double> share_lanes(static_cast<std::size_t>(n) * LANES, 0.0), profit_lanes(share_lanes);
  alignas(64) double outside_lanes[LANES] = {}, welfare_lanes[LANES] = {}, value_lanes[LANES] = {},
                     price_lanes[LANES] = {};
  for (std::int64_t first = range.begin; first < range.end; first += TILE) {
    tu.load(users, first, static_cast<int>(std::min<std::int64_t>(TILE, range.end - first)));
    w.tables.gather<SINGLE_QUESTION>(t, tu);
    profile_attractions<SINGLE_QUESTION>(t, w.tables, tu, w.x0, w.x.data(), w.m);
#pragma omp simd
    for (int u = 0; u < TILE; ++u) {
      w.e0[u] = population::shifted_weight(w.x0[u], w.m[u]);
      w.total[u] = w.e0[u];
    }
    for (int i = 0; i < n; ++i) {
      double* __restrict xi = w.x.data() + i * TILE;
#pragma omp simd
      for (int u = 0; u < TILE; ++u) xi[u] = population::add_weight(xi[u], w.m[u], w.total[u]);
    }
#pragma omp simd
    for (int u = 0; u < TILE; ++u) {
      w.acc_w[u] = population::start_welfare(w.e0[u], w.total[u], tu.v0[u], w.inv[u], w.s[u]);
      w.acc_v[u] = 0.0;
      w.acc_p[u] = 0.0;
    }
    clear_padding(w.s, tu.count);
    simd::add_to_lanes(outside_lanes, w.s);
    for (int i = 0; i < n; ++i) {
      const double* __restrict ei = w.x.data() + i * TILE;
      const ProviderColumns<SINGLE_QUESTION> c = w.tables.provider<SINGLE_QUESTION>(t, i);
#pragma omp simd
      for (int u = 0; u < TILE; ++u)
        population::add_demand_terms(ei[u], w.inv[u], tu.alpha[u], c.value_fraction(u), c.price_of(u), c.cost_of(u),
                                     w.acc_w[u], w.acc_v[u], w.acc_p[u], w.s[u], w.tmp[u]);
      clear_padding(w.s, tu.count);
      clear_padding(w.tmp, tu.count);
      simd::add_to_lanes(share_lanes.data() + i * LANES, w.s);
      simd::add_to_lanes(profit_lanes.data() + i * LANES, w.tmp);
    }
    clear_padding(w.acc_w, tu.count);
    clear_padding(w.acc_v, tu.count);
    clear_padding(w.acc_p, tu.count);
    simd::add_to_lanes(welfare_lanes, w.acc_w);
    simd::add_to_lanes(value_lanes, w.acc_v);
    simd::add_to_lanes(price_lanes, w.acc_p);
  }
  out.users = range.end - range.begin;
  out.shares.resize(n);
  out.profit.resize(n);
  for (int i = 0; i < n; ++i) {
    out.shares[i] = simd::combine_lanes(share_lanes.data() + i * LANES);
    out.profit[i] = simd::combine_lanes(profit_lanes.data() + i * LANES);
  }
  out.outside = simd::combine_lanes(outside_lanes);
  out.welfare = simd::combine_lanes(welfare_lanes);
  out.value = simd::combine_lanes(value_lanes);
  out.price = simd::combine_lanes(price_lanes);
}

TTCG_SIMD_CLONES void demand_single(const ProfileView& t, const UsersView& users, BlockRange range, DemandSums& out) {
  demand_tiles<true>(t, users, range, out);
}
TTCG_SIMD_CLONES void demand_multi(const ProfileView& t, const UsersView& users, BlockRange range, DemandSums& out) {
  demand_tiles<false>(t, users, range, out);
}

template <bool SINGLE_QUESTION>
TTCG_ALWAYS_INLINE void utility_tiles(const QueryView& g, const ProfileView& t, const UsersView& users, int i,
                                      BlockRange range, UtilitySums& out) {
  const int n = t.n, K = g.K;
  TileUsers tu;
  std::vector<double> x(static_cast<std::size_t>(n) * TILE);
  alignas(64) double x0[TILE], m[TILE], total[TILE], la[TILE], term[TILE];
  std::vector<LogSumLanes> lanes(K);
  for (std::int64_t first = range.begin; first < range.end; first += TILE) {
    tu.load(users, first, static_cast<int>(std::min<std::int64_t>(TILE, range.end - first)));
    // log A_{−i} (log_aggregate_without): the others' log attractions, their maximum with x0, the sum in provider
    // order.
    start_attractions(tu, x0, m);
    for (int j = 0; j < n; ++j) {
      if (j == i) continue;
      double* xj = x.data() + j * TILE;
#pragma omp simd
      for (int u = 0; u < TILE; ++u) {
        const std::int64_t a = t.at(SINGLE_QUESTION ? 0 : tu.q[u], j);
        population::add_attraction(tu.beta[u], tu.alpha[u], t.value_fraction[a], t.price[a], xj[u], m[u]);
      }
    }
#pragma omp simd
    for (int u = 0; u < TILE; ++u) total[u] = population::shifted_weight(x0[u], m[u]);
    for (int j = 0; j < n; ++j) {
      if (j == i) continue;
      const double* xj = x.data() + j * TILE;
#pragma omp simd
      for (int u = 0; u < TILE; ++u) population::add_weight(xj[u], m[u], total[u]);
    }
#pragma omp simd
    for (int u = 0; u < TILE; ++u) la[u] = population::shifted_log_sum(m[u], total[u]);
    for (int k = 0; k < K; ++k) {
#pragma omp simd
      for (int u = 0; u < TILE; ++u) {
        const std::int64_t a = g.at(SINGLE_QUESTION ? 0 : tu.q[u], i, k);
        const double xk = population::log_attraction(tu.beta[u], tu.alpha[u], g.value_fraction[a], g.price[a]);
        term[u] = population::log_profit(g.log_margin[a], xk, la[u]);
      }
      for (int u = tu.count; u < TILE; ++u) term[u] = -INFINITY;
      lanes[k].add(term);
    }
  }
  out.levels.resize(K);
  for (int k = 0; k < K; ++k) out.levels[k] = lanes[k].combine();
}

TTCG_SIMD_CLONES void utilities_single(const QueryView& g, const ProfileView& t, const UsersView& users, int i,
                                       BlockRange range, UtilitySums& out) {
  utility_tiles<true>(g, t, users, i, range, out);
}
TTCG_SIMD_CLONES void utilities_multi(const QueryView& g, const ProfileView& t, const UsersView& users, int i,
                                      BlockRange range, UtilitySums& out) {
  utility_tiles<false>(g, t, users, i, range, out);
}

//! Certificate terms: every deviation's aggregate summed from scratch over x0 and all providers, in order.
TTCG_SIMD_CLONES void deviation_tiles(const QueryView& g, const int* profile, const UsersView& users, BlockRange range,
                                      std::vector<OnlineLogSum>& out) {
  const int n = g.n, K = g.K;
  TileUsers tu;
  std::vector<double> x(static_cast<std::size_t>(n) * TILE);
  alignas(64) double x0[TILE], xk[TILE], m[TILE], total[TILE], term[TILE];
  std::vector<LogSumLanes> lanes(static_cast<std::size_t>(n) * K);
  for (std::int64_t first = range.begin; first < range.end; first += TILE) {
    tu.load(users, first, static_cast<int>(std::min<std::int64_t>(TILE, range.end - first)));
#pragma omp simd
    for (int u = 0; u < TILE; ++u) x0[u] = population::outside_attraction(tu.beta[u], tu.v0[u]);
    for (int j = 0; j < n; ++j) {
      double* xj = x.data() + j * TILE;
#pragma omp simd
      for (int u = 0; u < TILE; ++u) {
        const std::int64_t a = g.at(tu.q[u], j, profile[j]);
        xj[u] = population::log_attraction(tu.beta[u], tu.alpha[u], g.value_fraction[a], g.price[a]);
      }
    }
    for (int i = 0; i < n; ++i) {
      for (int k = 0; k < K; ++k) {
#pragma omp simd
        for (int u = 0; u < TILE; ++u) {
          const std::int64_t a = g.at(tu.q[u], i, k);
          m[u] = x0[u];
          population::add_attraction(tu.beta[u], tu.alpha[u], g.value_fraction[a], g.price[a], xk[u], m[u]);
        }
        for (int j = 0; j < n; ++j) {
          if (j == i) continue;
          const double* xj = x.data() + j * TILE;
#pragma omp simd
          for (int u = 0; u < TILE; ++u) population::raise_max(m[u], xj[u]);
        }
#pragma omp simd
        for (int u = 0; u < TILE; ++u) total[u] = population::shifted_weight(x0[u], m[u]);
        for (int j = 0; j < n; ++j) {
          const double* xj = j == i ? xk : x.data() + j * TILE;
#pragma omp simd
          for (int u = 0; u < TILE; ++u) population::add_weight(xj[u], m[u], total[u]);
        }
#pragma omp simd
        for (int u = 0; u < TILE; ++u) {
          const std::int64_t a = g.at(tu.q[u], i, k);
          term[u] = population::log_profit_in(g.log_margin[a], xk[u], population::shifted_log_sum(m[u], total[u]));
        }
        for (int u = tu.count; u < TILE; ++u) term[u] = -INFINITY;
        lanes[static_cast<std::size_t>(i) * K + k].add(term);
      }
    }
  }
  out.resize(static_cast<std::size_t>(n) * K);
  for (std::size_t c = 0; c < out.size(); ++c) out[c] = lanes[c].combine();
}

//! SW_u(k, k_{−i}) for every level k of provider i. The others' weights are shifted by their own maximum m (with the
//! outside option, so their total is at least 1); each level then joins with one exponential of −|x_k − m|, scaling
//! whichever side is smaller, so no denominator underflows to 0 however far apart the levels are (large β).
TTCG_SIMD_CLONES void welfare_deviation_tiles(const QueryView& g, const ProfileView& t, const UsersView& users, int i,
                                              BlockRange range, WelfareSums& out) {
  const int n = t.n, K = g.K;
  TileUsers tu;
  std::vector<double> x(static_cast<std::size_t>(n) * TILE);
  alignas(64) double x0[TILE], m[TILE], total[TILE], num[TILE], sw[TILE];
  std::vector<double> lanes(static_cast<std::size_t>(K) * LANES, 0.0);
  for (std::int64_t first = range.begin; first < range.end; first += TILE) {
    tu.load(users, first, static_cast<int>(std::min<std::int64_t>(TILE, range.end - first)));
    start_attractions(tu, x0, m);
    for (int j = 0; j < n; ++j) {
      if (j == i) continue;
      double* xj = x.data() + j * TILE;
#pragma omp simd
      for (int u = 0; u < TILE; ++u) {
        const std::int64_t a = t.at(tu.q[u], j);
        population::add_attraction(tu.beta[u], tu.alpha[u], t.value_fraction[a], t.price[a], xj[u], m[u]);
      }
    }
#pragma omp simd
    for (int u = 0; u < TILE; ++u) {
      total[u] = population::shifted_weight(x0[u], m[u]);
      num[u] = total[u] * tu.v0[u];
    }
    for (int j = 0; j < n; ++j) {
      if (j == i) continue;
      const double* xj = x.data() + j * TILE;
#pragma omp simd
      for (int u = 0; u < TILE; ++u) {
        const std::int64_t a = t.at(tu.q[u], j);
        population::add_weighted_surplus(xj[u], m[u], tu.alpha[u], t.value_fraction[a], t.cost[a], total[u], num[u]);
      }
    }
    for (int k = 0; k < K; ++k) {
#pragma omp simd
      for (int u = 0; u < TILE; ++u) {
        const std::int64_t a = g.at(tu.q[u], i, k);
        const double xk = population::log_attraction(tu.beta[u], tu.alpha[u], g.value_fraction[a], g.price[a]);
        sw[u] = population::join_level_welfare(num[u], total[u], m[u], xk,
                                               population::surplus(tu.alpha[u], g.value_fraction[a], g.cost[a]));
      }
      clear_padding(sw, tu.count);
      simd::add_to_lanes(lanes.data() + k * LANES, sw);
    }
  }
  out.levels.resize(K);
  for (int k = 0; k < K; ++k) out.levels[k] = simd::combine_lanes(lanes.data() + k * LANES);
}

}  // namespace

DemandSums demand_block(const QueryView& g, const ProfileView& t, const UsersView& users, BlockRange range) {
  DemandSums out;
  (void)g;
  if (t.Q == 1)
    demand_single(t, users, range, out);
  else
    demand_multi(t, users, range, out);
  return out;
}

UtilitySums utilities_block(const QueryView& g, const ProfileView& t, const UsersView& users, int provider,
                            BlockRange range) {
  UtilitySums out;
  if (t.Q == 1)
    utilities_single(g, t, users, provider, range, out);
  else
    utilities_multi(g, t, users, provider, range, out);
  return out;
}

std::vector<OnlineLogSum> deviations_block(const QueryView& g, std::span<const int> profile, const UsersView& users,
                                           BlockRange range) {
  std::vector<OnlineLogSum> out;
  deviation_tiles(g, profile.data(), users, range, out);
  return out;
}

WelfareSums welfare_deviations_block(const QueryView& g, const ProfileView& t, const UsersView& users, int provider,
                                     BlockRange range) {
  WelfareSums out;
  welfare_deviation_tiles(g, t, users, provider, range, out);
  return out;
}

std::vector<double> welfare_profiles_block(const QueryView& g, const UsersView& users, std::int64_t first,
                                           std::int64_t count, BlockRange range) {
  // Per user and profile with the per-user function (enumeration runs over many profiles of few users, where
  // tiles would be mostly padding); users summed in order.
  std::vector<double> out(count, 0.0);
  std::vector<int> profile(g.n);
  std::vector<double> vf(static_cast<std::size_t>(g.Q) * g.n), price(vf.size()), cost(vf.size());
  double e[population::MAX_PROVIDERS];
  double inv = 0.0;
  for (std::int64_t c = 0; c < count; ++c) {
    decode_profile(first + c, g.n, g.K, profile.data());
    for (std::int64_t q = 0; q < g.Q; ++q)
      for (int i = 0; i < g.n; ++i) {
        const std::int64_t a = g.at(q, i, profile[i]);
        vf[q * g.n + i] = g.value_fraction[a];
        price[q * g.n + i] = g.price[a];
        cost[q * g.n + i] = g.cost[a];
      }
    const ProfileView t{g.n, g.Q, vf.data(), price.data(), cost.data()};
    double sum = 0.0;
    for (std::int64_t u = range.begin; u < range.end; ++u)
      sum += population::user_welfare(t, users.alpha[u], users.beta[u], users.v0[u], users.question[u], e, inv);
    out[c] = sum;
  }
  return out;
}

}  // namespace ttcg
