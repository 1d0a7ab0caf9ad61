#include "ttcgames/market/welfare.hpp"

#include <omp.h>

#include <cmath>
#include <vector>

#include "ttcgames/core/error.hpp"
#include "ttcgames/market/cuda_market.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/enumeration_math.hpp"
#include "ttcgames/market/welfare_math.hpp"

namespace ttcg {

Optimum exact_optimum(const Game& game) {
  const GameView g = game.view();
  Optimum opt;
  opt.profile.resize(g.n);
  std::vector<int> next(g.n);
  const OptimumValues v = dinkelbach_optimum(g, opt.profile.data(), next.data());
  opt.welfare = v.welfare;
  opt.iterations = v.iterations;
  opt.gap = v.gap;
  opt.profiles_evaluated = v.iterations;
  return opt;
}

namespace {

struct LastLevelsStorage {
  std::vector<double> g, gw;
  LastProviderLevels view;
  explicit LastLevelsStorage(const GameView& gv) : g(gv.K), gw(gv.K) {
    const int i = gv.n - 1;
    for (int k = 0; k < gv.K; ++k) {
      view.x_max = std::fmax(view.x_max, gv.xs(i, k));
      view.x_min = std::fmin(view.x_min, gv.xs(i, k));
    }
    for (int k = 0; k < gv.K; ++k) {
      g[k] = std::exp(gv.xs(i, k) - view.x_max);
      gw[k] = g[k] * gv.w(i, k);
    }
    view.g = g.data();
    view.gw = gw.data();
  }
};

struct Best {
  double welfare = -INFINITY;
  std::int64_t index = -1;
};

//! Scans prefixes [begin, end) of providers 0..n−2 in order, keeping prefix sums per depth (an odometer): each
//! prefix sum is recomputed from its parent's, so the values equal a from-scratch prefix_sum bit for bit.
Best scan_prefixes(const GameView& g, const LastProviderLevels& last, std::int64_t begin, std::int64_t end) {
  const int depth = g.n - 1;
  std::vector<int> digits(g.n, 0);
  decode_profile(begin, depth, g.K, digits.data());
  std::vector<ScaledSum> sums(depth + 1);
  sums[0].add(g.x0, g.v0);
  for (int d = 0; d < depth; ++d) {
    sums[d + 1] = sums[d];
    sums[d + 1].add(g.xs(d, digits[d]), g.w(d, digits[d]));
  }
  Best best;
  for (std::int64_t prefix = begin; prefix < end; ++prefix) {
    const int k = best_completion(g, last, sums[depth], best.welfare);
    if (k >= 0) best.index = prefix * g.K + k;
    // Advance the odometer and refresh the sums below the highest changed digit.
    int d = depth - 1;
    while (d >= 0 && ++digits[d] == g.K) digits[d--] = 0;
    for (int e = std::max(d, 0); e < depth; ++e) {
      sums[e + 1] = sums[e];
      sums[e + 1].add(g.xs(e, digits[e]), g.w(e, digits[e]));
    }
  }
  return best;
}

}  // namespace

Optimum exhaustive_optimum(const Game& game, Backend backend) {
  const GameView g = game.view();
  const std::int64_t total = profile_count(g.n, g.K);
  if (total < 0) throw InputError("exhaustive optimum: K^n profiles exceed 2^62");
  const LastLevelsStorage last(g);
  Best best;
  if (backend == Backend::cuda) {
    const cuda::BestProfile b = cuda::exhaustive_optimum(g, last.view);
    best = Best{b.welfare, b.index};
  } else {
    const std::int64_t prefixes = total / g.K;
    std::vector<Best> partial(omp_get_max_threads());
#pragma omp parallel if (prefixes >= EXHAUSTIVE_PARALLEL_MIN_PREFIXES)
    {
      const std::int64_t threads = omp_get_num_threads();
      const std::int64_t t = omp_get_thread_num();
      const std::int64_t begin = prefixes * t / threads;
      const std::int64_t end = prefixes * (t + 1) / threads;
      if (begin < end) partial[t] = scan_prefixes(g, last.view, begin, end);
    }
    for (const Best& p : partial)  // chunks are in index order: strict > keeps the lowest index on ties
      if (p.index >= 0 && p.welfare > best.welfare) best = p;
  }
  Optimum opt;
  opt.profile.resize(g.n);
  decode_profile(best.index, g.n, g.K, opt.profile.data());
  opt.welfare = social_welfare(g, opt.profile.data());
  opt.profiles_evaluated = total;
  return opt;
}

}  // namespace ttcg
