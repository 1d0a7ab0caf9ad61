// The social optimum under population demand: exact enumeration of every profile, or a certified local search
// (coordinate ascent from several starts, bounded above by the users' own logit optima).
#include "ttcgames/population/population_optimum.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "per_block.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/welfare_math.hpp"

namespace ttcg {

using population_detail::merge_in_order;
using population_detail::per_block;

namespace {

//! Coordinate ascent on SW from `profile`: each provider in turn moves to its SW-maximizing level (first on ties)
//! when that raises SW by more than the relative tolerance; stops after a sweep without a move.
double local_search(const PopulationEngine& engine, Profile& profile, std::int64_t& evaluated) {
  const int n = engine.providers(), K = engine.levels();
  std::vector<double> sw(K);
  double current = NAN;
  for (bool moved = true; moved;) {
    moved = false;
    for (int i = 0; i < n; ++i) {
      engine.welfare_deviations(profile, i, sw);
      evaluated += K;
      int best = profile[i];
      for (int k = 0; k < K; ++k)
        if (sw[k] > sw[best]) best = k;
      current = sw[profile[i]];
      if (best != profile[i] && sw[best] - current > POPULATION_LOCAL_SEARCH_TOLERANCE * std::fabs(current)) {
        profile[i] = best;
        current = sw[best];
        moved = true;
      }
    }
  }
  return current;
}

//! mean_u max_k SW_u(k): each user's own logit optimum (Dinkelbach on the user's game) bounds SW* from above.
double per_user_optimum_bound(const PopulationEngine& engine, std::int64_t block_size) {
  const QueryTables& t = engine.tables();
  const population::UsersView uv = engine.population().view();
  const int n = t.n, K = t.K;
  struct Sum {
    double v = 0.0;
    void merge(const Sum& o) { v += o.v; }
  };
  const std::int64_t blocks = engine.blocks();
  auto parts = per_block<Sum>(blocks, [&](std::int64_t b) {
    const BlockRange r = block_range(engine.users(), block_size, b);
    std::vector<double> x(n * K), lm(n * K), W(n * K);
    std::vector<int> profile(n), next(n);
    Sum s;
    for (std::int64_t u = r.begin; u < r.end; ++u) {
      const std::int32_t q = uv.question[u];
      for (int i = 0; i < n; ++i)
        for (int k = 0; k < K; ++k) {
          const std::size_t a = t.at(q, i, k);
          x[i * K + k] = population::log_attraction(uv.beta[u], uv.alpha[u], t.value_fraction[a], t.price[a]);
          lm[i * K + k] = t.log_margin[a];
          W[i * K + k] = population::surplus(uv.alpha[u], t.value_fraction[a], t.cost[a]);
        }
      GameView g;
      g.n = n;
      g.K = K;
      g.x = x.data();
      g.log_margin = lm.data();
      g.W = W.data();
      g.x0 = uv.beta[u] * uv.v0[u];
      g.v0 = uv.v0[u];
      const OptimumValues opt = dinkelbach_optimum(g, profile.data(), next.data());
      s.v += opt.welfare + (std::isfinite(opt.gap) ? opt.gap : INFINITY);
    }
    return s;
  });
  return merge_in_order(parts).v / static_cast<double>(engine.users());
}

}  // namespace

PopulationOptimum population_optimum(const PopulationEngine& engine, const PopulationSpec& spec,
                                     std::span<const int> equilibrium) {
  const int n = engine.providers(), K = engine.levels();
  const std::int64_t profiles = profile_count(n, K);
  const double cost = profiles < 0 ? INFINITY : static_cast<double>(profiles) * static_cast<double>(engine.users());
  const bool enumerate = spec.optimum == OptimumMethod::enumeration ||
                         (spec.optimum == OptimumMethod::automatic && cost <= spec.max_enumeration);
  PopulationOptimum opt;
  if (enumerate) {
    if (profiles < 0) throw InputError("population optimum: K^n profiles exceed 2^62; use optimum = \"local-search\"");
    constexpr std::int64_t PROFILES_PER_CALL = std::int64_t{1} << 16;
    opt.method = "enumeration";
    opt.welfare = -INFINITY;
    std::int64_t best = 0;
    for (std::int64_t first = 0; first < profiles; first += PROFILES_PER_CALL) {
      const std::int64_t count = std::min(PROFILES_PER_CALL, profiles - first);
      const std::vector<double> sw = engine.welfare_of_profiles(first, count);
      for (std::int64_t j = 0; j < count; ++j)
        if (sw[j] > opt.welfare) opt.welfare = sw[j], best = first + j;
    }
    opt.profile.assign(n, 0);
    decode_profile(best, n, K, opt.profile.data());
    opt.upper_bound = opt.welfare;
    opt.profiles_evaluated = profiles;
    return opt;
  }
  opt.method = "local-search";
  // Starts: the reached equilibrium, every provider at its most attractive level for the mean user, the lowest and
  // the highest levels.
  std::vector<Profile> starts{Profile(equilibrium.begin(), equilibrium.end()), Profile(n, 0), Profile(n, K - 1)};
  opt.welfare = -INFINITY;
  for (Profile start : starts) {
    const double sw = local_search(engine, start, opt.profiles_evaluated);
    ++opt.starts;
    if (sw > opt.welfare) {
      opt.welfare = sw;
      opt.profile = start;
    }
  }
  if (opt.profile.empty())
    throw NumericalError("population optimum: the local search found no profile with a finite welfare (" +
                         std::to_string(opt.starts) + " starts)");
  // The local searches' SW comes from deviation passes; report SW at the optimum from a demand pass, as for the
  // equilibrium, and never below what was found.
  opt.welfare = engine.demand(opt.profile).welfare;
  opt.upper_bound = std::max(opt.welfare, per_user_optimum_bound(engine, spec.block_size));
  return opt;
}

}  // namespace ttcg
