// The ttcg::cuda entry points (include/ttcgames/cuda_backend.hpp) in a build with CUDA: input validation, the
// profile bookkeeping and the EquilibriumSet layout of the CPU path (src/enumeration.cpp), around the
// launchers of cuda/*.cu. Host C++20 and free of CUDA headers: it includes the public headers, which the
// C++17 .cu files cannot.
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "launchers.hpp"
#include "ttcgames/cuda_backend.hpp"
#include "ttcgames/enumeration.hpp"
#include "ttcgames/error.hpp"

namespace ttcg::cuda {

namespace {

//! Throws InputError unless a device is usable and the game fits the kernels; returns the number of prefixes.
std::int64_t check_game(const GameView& g, const char* what) {
  if (detail::query_device_count() <= 0)
    throw InputError(std::string(what) + " on the CUDA backend: " + detail::describe_device() +
                     "; use --backend cpu or auto");
  if (g.n < 1 || g.K < 1)
    throw InputError(std::string(what) + ": the game needs at least one provider and one level, got n = " +
                     std::to_string(g.n) + ", K = " + std::to_string(g.K));
  if (g.n > detail::MAX_PROVIDERS)
    throw InputError(std::string(what) + " on the CUDA backend supports at most " +
                     std::to_string(detail::MAX_PROVIDERS) + " providers, got " + std::to_string(g.n));
  const std::int64_t total = profile_count(g.n, g.K);
  if (total < 0)
    throw InputError(std::string(what) + ": " + std::to_string(g.K) + "^" + std::to_string(g.n) +
                     " profiles exceed 2^62");
  return total / g.K;
}

}  // namespace

int device_count() {
  return detail::query_device_count();
}

std::string device_description() {
  return detail::describe_device();
}

int select_device(int local_rank) {
  return detail::set_device_for_rank(local_rank);
}

BestProfile exhaustive_optimum(const GameView& g, const LastProviderLevels& last) {
  const std::int64_t prefixes = check_game(g, "exhaustive optimum");
  const detail::Candidate best = detail::launch_exhaustive_optimum(g, last, prefixes);
  return BestProfile{best.welfare, best.index};
}

EquilibriumSet enumerate_equilibria(const GameView& g, double log_tol, std::int64_t max_stored) {
  const std::int64_t prefixes = check_game(g, "equilibrium enumeration");
  if (g.K > ENUMERATION_MAX_LEVELS)
    throw InputError("equilibrium enumeration supports at most " + std::to_string(ENUMERATION_MAX_LEVELS) +
                     " levels per provider, got " + std::to_string(g.K));
  detail::EquilibriumScan scan = detail::launch_enumerate_equilibria(g, log_tol, max_stored, prefixes);

  EquilibriumSet set;
  set.profiles = prefixes * g.K;
  set.count = scan.stats.count;
  set.indices = std::move(scan.indices);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  set.worst_welfare = set.count > 0 ? scan.stats.worst.welfare : nan;
  set.best_welfare = set.count > 0 ? scan.stats.best.welfare : nan;
  set.worst_index = scan.stats.worst.index;
  set.best_index = scan.stats.best.index;
  return set;
}

void solve_ensemble_markets(const EnsembleParams& p, std::int64_t first, std::int64_t count, MarketOutcome* out) {
  if (detail::query_device_count() <= 0)
    throw InputError("ensemble on the CUDA backend: " + detail::describe_device() + "; use --backend cpu or auto");
  if (first < 0 || count < 0 || first + count > (std::int64_t{1} << 32))
    throw InputError("ensemble on the CUDA backend: market indices must lie in 0..2^32 - 1");
  detail::launch_ensemble_markets(p, first, count, out);
}

PermutationTallies permutation_tallies(const PermutationView& view, std::int64_t permutations) {
  if (detail::query_device_count() <= 0)
    throw InputError("permutation estimator on the CUDA backend: " + detail::describe_device() +
                     "; use --backend cpu or auto");
  return detail::launch_permutation_tallies(view, permutations);
}

}  // namespace ttcg::cuda
