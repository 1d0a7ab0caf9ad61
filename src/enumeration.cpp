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

}  // namespace

EquilibriumSet enumerate_equilibria(const Game& game, const EnumerationOptions& options, Backend backend) {
  const GameView g = game.view();
  const std::int64_t total = profile_count(g.n, g.K);
  if (total < 0 || total > options.max_profiles)
    throw InputError("equilibrium enumeration: " + std::to_string(g.K) + "^" + std::to_string(g.n) +
                     " profiles exceed the limit of " + std::to_string(options.max_profiles) +
                     " ([equilibria] max_profiles)");
  if (g.K > ENUMERATION_MAX_LEVELS)
    throw InputError("equilibrium enumeration supports at most " + std::to_string(ENUMERATION_MAX_LEVELS) +
                     " levels per provider, got " + std::to_string(g.K));
  const double log_tol = std::log1p(options.relative_tolerance);
  if (backend == Backend::cuda) return cuda::enumerate_equilibria(g, log_tol, options.max_stored);

  const std::int64_t prefixes = total / g.K;
  std::vector<Accumulator> partial(omp_get_max_threads());
#pragma omp parallel
  {
    const std::int64_t threads = omp_get_num_threads();
    const std::int64_t t = omp_get_thread_num();
    const std::int64_t begin = prefixes * t / threads;
    const std::int64_t end = prefixes * (t + 1) / threads;
    std::vector<int> profile(g.n);
    Accumulator& acc = partial[t];
    for (std::int64_t prefix = begin; prefix < end; ++prefix) {
      decode_profile(prefix, g.n - 1, g.K, profile.data());
      std::uint32_t mask = equilibrium_completions(g, profile.data(), log_tol);
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
