// The ttcg::cuda entry points (the cuda_*.hpp headers of the stages) in a build with CUDA: input validation, the
// profile bookkeeping and the EquilibriumSet layout of the CPU path (src/market/enumeration.cpp), around the
// launchers of cuda/*.cu. Host C++20 and free of CUDA headers: it includes the public headers, which the
// C++17 .cu files cannot.
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "launchers.hpp"
#include "ttcgames/core/cuda_device.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/ensemble/cuda_ensemble.hpp"
#include "ttcgames/inference/cuda_curves.hpp"
#include "ttcgames/market/cuda_market.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/population/cuda_population.hpp"

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
  set.work = set.profiles;
  const auto decode = [&](std::int64_t index) {
    Profile p(static_cast<std::size_t>(g.n));
    decode_profile(index, g.n, g.K, p.data());
    return p;
  };
  for (const std::int64_t index : scan.indices) set.stored.push_back(decode(index));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  set.worst_welfare = set.count > 0 ? scan.stats.worst.welfare : nan;
  set.best_welfare = set.count > 0 ? scan.stats.best.welfare : nan;
  if (set.count > 0) {
    set.worst_profile = decode(scan.stats.worst.index);
    set.best_profile = decode(scan.stats.best.index);
  }
  return set;
}

namespace {

void require_device(const char* what) {
  if (detail::query_device_count() <= 0)
    throw InputError(std::string(what) + " on the CUDA backend: " + detail::describe_device() +
                     "; use --backend cpu or auto");
}

}  // namespace

void philox_draws(rng::Philox4x32Key key, const rng::Philox4x32Ctr* counters, std::int64_t count,
                  rng::Philox4x32Ctr* out) {
  require_device("Philox draws");
  if (count > 0) detail::launch_philox_draws(key, counters, count, out);
}

void portable_math(const double* x, std::int64_t count, double* exp_out, double* log_out, double* normal_out) {
  require_device("portable math");
  if (count > 0) detail::launch_portable_math(x, count, exp_out, log_out, normal_out);
}

struct PopulationHandle {
  detail::PopulationDevice* device = nullptr;
  std::int64_t users = 0;
  ~PopulationHandle() { detail::population_free(device); }
};

PopulationHandle* population_open(const population::QueryView& g, const population::SamplingView& s, std::uint64_t seed,
                                  std::int64_t replicate, std::int64_t users, std::int64_t block_size) {
  require_device("the population");
  if (g.n < 1 || g.n > population::MAX_PROVIDERS || g.K < 1 || g.K > population::MAX_LEVELS)
    throw InputError("population on the CUDA backend: 1.." + std::to_string(population::MAX_PROVIDERS) +
                     " providers and 1.." + std::to_string(population::MAX_LEVELS) +
                     " levels, got n = " + std::to_string(g.n) + ", K = " + std::to_string(g.K));
  if (users < 1 || users > (std::int64_t{1} << 32) || block_size < 1)
    throw InputError("population on the CUDA backend: 1..2^32 users and block_size >= 1");
  if ((users + block_size - 1) / block_size > std::int64_t{0x7fffffff})
    throw InputError("population on the CUDA backend: more than 2^31 - 1 blocks; raise block_size");
  auto h = std::make_unique<PopulationHandle>();
  h->users = users;
  h->device = detail::launch_population_open(g, s, seed, replicate, users, block_size);
  return h.release();
}

void population_close(PopulationHandle* h) noexcept {
  delete h;
}

void population_users(PopulationHandle* h, double* alpha, double* beta, double* v0, std::int32_t* question) {
  detail::launch_population_users(h->device, alpha, beta, v0, question);
}

void population_demand(PopulationHandle* h, const population::ProfileView& t, double* out) {
  detail::launch_population_demand(h->device, t, out);
}

void population_utilities(PopulationHandle* h, const population::ProfileView& t, int i, double* max, double* sum) {
  detail::launch_population_utilities(h->device, t, i, max, sum);
}

void population_outcomes(PopulationHandle* h, const population::ProfileView& t, const int* profile, Reserve reserve,
                         std::uint64_t seed, std::int64_t replicate, std::int64_t first, std::int64_t count,
                         population::Outcome* market, population::Outcome* auction, double* first_best) {
  if (count > 0)
    detail::launch_population_outcomes(h->device, t, profile, reserve, seed, replicate, first, count, market, auction,
                                       first_best);
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
